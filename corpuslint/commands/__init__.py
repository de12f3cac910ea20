"""Sub-commands of the ``corpuslint`` CLI, one module each.

A command module has ``add_parser(subparsers)``, which registers its parser and
sets ``run`` (a function of the parsed arguments returning the exit code). Keep
their top-level imports light: every module here is imported on every start.
"""

COMMANDS = ("check", "rule", "rules", "signals", "report", "index")
