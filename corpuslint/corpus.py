"""The corpus as corpus-wide rules see it: the configured roots and a persistent index.

The index is a SQLite file (default ``.corpuslint/index.sqlite`` at the project
root). It records every corpus file (path relative to the project root, size,
mtime, content hash) and, per corpus rule, that rule's summary of the file; rules
may keep tables of their own through ``CorpusRule.index_*`` hooks. ``sync`` brings
it up to date incrementally: only new or changed files are read and summarised,
deleted files leave it. It is safe with several processes at once (WAL, busy
timeout, one write transaction per sync); an unreadable or incompatible index is
rebuilt with a warning.

Because corpus rules read the corpus from here, a pre-commit run that names one
file gets the same answer as a run over the whole corpus.
"""

from __future__ import annotations

import hashlib
import pickle
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpuslint import __version__
from corpuslint.config import Settings
from corpuslint.files import FileEntry, corpus_files, display_path
from corpuslint.fsutil import remove_database
from corpuslint.notices import warn
from corpuslint.options import options_as_dict
from corpuslint.rule import CorpusRule

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS summaries (
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    rule_key TEXT NOT NULL,
    blob BLOB,
    PRIMARY KEY (file_id, rule)
);
"""


def content_key(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def rule_key(rule: CorpusRule) -> str:
    """Changes when a rule's summaries must be recomputed (version or options)."""
    opts = repr(sorted(options_as_dict(rule.options).items()))
    return f"{rule.code}:{rule.version}:{hashlib.blake2b(opts.encode(), digest_size=6).hexdigest()}"


@dataclass
class Summarised:
    """What the per-document stage learnt about one file, reused by the index."""

    entry: FileEntry
    key: str
    size: int
    mtime_ns: int
    summaries: dict[str, Any]  # rule code -> summary


class IndexUnusable(Exception):
    pass


