"""corpuslint: a linter for corpora of plain-text documents."""

__version__ = "0.1.0"
