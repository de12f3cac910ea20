"""Result cache (like ``.ruff_cache``): per-file findings keyed by content and settings.

One SQLite file per settings fingerprint under the cache directory. A key is the
hash of the fingerprint (version, rules, options, plugins), the file's path
relative to the project root and its bytes, so an unchanged corpus is re-checked
without running a rule. Workers only read; the main process writes in one
transaction. A cache that cannot be read is discarded with a warning, never a crash.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import sqlite3
import time
from pathlib import Path
from typing import Any

from corpuslint.fsutil import database_is_damaged, remove_database
from corpuslint.notices import warn

_PRUNE_AFTER_S = 14 * 24 * 3600
_SCHEMA = "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, blob BLOB NOT NULL)"


def cache_key(fingerprint: str, relpath: str, raw: bytes) -> str:
    h = hashlib.blake2b(digest_size=20)
    h.update(fingerprint.encode())
    h.update(b"\0")
    h.update(relpath.encode("utf-8", "surrogateescape"))
    h.update(b"\0")
    h.update(raw)
    return h.hexdigest()


class ResultCache:
    def __init__(self, directory: Path, fingerprint: str) -> None:
        self.directory = directory
        self.fingerprint = fingerprint
        name = hashlib.blake2b(fingerprint.encode(), digest_size=8).hexdigest()
        self.path = directory / f"results-{name}.sqlite"
        self._conn: sqlite3.Connection | None = None
        self._pid = -1
        self._broken = False

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._broken:
            return None
        if self._conn is not None and self._pid == os.getpid():
            return self._conn
        if not create and not self.path.exists():
            return None
        try:
            if create:
                self.directory.mkdir(parents=True, exist_ok=True)
                gitignore = self.directory / ".gitignore"
                if not gitignore.exists():
                    gitignore.write_text("*\n")
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(_SCHEMA)
        except (sqlite3.Error, OSError) as exc:
            self._discard(exc)
            return None
        self._conn, self._pid = conn, os.getpid()
        return conn

    def _discard(self, exc: Exception) -> None:
        """Stop using the cache for this run; delete it only when the file is bad (a
        locked or busy cache belongs to another run: it is left alone)."""
        self._conn = None
        if database_is_damaged(exc):
            warn(f"cache {self.path} is unusable ({exc}); it is rebuilt")
            remove_database(self.path)
        else:
            self._broken = True

    def get(self, key: str) -> Any | None:
        conn = self._connect(create=False)
        if conn is None:
            return None
        try:
            row = conn.execute("SELECT blob FROM results WHERE key = ?", (key,)).fetchone()
            return pickle.loads(row[0]) if row else None
        except (
            sqlite3.Error,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
        ):
            return None

    def put_many(self, items: list[tuple[str, Any]]) -> None:
        if not items:
            return
        conn = self._connect(create=True)
        if conn is None:
            return
        try:
            with conn:
                conn.execute("BEGIN IMMEDIATE")
                conn.executemany(
                    "INSERT OR REPLACE INTO results (key, blob) VALUES (?, ?)",
                    [(k, pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)) for k, v in items],
                )
        except sqlite3.DatabaseError as exc:
            self._discard(exc)
            self._broken = True
            return
        self._prune_others()

    def _prune_others(self) -> None:
        """Remove caches of other settings that have not been used for two weeks."""
        now = time.time()
        with contextlib.suppress(OSError):
            for other in self.directory.glob("results-*.sqlite"):
                if other != self.path and now - other.stat().st_mtime > _PRUNE_AFTER_S:
                    remove_database(other)

    def close(self) -> None:
        if self._conn is not None and self._pid == os.getpid():
            self._conn.close()
        self._conn = None