def open_index(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index; rebuild it when unreadable or incompatible."""
    for attempt in range(2):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            gitignore = path.parent / ".gitignore"
            if path.parent.name == ".corpuslint" and not gitignore.exists():
                gitignore.write_text("*\n")
            conn = sqlite3.connect(path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 60000")
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.executescript(_SCHEMA)
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                conn.execute(
                    "INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
                )
                conn.execute(
                    "INSERT OR REPLACE INTO meta VALUES ('created-by', ?)",
                    (f"corpuslint {__version__}",),
                )
            elif row[0] != str(SCHEMA_VERSION):
                conn.close()
                raise IndexUnusable(f"schema {row[0]}, expected {SCHEMA_VERSION}")
            conn.execute("SELECT count(*) FROM files").fetchone()
            return conn
        except (sqlite3.DatabaseError, IndexUnusable) as exc:
            if attempt:
                raise
            warn(f"index {path} is unreadable or incompatible ({exc}); rebuilding it")
            remove_database(path)
    raise AssertionError("unreachable")


class Corpus:
    """All files of the configured corpus roots, behind the persistent index."""

    def __init__(self, settings: Settings, rules: list[CorpusRule], cwd: Path | None = None):
        self.settings = settings
        self.rules = rules
        self.cwd = cwd or Path.cwd()
        self.index_path = settings.resolved_index_path()
        self._db: sqlite3.Connection | None = None

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_index(self.index_path)
            for rule in self.rules:
                rule.index_tables(self._db)
        return self._db

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    # -- reading -------------------------------------------------------------

    def display(self, relpath: str) -> str:
        """The display path (as in findings) of a file stored in the index."""
        return display_path(self.settings.root / relpath, self.cwd)

    def file_count(self) -> int:
        return self.db.execute("SELECT count(*) FROM files").fetchone()[0]

    def paths(self) -> list[str]:
        """Display paths of every indexed file, in path order."""
        rows = self.db.execute("SELECT path FROM files ORDER BY path").fetchall()
        return [self.display(p) for (p,) in rows]

    def summaries(self, rule: CorpusRule) -> Iterator[tuple[str, Any]]:
        """(display path, summary) of ``rule`` for every indexed file."""
        rows = self.db.execute(
            "SELECT f.path, s.blob FROM summaries s JOIN files f ON f.id = s.file_id "
            "WHERE s.rule = ? ORDER BY f.path",
            (rule.code,),
        )
        for path, blob in rows:
            yield self.display(path), (pickle.loads(blob) if blob is not None else None)

    # -- updating ------------------------------------------------------------

    def sync(
        self,
        known: dict[Path, Summarised],
        summarise: Callable[[list[FileEntry]], list[Summarised | None]],
    ) -> dict[str, int]:
        """Bring the index up to date with the corpus roots.

        ``known`` holds summaries the caller already computed (the targets of the
        run, keyed by absolute path); ``summarise`` computes them for other files
        (in parallel). Returns counts of added, updated, removed and unchanged files.
        """
        db = self.db
        entries = corpus_files(self.settings, self.cwd)
        current: dict[str, tuple[FileEntry, int, int]] = {}
        for entry in entries:
            try:
                st = entry.path.stat()
            except OSError:
                continue
            current[entry.relpath] = (entry, st.st_size, st.st_mtime_ns)
        stored = {
            path: (fid, size, mtime, key)
            for fid, path, size, mtime, key in db.execute(
                "SELECT id, path, size, mtime_ns, key FROM files"
            )
        }
        keys = {r.code: rule_key(r) for r in self.rules}
        complete: set[int] = set()
        if self.rules:
            placeholders = ",".join("?" * len(keys))
            counts: dict[int, int] = {}
            for fid, code, rkey in db.execute(
                f"SELECT file_id, rule, rule_key FROM summaries WHERE rule IN ({placeholders})",
                list(keys),
            ):
                if keys.get(code) == rkey:
                    counts[fid] = counts.get(fid, 0) + 1
            complete = {fid for fid, n in counts.items() if n == len(keys)}

        removed = [fid for path, (fid, *_rest) in stored.items() if path not in current]
        todo: list[FileEntry] = []
        unchanged = 0
        for rel, (entry, size, mtime) in current.items():
            old = stored.get(rel)
            if old is not None and old[1] == size and old[2] == mtime and old[0] in complete:
                unchanged += 1
                continue
            todo.append(entry)

        fresh: list[Summarised] = []
        missing = []
        for entry in todo:
            got = known.get(entry.path)
            if got is not None:
                fresh.append(got)
            else:
                missing.append(entry)
        if missing:
            fresh.extend(s for s in summarise(missing) if s is not None)

        added = updated = 0
        with db:
            db.execute("BEGIN IMMEDIATE")
            if removed:
                for rule in self.rules:
                    rule.index_remove(db, removed)
                db.executemany("DELETE FROM summaries WHERE file_id = ?", [(i,) for i in removed])
                db.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in removed])
            for item in fresh:
                rel = item.entry.relpath
                old = stored.get(rel)
                if old is not None:
                    fid = old[0]
                    db.execute(
                        "UPDATE files SET size=?, mtime_ns=?, key=? WHERE id=?",
                        (item.size, item.mtime_ns, item.key, fid),
                    )
                    for rule in self.rules:
                        rule.index_remove(db, [fid])
                    if old[3] == item.key:  # same content: other rules' summaries hold
                        db.executemany(
                            "DELETE FROM summaries WHERE file_id = ? AND rule = ?",
                            [(fid, code) for code in keys],
                        )
                    else:
                        db.execute("DELETE FROM summaries WHERE file_id = ?", (fid,))
                    updated += 1
                else:
                    fid = db.execute(
                        "INSERT INTO files (path, size, mtime_ns, key) VALUES (?, ?, ?, ?)",
                        (rel, item.size, item.mtime_ns, item.key),
                    ).lastrowid
                    added += 1
                for rule in self.rules:
                    summary = item.summaries.get(rule.code)
                    db.execute(
                        "INSERT INTO summaries (file_id, rule, rule_key, blob) VALUES (?,?,?,?)",
                        (
                            fid,
                            rule.code,
                            keys[rule.code],
                            None if summary is None else pickle.dumps(summary, protocol=5),
                        ),
                    )
                    if summary is not None:
                        rule.index_add(db, fid, summary)
        return {"added": added, "updated": updated, "removed": len(removed), "unchanged": unchanged}

    def clear(self) -> None:
        self.close()
        remove_database(self.index_path)
