"""The corpus as corpus-wide rules see it: the configured roots and a persistent index.

The index is a SQLite file (default ``.corpuslint/index.sqlite`` at the project
root, or the ``index`` key). It records every corpus file (path relative to the
project root, size, mtime, content hash) and, per corpus rule, that rule's summary
of the file; rules may keep tables of their own through the ``CorpusRule.index_*``
hooks (and an optional ``index_add_many(db, [(file_id, summary), ...])`` for bulk
inserts). A rule whose own tables hold all it needs sets ``index_summary = False``:
its rows in ``summaries`` then only record that the file is summarised (no blob).
``sync`` brings the index up to date incrementally: only new or changed files are
read and summarised, deleted files leave it.

Two ways to find what changed:

* a *full* sync lists every directory of the corpus and stats every file (what a
  run over the whole corpus, and ``corpuslint index update``, do);
* a *quick* sync, used when a run names few files compared with the size of the
  index (a pre-commit run), stats only the directories recorded at the last sync:
  a directory whose mtime is unchanged has had no file added, removed or renamed,
  so only changed directories are listed again. The named files are always
  brought up to date. A file edited in place in an unchanged directory and not
  named is picked up by the next full sync (``corpuslint index update``).

Several processes may sync at once: WAL journal, a busy timeout, and each sync
writes in one ``BEGIN IMMEDIATE`` transaction that re-reads the rows it changes.
An unreadable or incompatible index is rebuilt with a warning, never a crash.

Because corpus rules read the corpus from here, a pre-commit run that names one
file gets the same answer as a run over the whole corpus.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import json
import os
import pickle
import re
import sqlite3
import stat
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpuslint import __version__
from corpuslint.config import ALWAYS_EXCLUDED_DIRS, Settings
from corpuslint.files import FileEntry, display_path, root_relative
from corpuslint.fsutil import database_is_damaged, remove_database
from corpuslint.globs import matches
from corpuslint.notices import warn
from corpuslint.options import options_as_dict
from corpuslint.rule import CorpusRule

SCHEMA_VERSION = 4

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
    rule TEXT NOT NULL,
    file_id INTEGER NOT NULL,
    rule_key TEXT NOT NULL,
    blob BLOB,
    PRIMARY KEY (rule, file_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dirs (path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL);
"""

# Files written per batch (bounds the memory of a large sync; one transaction).
WRITE_BATCH = 5000
# A run that names fewer than this share of the indexed files syncs quickly.
QUICK_SYNC_SHARE = 0.1
# Rows per statement when looking rows up with IN (...): below SQLite's variable limit.
CHUNK = 900


