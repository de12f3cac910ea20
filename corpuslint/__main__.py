from corpuslint.cli import entry

entry()
