"""Small file-system helpers shared by the cache, the index and atomic writes."""

from __future__ import annotations

import contextlib
import os
import sqlite3


def unlink_quietly(path: str | os.PathLike[str]) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def remove_database(path: str | os.PathLike[str]) -> None:
    """Delete an SQLite database with its WAL, shared-memory and journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        unlink_quietly(f"{os.fspath(path)}{suffix}")


def database_is_damaged(exc: BaseException) -> bool:
    """Whether an SQLite error means the file itself is bad (not a database, malformed,
    missing its tables), so that deleting and rebuilding it is right.

    Errors of the moment (locked or busy: another process writes; disk I/O, read-only,
    full disk) say nothing about the file: deleting it then would pull it from under the
    process that holds it and corrupt that process's writes.
    """
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    if not isinstance(exc, sqlite3.OperationalError):
        return True  # "file is not a database", "database disk image is malformed"
    message = str(exc).lower()
    return any(word in message for word in ("malformed", "no such table", "no such column"))
