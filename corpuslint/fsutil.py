"""Small file-system helpers shared by the cache, the index and atomic writes."""

from __future__ import annotations

import contextlib
import os


def unlink_quietly(path: str | os.PathLike[str]) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def remove_database(path: str | os.PathLike[str]) -> None:
    """Delete an SQLite database with its WAL, shared-memory and journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        unlink_quietly(f"{os.fspath(path)}{suffix}")