def content_key(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def rule_key(rule: CorpusRule) -> str:
    """Changes when a rule's summaries must be recomputed (version or options)."""
    opts = repr(sorted(options_as_dict(rule.options).items()))
    return f"{rule.code}:{rule.version}:{hashlib.blake2b(opts.encode(), digest_size=6).hexdigest()}"


# File names that are not valid UTF-8 reach Python as strings with surrogate escapes
# (U+DC80-U+DCFF), which SQLite's TEXT cannot hold. The index stores each surrogate
# as NUL and four hex digits: no file name holds a NUL, so the form is unambiguous,
# and it keeps prefixes and equality (the queries the index makes). Every other path
# is stored as it is. An index that holds such a path says so in ``meta``
# (``escaped-paths``); its connection then decodes every text it reads back.
_ESCAPED_PATHS = "escaped-paths"
_SURROGATE = re.compile("[\ud800-\udfff]")
_ESCAPE = re.compile("\x00([0-9a-f]{4})")


def index_path(path: str) -> str:
    """How ``path`` (a root-relative or absolute path) is stored in the index."""
    if path.isascii():
        return path
    return _SURROGATE.sub(lambda m: f"\x00{ord(m.group()):04x}", path)


def _index_text(raw: bytes) -> str:
    """The index connection's text factory once it holds escaped paths."""
    text = raw.decode("utf-8")
    if "\x00" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def _decode_escaped_paths(db: sqlite3.Connection) -> None:
    db.text_factory = _index_text


def _relative_posix(path: str, base: str) -> str | None:
    """``path`` relative to ``base`` ("" when equal), or None when not below it (POSIX)."""
    if os.sep != "/":
        return None
    base = base.rstrip("/")
    if path == base:
        return ""
    return path[len(base) + 1 :] if path.startswith(base + "/") else None


def _plain_relative(path: str) -> bool:
    """A relative POSIX path with no ``.``/``..`` parts or doubled slashes."""
    return (
        os.sep == "/"
        and bool(path)
        and not path.startswith("/")
        and "//" not in path
        and "/." not in path
        and not path.startswith(".")
    )


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: a run holds millions of long-lived objects
    (one result per file), and each full collection walks all of them."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def insert_rows(db: sqlite3.Connection, head: str, rows: list[tuple]) -> None:
    """``head`` (``INSERT ... INTO table (cols) VALUES``) for every row, many rows per
    statement: several times faster than ``executemany`` for large batches."""
    if not rows:
        return
    width = len(rows[0])
    per = max(1, min(1000, 30000 // width))
    one = "(" + ",".join("?" * width) + ")"
    full_sql = None
    for start in range(0, len(rows), per):
        part = rows[start : start + per]
        if len(part) == per:
            full_sql = full_sql or f"{head} {','.join([one] * per)}"
            sql = full_sql
        else:
            sql = f"{head} {','.join([one] * len(part))}"
        db.execute(sql, [v for row in part for v in row])


def chunks(items: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


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


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=60, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 60000")
    # a new index gets 16 KiB pages (fewer, shallower B-tree pages for the band and
    # signature tables: about 10% less work to build); an existing one keeps its own
    conn.execute("PRAGMA page_size = 16384")
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    # a page cache that holds the B-trees a large sync inserts into (the default 2 MB
    # thrashes from about 50,000 files on); pages are allocated only as used
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA temp_store = MEMORY")
    return conn


# How long opening the index waits for another process that holds it (creating it,
# switching it to WAL) before giving up with an error.
OPEN_WAIT_SECONDS = 60.0


def open_index(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the index; rebuild it when unreadable or incompatible.

    A busy or locked index (another process creating it) is waited for, never rebuilt:
    deleting it would corrupt the other process's writes.
    """
    deadline = time.monotonic() + OPEN_WAIT_SECONDS
    delay = 0.01
    rebuilt = False
    while True:
        try:
            return _open_index_once(path)
        except (sqlite3.DatabaseError, IndexUnusable) as exc:
            if isinstance(exc, IndexUnusable) or database_is_damaged(exc):
                if rebuilt:  # still unusable once rebuilt: say why, leave it
                    raise index_error(path, exc) from None
                warn(f"index {path} is unreadable or incompatible ({exc}); rebuilding it")
                remove_database(path)
                rebuilt = True
                continue
            if _is_busy(exc) and time.monotonic() < deadline:
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
                continue
            raise index_error(path, exc) from None
        except OSError as exc:
            raise index_error(path, exc) from None


def _is_busy(exc: BaseException) -> bool:
    message = str(exc).lower()
    return "locked" in message or "busy" in message


def index_error(path: Path, exc: BaseException) -> Exception:
    """The one-line error for an index that cannot be used now (left as it is)."""
    from corpuslint.errors import CorpuslintError

    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return CorpuslintError(f"index {path}: {reason}")


def _open_index_once(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    gitignore = path.parent / ".gitignore"
    if path.parent.name == ".corpuslint" and not gitignore.exists():
        gitignore.write_text("*\n")
    conn = _connect(path)
    try:
        row = None
        has_meta = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
        ).fetchone()
        if has_meta:
            row = conn.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is not None and row[0] != str(SCHEMA_VERSION):
                raise IndexUnusable(f"schema {row[0]}, expected {SCHEMA_VERSION}")
        conn.executescript(_SCHEMA)
        if row is None:
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (str(SCHEMA_VERSION),))
            conn.execute(
                "INSERT OR REPLACE INTO meta VALUES ('created-by', ?)",
                (f"corpuslint {__version__}",),
            )
        conn.execute("SELECT count(*) FROM files").fetchone()
        return conn
    except BaseException:
        conn.close()
        raise


@dataclass
class _Listing:
    """What a walk of (part of) the corpus found."""

    files: dict[str, str]  # relpath -> absolute path
    dirs: dict[str, int]  # absolute dir path -> mtime_ns
    complete: bool  # True when every corpus file was listed


class Corpus:
    """All files of the configured corpus roots, behind the persistent index."""

    def __init__(self, settings: Settings, rules: list[CorpusRule], cwd: Path | None = None):
        self.settings = settings
        self.rules = rules
        self.cwd = cwd or Path.cwd()
        self.index_path = settings.resolved_index_path()
        self._db: sqlite3.Connection | None = None
        self._formatters: tuple[Callable[[str], str], Callable[[str], str]] | None = None
        self._relpaths: dict[str, str] = {}
        # set by sync when it listed the whole corpus: how many corpus files the run
        # did not name (0: every corpus file is a target, rules need no look-ups)
        self.others: int | None = None
        self.corpus_size: int | None = None
        # set by the runner when it has worker processes: ``parallel_map(func, items)``
        # yields ``func(item)`` (a module-level function) for each item, in order,
        # computed in the workers; corpus rules may use it for heavy work
        self.parallel_map: Callable[[Callable[[Any], Any], list[Any]], Iterable[Any]] | None = None
        # the working directory relative to the root ("" or "sub/dir/"), when inside it
        cwd_rel = _relative_posix(str(self.cwd), str(settings.root))
        self._cwd_in_root = None if cwd_rel is None else (cwd_rel + "/" if cwd_rel else "")

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            self._db = open_index(self.index_path)
            flag = self._db.execute(
                "SELECT 1 FROM meta WHERE key = ?", (_ESCAPED_PATHS,)
            ).fetchone()
            if flag is not None:
                _decode_escaped_paths(self._db)
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
        _relative, shown = self._path_formatters()
        return shown(os.path.join(str(self.settings.root), relpath))

    def relpath(self, display: str) -> str:
        """The root-relative path of a file given by its display path."""
        got = self._relpaths.get(display)
        if got is None:
            if self._cwd_in_root is not None and _plain_relative(display):
                got = self._cwd_in_root + display
            else:
                relative, _shown = self._path_formatters()
                got = relative(os.path.abspath(os.path.join(self.cwd, display)))
            self._relpaths[display] = got
        return got

    def absolute(self, relpath: str) -> Path:
        return self.settings.root / relpath

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

    def summaries_of(self, rule: CorpusRule, file_ids: Iterable[int]) -> dict[int, Any]:
        """``rule``'s summary of each of ``file_ids`` that has one."""
        out: dict[int, Any] = {}
        for part in chunks(list(file_ids)):
            marks = ",".join("?" * len(part))
            for fid, blob in self.db.execute(
                f"SELECT file_id, blob FROM summaries WHERE rule = ? AND file_id IN ({marks})",
                (rule.code, *part),
            ):
                if blob is not None:
                    out[fid] = pickle.loads(blob)
        return out

    def paths_of(self, file_ids: Iterable[int]) -> dict[int, str]:
        """Root-relative path of each of ``file_ids``."""
        out: dict[int, str] = {}
        for part in chunks(list(file_ids)):
            marks = ",".join("?" * len(part))
            out.update(self.db.execute(f"SELECT id, path FROM files WHERE id IN ({marks})", part))
        return out

    def ids_of(self, relpaths: Iterable[str]) -> dict[str, int]:
        """File id of each of ``relpaths`` that is indexed."""
        out: dict[str, int] = {}
        for part in chunks(list(relpaths)):
            marks = ",".join("?" * len(part))
            for fid, path in self.db.execute(
                f"SELECT id, path FROM files WHERE path IN ({marks})", [index_path(p) for p in part]
            ):
                out[path] = fid
        return out

    def stats(self) -> dict[str, Any]:
        """Counts and sizes for ``corpuslint index stats``."""
        db = self.db
        files, total = db.execute("SELECT count(*), coalesce(sum(size), 0) FROM files").fetchone()
        per_rule = dict(
            db.execute("SELECT rule, count(*) FROM summaries GROUP BY rule ORDER BY rule")
        )
        meta = dict(db.execute("SELECT key, value FROM meta"))
        size = sum(
            os.path.getsize(f"{self.index_path}{s}")
            for s in ("", "-wal")
            if os.path.exists(f"{self.index_path}{s}")
        )
        return {
            "index": str(self.index_path),
            "schema": int(meta.get("schema", 0)),
            "files": files,
            "corpus_bytes": total,
            "index_bytes": size,
            "summaries": per_rule,
            "directories": db.execute("SELECT count(*) FROM dirs").fetchone()[0],
            "last_sync": meta.get("last-sync"),
            "last_full_sync": meta.get("last-full-sync"),
        }

    # -- listing the corpus --------------------------------------------------

    def _layout_key(self) -> str:
        """Changes when the set of corpus files could change for reasons other than files."""
        s = self.settings
        parts = [
            [str(r) for r in (s.corpus or ())],
            list(s.include),
            list(s.exclude),
            str(s.root),
        ]
        return hashlib.blake2b(json.dumps(parts).encode(), digest_size=8).hexdigest()

    def _path_formatters(self) -> tuple[Callable[[str], str], Callable[[str], str]]:
        """Fast root-relative and display forms of absolute paths found by walking."""
        if self._formatters is None:
            self._formatters = self._make_formatters()
        return self._formatters

    def _make_formatters(self) -> tuple[Callable[[str], str], Callable[[str], str]]:
        root, cwd = self.settings.root, self.cwd
        if os.sep != "/":
            return (
                lambda p: root_relative(Path(p), root),
                lambda p: display_path(Path(p), cwd),
            )
        root_prefix = str(root).rstrip("/") + "/"
        cwd_prefix = str(cwd).rstrip("/") + "/"

        def relative(p: str) -> str:
            return p[len(root_prefix) :] if p.startswith(root_prefix) else p.lstrip("/")

        def shown(p: str) -> str:
            return p[len(cwd_prefix) :] if p.startswith(cwd_prefix) else display_path(Path(p), cwd)

        return relative, shown

    def _entry(self, path: str) -> FileEntry:
        relative, shown = self._path_formatters()
        return FileEntry(shown(path), path, relative(path))

    def _list_dir(
        self, directory: str, files: dict[str, str], dirs: dict[str, int], recurse: bool
    ) -> list[str]:
        """List one directory into ``files``/``dirs``; returns its subdirectories."""
        settings = self.settings
        relative, _shown = self._path_formatters()
        subdirs: list[str] = []
        try:
            st = os.stat(directory)
            with os.scandir(directory) as it:
                entries = list(it)
        except OSError:
            return subdirs
        dirs[directory] = st.st_mtime_ns
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name in ALWAYS_EXCLUDED_DIRS:
                        continue
                    if settings.exclude and matches(relative(entry.path), settings.exclude):
                        continue
                    subdirs.append(entry.path)
                elif entry.is_file():  # follows file symlinks; FIFOs are not files
                    rel = relative(entry.path)
                    if not matches(rel, settings.include):
                        continue
                    if settings.exclude and matches(rel, settings.exclude):
                        continue
                    files[rel] = entry.path
            except OSError:
                continue
        if recurse:
            for sub in subdirs:
                self._walk(sub, files, dirs)
        return subdirs

    def _walk(self, directory: str, files: dict[str, str], dirs: dict[str, int]) -> None:
        stack = [directory]
        while stack:
            stack.extend(self._list_dir(stack.pop(), files, dirs, recurse=False))

    def list_all(self) -> _Listing:
        """Every corpus file (include / exclude applied) and every corpus directory."""
        files: dict[str, str] = {}
        dirs: dict[str, int] = {}
        relative, _shown = self._path_formatters()
        for root in self.settings.corpus or ():
            if root.is_dir():
                self._walk(os.path.abspath(root), files, dirs)
            elif root.is_file():
                path = os.path.abspath(root)
                files[relative(path)] = path
        return _Listing(files, dirs, complete=True)

    # -- updating ------------------------------------------------------------

    def sync(
        self,
        known: dict[Any, Summarised],
        summarise: Callable[[list[FileEntry]], Iterable[Summarised | None]],
        *,
        full: bool | None = None,
    ) -> dict[str, int]:
        """Bring the index up to date with the corpus roots.

        ``known`` holds summaries the caller already computed (the targets of the
        run, keyed by absolute path); ``summarise`` computes them for other files
        (in parallel). ``full`` forces (True) or forbids (False) a full listing;
        by default a run naming few files compared with the index syncs quickly
        (see the module docs). Returns counts of added, updated, removed and
        unchanged files. A database that turns out to be corrupt is rebuilt.
        """
        with gc_paused():
            items = list(known.values())
            stream = self.begin_sync([item.entry for item in items], full=full)
            for item in items:
                stream.add(item)
            return stream.finish(summarise)

    def begin_sync(self, named: list[FileEntry], *, full: bool | None = None) -> IndexSync:
        """Start a sync whose named files' summaries arrive one by one (``IndexSync``).

        ``named`` are the files the run checks (not standard input), known before
        their summaries are: the corpus is listed and the index read now, so a caller
        can do it while its workers summarise them. See ``sync`` for ``full``.
        """
        try:
            return IndexSync(self, named, full)
        except sqlite3.DatabaseError as exc:
            if not database_is_damaged(exc):
                raise index_error(self.index_path, exc) from None
            warn(f"index {self.index_path} is unreadable ({exc}); rebuilding it")
            self.clear()
            return IndexSync(self, named, True)

    def _quick_listing(self) -> _Listing | None:
        """The corpus files in directories whose mtime changed since the last sync."""
        db = self.db
        recorded = dict(db.execute("SELECT path, mtime_ns FROM dirs"))
        if not recorded:
            return None
        files: dict[str, str] = {}
        dirs: dict[str, int] = {}
        for directory, mtime in recorded.items():
            try:
                now = os.stat(directory).st_mtime_ns
            except OSError:
                now = None
            if now == mtime:
                continue
            subdirs = self._list_dir(directory, files, dirs, recurse=False) if now else []
            for sub in subdirs:
                if sub not in recorded:
                    self._walk(sub, files, dirs)
            if now is None:
                dirs[directory] = -1  # vanished: its files are removed below
        return _Listing(files, dirs, complete=False)

    def _in_corpus(self, entry: FileEntry) -> bool:
        """True when a named file lies under a corpus root and passes include/exclude."""
        settings = self.settings
        path = os.path.abspath(entry.abspath)
        for root in settings.corpus or ():
            r = os.path.abspath(root)
            if path == r or path.startswith(r.rstrip(os.sep) + os.sep):
                rel = entry.relpath
                if path != r and not matches(rel, settings.include):
                    return False
                if settings.exclude and matches(rel, settings.exclude):
                    return False
                parts = Path(os.path.relpath(path, r)).parts[:-1]
                return not any(p in ALWAYS_EXCLUDED_DIRS for p in parts)
        return False

    def _stored_in_changed_dirs(
        self, listing: _Listing
    ) -> tuple[dict[str, tuple[int, int, int, str]], list[str]]:
        """Index rows of files directly inside the listed directories, and those now gone."""
        db = self.db
        root = self.settings.root
        stored: dict[str, tuple[int, int, int, str]] = {}
        gone: list[str] = []
        for directory, mtime in listing.dirs.items():
            prefix = root_relative(Path(directory), root)
            prefix = "" if prefix in ("", ".") else prefix + "/"
            stored_prefix = index_path(prefix)
            rows = db.execute(
                "SELECT id, path, size, mtime_ns, key FROM files WHERE path >= ? AND path < ?",
                (stored_prefix, stored_prefix + "\U0010ffff"),
            )
            for fid, path, size, fmtime, key in rows:
                rest = path[len(prefix) :]
                if mtime >= 0 and "/" in rest:
                    continue  # in a subdirectory, which has its own record
                stored[path] = (fid, size, fmtime, key)
                if mtime < 0 or path not in listing.files:
                    gone.append(path)
        return stored, gone

    def _incomplete_summaries(self, keys: dict[str, str], count: int) -> set[int] | None:
        """Ids of indexed files lacking a current summary of some rule (None: too many)."""
        db = self.db
        out: set[int] = set()
        for code, rkey in keys.items():
            have = db.execute(
                "SELECT count(*) FROM summaries WHERE rule = ? AND rule_key = ?", (code, rkey)
            ).fetchone()[0]
            if have == count:
                continue
            if have * 2 < count:
                return None
            out.update(
                fid
                for (fid,) in db.execute(
                    "SELECT id FROM files WHERE id NOT IN "
                    "(SELECT file_id FROM summaries WHERE rule = ? AND rule_key = ?)",
                    (code, rkey),
                )
            )
        return out

    def _files_needing_summaries(
        self, incomplete: set[int] | None, listing: _Listing, stored: dict
    ) -> list[FileEntry]:
        db = self.db
        seen = {v[0] for v in stored.values()}
        out = []
        rows = db.execute("SELECT id, path FROM files")
        for fid, path in rows:
            if fid in seen or path in listing.files:
                continue
            if incomplete is None or fid in incomplete:
                out.append(self._entry(str(self.settings.root / path)))
        return out

    def _write_batch(
        self,
        db: sqlite3.Connection,
        fresh: list[Summarised],
        keys: dict[str, str],
        next_id: int,
        empty: bool,
    ) -> int:
        current: dict[str, tuple[int, str]] = {}
        for part in [] if empty else chunks([index_path(f.entry.relpath) for f in fresh]):
            marks = ",".join("?" * len(part))
            for fid, path, key in db.execute(
                f"SELECT id, path, key FROM files WHERE path IN ({marks})", part
            ):
                current[path] = (fid, key)
        new_rows, upd_rows, changed_ids, same_content = [], [], [], []
        fresh_ids: list[tuple[int, Summarised]] = []
        for item in fresh:
            rel = item.entry.relpath
            old = current.get(rel)
            if old is None:
                fid = next_id
                next_id += 1
                stored = index_path(rel)
                if stored is not rel and "\x00" in stored:
                    self._mark_escaped(db)
                new_rows.append((fid, stored, item.size, item.mtime_ns, item.key))
            else:
                fid = old[0]
                upd_rows.append((item.size, item.mtime_ns, item.key, fid))
                (same_content if old[1] == item.key else changed_ids).append(fid)
            fresh_ids.append((fid, item))
        if changed_ids or same_content:
            self._remove_rule_rows(db, changed_ids + same_content)
            self._delete_summaries(db, changed_ids)
            db.executemany(
                "DELETE FROM summaries WHERE file_id = ? AND rule = ?",
                [(fid, code) for fid in same_content for code in keys],
            )
        db.executemany("UPDATE files SET size=?, mtime_ns=?, key=? WHERE id=?", upd_rows)
        insert_rows(db, "INSERT INTO files (id, path, size, mtime_ns, key) VALUES", new_rows)
        for rule in self.rules:
            code = rule.code
            # a rule whose own tables hold all it needs keeps no copy in ``summaries``
            keep_blob = getattr(rule, "index_summary", True)
            rows = []
            adds = []
            for fid, item in fresh_ids:
                summary = item.summaries.get(code)
                blob = (
                    pickle.dumps(summary, protocol=5) if summary is not None and keep_blob else None
                )
                rows.append((fid, code, keys[code], blob))
                if summary is not None:
                    adds.append((fid, summary))
            insert_rows(
                db, "INSERT OR REPLACE INTO summaries (file_id, rule, rule_key, blob) VALUES", rows
            )
            add_many = getattr(rule, "index_add_many", None)
            if add_many is not None:
                add_many(db, adds)
            else:
                for fid, summary in adds:
                    rule.index_add(db, fid, summary)
        return next_id

    def _mark_escaped(self, db: sqlite3.Connection) -> None:
        """The index now holds an escaped path: record it, decode from now on."""
        if db.text_factory is not _index_text:
            db.execute("INSERT OR REPLACE INTO meta VALUES (?, '1')", (_ESCAPED_PATHS,))
            _decode_escaped_paths(db)

    @staticmethod
    def _delete_summaries(db: sqlite3.Connection, ids: list[int]) -> None:
        """Every rule's summaries of ``ids`` (rows are keyed by rule, then file)."""
        if not ids:
            return
        rules = [r for (r,) in db.execute("SELECT DISTINCT rule FROM summaries")]
        db.executemany(
            "DELETE FROM summaries WHERE rule = ? AND file_id = ?",
            [(r, i) for r in rules for i in ids],
        )

    def _remove_rule_rows(self, db: sqlite3.Connection, ids: list[int]) -> None:
        if ids:
            for rule in self.rules:
                rule.index_remove(db, ids)

    def _remove_ids(self, db: sqlite3.Connection, ids: list[int]) -> None:
        if not ids:
            return
        self._remove_rule_rows(db, ids)
        self._delete_summaries(db, ids)
        db.executemany("DELETE FROM files WHERE id = ?", [(i,) for i in ids])

    def clear(self) -> None:
        self.close()
        remove_database(self.index_path)


# Files worth a write while the caller would otherwise wait for results (fewer cost
# more per file: each batch prepares its own statements and sorts its own entries).
IDLE_BATCH = 1000
# Seconds a sync may hold the write lock before it commits what it has written and
# takes the lock again (other processes wait for it up to the busy timeout).
COMMIT_SECONDS = 5.0


class IndexSync:
    """One sync of the index, fed the named files' summaries as they are computed.

    Made by ``Corpus.begin_sync``: it lists the corpus, reads what the index holds
    and decides what to do with every file the run did not name. ``add`` then takes
    each named file's ``Summarised`` (in any order) and writes new or changed ones
    in batches while the caller computes the rest; ``finish`` summarises the other
    files that need it, removes deleted ones, records directories and returns the
    counts. Writes happen in ``BEGIN IMMEDIATE`` transactions that re-read the rows
    they change, committed every ``COMMIT_SECONDS`` and at the end; rows written are
    always complete (a file with its summaries). A database error at any point
    rebuilds the index from scratch with everything added so far.
    """

    def __init__(self, corpus: Corpus, named: list[FileEntry], full: bool | None) -> None:
        self.corpus = corpus
        db = self.db = corpus.db
        self.keys = {r.code: rule_key(r) for r in corpus.rules}
        meta = dict(db.execute("SELECT key, value FROM meta"))
        if _ESCAPED_PATHS in meta:  # another process may have written one since we opened
            _decode_escaped_paths(db)
        self.layout = corpus._layout_key()
        count = db.execute("SELECT count(*) FROM files").fetchone()[0]
        if full is None:
            full = (
                meta.get("layout") != self.layout
                or count == 0
                or len(named) >= QUICK_SYNC_SHARE * count
            )
        listing = None if full else corpus._quick_listing()
        if listing is None:
            listing = corpus.list_all()
            full = True
        self.full = full
        self.listing = listing

        # What the index holds for the files we look at.
        if listing.complete:
            stored = {
                path: (fid, size, mtime, key)
                for fid, path, size, mtime, key in db.execute(
                    "SELECT id, path, size, mtime_ns, key FROM files"
                )
            }
            self.gone = [p for p in stored if p not in listing.files]
        else:
            stored, self.gone = corpus._stored_in_changed_dirs(listing)
        self.stored = stored
        # Named files of the corpus are always checked against the index.
        self.named = {
            e.relpath: e for e in named if e.relpath in listing.files or corpus._in_corpus(e)
        }
        self.named_rows: dict[str, tuple[int, int, int, str]] = {}
        if not listing.complete:
            self._look_up([r for r in listing.files if r not in stored], stored)
            self._look_up(
                [r for r in self.named if r not in listing.files and r not in stored],
                self.named_rows,
            )
        self.incomplete = corpus._incomplete_summaries(self.keys, count)
        self.targets: dict[str, Summarised] = {}
        self.todo: list[FileEntry] = []
        self.unchanged = 0
        self.added = self.updated = 0
        self.items: list[Summarised] = []  # everything added (to rebuild after an error)
        self.failed: sqlite3.DatabaseError | None = None
        self.writer = _IndexWriter(corpus, db, self.keys)
        for rel, path in listing.files.items():
            if rel not in self.named:
                self._other(rel, path)

    def _look_up(self, relpaths: list[str], into: dict[str, tuple[int, int, int, str]]) -> None:
        for part in chunks(relpaths):
            marks = ",".join("?" * len(part))
            for fid, path, size, mtime, key in self.db.execute(
                f"SELECT id, path, size, mtime_ns, key FROM files WHERE path IN ({marks})",
                [index_path(p) for p in part],
            ):
                into[path] = (fid, size, mtime, key)

    def _is_unchanged(self, rel: str, size: int, mtime: int, key: str | None) -> bool:
        old = self.stored.get(rel)
        return (
            old is not None
            and old[1] == size
            and old[2] == mtime
            and (key is None or key == old[3])
            and (self.incomplete is not None and old[0] not in self.incomplete)
        )

    def _other(self, rel: str, path: str) -> None:
        """A listed corpus file the run did not name (or could not read): stat it."""
        try:
            st = os.stat(path)
        except OSError:
            return
        if not stat.S_ISREG(st.st_mode):
            return
        if self._is_unchanged(rel, st.st_size, st.st_mtime_ns, None):
            self.unchanged += 1
        else:
            self.todo.append(self.corpus._entry(path))

    def _fresh(self, item: Summarised) -> None:
        if item.entry.relpath in self.stored:
            self.updated += 1
        else:
            self.added += 1
        self.writer.add(item)

    def add(self, item: Summarised) -> None:
        """A named file's summaries (files outside the corpus are ignored)."""
        rel = item.entry.relpath
        if rel not in self.named or rel in self.targets:
            return
        self.items.append(item)
        if self.failed is not None:
            return
        try:
            self.targets[rel] = item
            files = self.listing.files
            if rel not in files:
                files[rel] = os.path.abspath(item.entry.abspath)
            if rel not in self.stored and rel in self.named_rows:
                self.stored[rel] = self.named_rows[rel]
            if self._is_unchanged(rel, item.size, item.mtime_ns, item.key):
                self.unchanged += 1
            else:
                self._fresh(item)
        except sqlite3.DatabaseError as exc:
            self.failed = exc

    @property
    def batch(self) -> int:
        """Files written at a time (while the caller goes on)."""
        return WRITE_BATCH

    def idle(self) -> None:
        """The caller would wait: write what is pending (when there is enough of it)."""
        if self.failed is None:
            try:
                self.writer.flush(IDLE_BATCH)
            except sqlite3.DatabaseError as exc:
                self.failed = exc

    def finish(
        self, summarise: Callable[[list[FileEntry]], Iterable[Summarised | None]]
    ) -> dict[str, int]:
        """Summarise and write the other files that need it, remove deleted files,
        record directories; returns the counts (see ``Corpus.sync``)."""
        if self.failed is None:
            try:
                return self._finish(summarise)
            except sqlite3.DatabaseError as exc:
                self.failed = exc
        corpus = self.corpus
        if not database_is_damaged(self.failed):
            raise index_error(corpus.index_path, self.failed) from None
        warn(f"index {corpus.index_path} is unreadable ({self.failed}); rebuilding it")
        corpus.clear()
        again = IndexSync(corpus, [item.entry for item in self.items], True)
        for item in self.items:
            again.add(item)
        if again.failed is not None:
            raise again.failed
        return again._finish(summarise)

    def _finish(
        self, summarise: Callable[[list[FileEntry]], Iterable[Summarised | None]]
    ) -> dict[str, int]:
        listing = self.listing
        for rel in self.named:  # named, in the listing, but not summarised (unreadable)
            if rel not in self.targets and rel in listing.files:
                self._other(rel, listing.files[rel])
        todo = self.todo
        if self.incomplete is None or self.incomplete:
            # summaries missing for files outside the listing (a rule added or changed)
            todo.extend(self.corpus._files_needing_summaries(self.incomplete, listing, self.stored))
        if todo:
            for item in summarise(todo):
                if item is not None:
                    self._fresh(item)
        corpus = self.corpus
        # Which corpus files this run did not name (rules skip index look-ups when none).
        corpus.others = len(listing.files) - len(self.targets) if listing.complete else None
        corpus.corpus_size = len(listing.files) if listing.complete else None
        self.writer.finish(self.gone, listing, self.full, self.layout)
        counts = {
            "added": self.added,
            "updated": self.updated,
            "removed": len(self.gone),
            "unchanged": self.unchanged,
            "full": int(self.full),
        }
        # what a large sync held (per-file maps, the page cache it filled) is not needed
        # by the corpus rules that follow
        self.items, self.targets, self.named, self.stored, self.todo = [], {}, {}, {}, []
        self.listing = _Listing({}, {}, listing.complete)
        with contextlib.suppress(sqlite3.Error):
            self.db.execute("PRAGMA shrink_memory")
        return counts


class _IndexWriter:
    """Writes fresh files in batches inside write transactions (see ``IndexSync``)."""

    def __init__(self, corpus: Corpus, db: sqlite3.Connection, keys: dict[str, str]) -> None:
        self.corpus = corpus
        self.db = db
        self.keys = keys
        self.pending: list[Summarised] = []
        self.open_since: float | None = None  # when the open transaction began
        self.next_id = 0
        self.empty = False  # no file row can exist for a path this sync writes
        self.last_id: int | None = None  # the highest id this sync gave, when it began empty
        self.started_empty: bool | None = None

    def add(self, item: Summarised) -> None:
        self.pending.append(item)
        if len(self.pending) >= WRITE_BATCH:
            self.flush()

    def _begin(self) -> None:
        if self.open_since is not None:
            return
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        self.open_since = time.monotonic()
        # never reuse an id: rules' own tables may still hold rows of a removed file
        seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'files'").fetchone()
        top = db.execute("SELECT max(id) FROM files").fetchone()[0]
        self.next_id = max(seq[0] if seq else 0, top or 0) + 1
        if self.started_empty is None:
            self.started_empty = top is None
        # a first build needs no look-ups while no other process has added files
        self.empty = bool(self.started_empty) and top == self.last_id

    def _commit(self) -> None:
        if self.open_since is not None:
            self.db.execute("COMMIT")
            self.open_since = None

    def flush(self, least: int = 1) -> None:
        """Write the pending files (when there are at least ``least``)."""
        if len(self.pending) < max(1, least):
            return
        self._begin()
        try:
            before = self.next_id
            self.next_id = self.corpus._write_batch(
                self.db, self.pending, self.keys, self.next_id, self.empty
            )
            if self.next_id > before:
                self.last_id = self.next_id - 1
        except BaseException:
            self._rollback()
            raise
        self.pending = []
        if time.monotonic() - (self.open_since or 0.0) > COMMIT_SECONDS:
            self._commit()

    def _rollback(self) -> None:
        if self.open_since is not None:
            self.open_since = None
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")

    def finish(self, gone: list[str], listing: _Listing, full: bool, layout: str) -> None:
        """The last batch, deleted files, directories and meta; commit."""
        db = self.db
        try:
            self.flush()
            self._begin()
            if gone:
                ids = []
                for part in chunks(gone):
                    marks = ",".join("?" * len(part))
                    ids.extend(
                        fid
                        for (fid,) in db.execute(
                            f"SELECT id FROM files WHERE path IN ({marks})",
                            [index_path(p) for p in part],
                        )
                    )
                self.corpus._remove_ids(db, ids)
            now = str(time.time())
            if listing.dirs:
                vanished = [(index_path(d),) for d, m in listing.dirs.items() if m < 0]
                db.executemany("DELETE FROM dirs WHERE path = ?", vanished)
                recorded = [(index_path(d), m) for d, m in listing.dirs.items() if m >= 0]
                if any("\x00" in d for d, _m in recorded):
                    self.corpus._mark_escaped(db)
                db.executemany("INSERT OR REPLACE INTO dirs VALUES (?, ?)", recorded)
            if full:
                old_dirs = [d for (d,) in db.execute("SELECT path FROM dirs")]
                db.executemany(
                    "DELETE FROM dirs WHERE path = ?",
                    [(index_path(d),) for d in old_dirs if d not in listing.dirs],
                )
                db.execute("INSERT OR REPLACE INTO meta VALUES ('last-full-sync', ?)", (now,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('layout', ?)", (layout,))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('last-sync', ?)", (now,))
            self._commit()
        except BaseException:
            self._rollback()
            raise
