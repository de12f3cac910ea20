"""Errors that end a run with exit code 2 and one line on stderr, never a traceback."""

from __future__ import annotations


class CorpuslintError(Exception):
    """A usage, configuration or I/O problem the user can act on."""


class ConfigError(CorpuslintError):
    """A configuration file (or flag) is invalid; the message names the file and key."""

    def __init__(self, message: str, *, source: str | None = None, key: str | None = None):
        where = ""
        if source:
            where = f"{source}: "
        if key:
            where += f"{key}: "
        super().__init__(where + message)
        self.source = source
        self.key = key
