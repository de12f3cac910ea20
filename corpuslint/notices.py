"""Warnings on stderr: one line each, ``corpuslint: warning: ...``, never a traceback."""

from __future__ import annotations

import sys

_quiet = False
_seen: set[str] = set()


def set_quiet(quiet: bool) -> None:
    global _quiet
    _quiet = quiet


def warn(message: str) -> None:
    """Print a warning once per process (unless ``-q``)."""
    if _quiet or message in _seen:
        return
    _seen.add(message)
    print(f"corpuslint: warning: {message}", file=sys.stderr, flush=True)
