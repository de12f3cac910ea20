"""Which files a run checks: paths from the command line, directories walked,
``include`` / ``exclude`` applied to paths relative to the project root.

A file named explicitly is checked even if ``include`` would not pick it (pre-commit
passes exactly the files to check), unless it matches ``exclude`` and
``force-exclude`` is on. Directory symlinks are not followed (no loops); a FIFO,
socket or device found while walking is skipped, never opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import FrozenInstanceError
from pathlib import Path

from corpuslint.config import ALWAYS_EXCLUDED_DIRS, Settings
from corpuslint.errors import CorpuslintError
from corpuslint.globs import compile_glob, matches

STDIN = "-"


class FileEntry:
    """A file to check: its display path (as in findings) and where it lives.

    ``abspath`` is the absolute path as a string; ``path`` gives it as a ``Path``
    (built on access: a walk of a large corpus makes one entry per file, and a
    ``Path`` object each would cost more than the walk). Immutable, hashable and
    ordered like a tuple ``(display, path, relpath)``.
    """

    __slots__ = ("abspath", "display", "relpath")

    display: str
    abspath: str  # absolute
    relpath: str  # POSIX path relative to the project root (for globs)

    def __init__(self, display: str, path: str | os.PathLike[str], relpath: str) -> None:
        set_ = object.__setattr__
        set_(self, "display", display)
        set_(self, "abspath", os.fspath(path))
        set_(self, "relpath", relpath)

    @property
    def path(self) -> Path:
        """The absolute path."""
        return Path(self.abspath)

    def _tuple(self) -> tuple[str, str, str]:
        return (self.display, self.abspath, self.relpath)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[type[FileEntry], tuple[str, str, str]]:
        return (FileEntry, self._tuple())

    def __repr__(self) -> str:
        return (
            f"FileEntry(display={self.display!r}, path={self.abspath!r}, relpath={self.relpath!r})"
        )

    def __eq__(self, other: object) -> bool:
        return self._tuple() == other._tuple() if isinstance(other, FileEntry) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __lt__(self, other: FileEntry) -> bool:
        return self._tuple() < other._tuple()

    def __le__(self, other: FileEntry) -> bool:
        return self._tuple() <= other._tuple()

    def __gt__(self, other: FileEntry) -> bool:
        return self._tuple() > other._tuple()

    def __ge__(self, other: FileEntry) -> bool:
        return self._tuple() >= other._tuple()


def display_path(path: Path, cwd: Path | None = None) -> str:
    cwd = cwd or Path.cwd()
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def root_relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix().lstrip("/")


def _absolute(path: Path) -> Path:
    # Normalise without resolving symlinks of the file itself.
    return Path(os.path.abspath(path))


def _relative_str(path: str, base: str) -> str | None:
    """``path`` below ``base`` as a POSIX relative path (strings, no pathlib: hot loop)."""
    prefix = base if base.endswith(os.sep) else base + os.sep
    if not path.startswith(prefix):
        return None
    rel = path[len(prefix) :]
    return rel if os.sep == "/" else rel.replace(os.sep, "/")


def _iter_files(directory: Path, settings: Settings) -> Iterator[tuple[str, str, os.DirEntry]]:
    """(absolute path, root-relative path, directory entry) of every included, not
    excluded, regular file below ``directory``.

    Works on strings: every check walks the whole corpus to keep the index in
    sync, and Path objects per file cost more than the walk itself.
    """
    root = str(settings.root)
    include = [compile_glob(p) for p in settings.include]
    exclude = [compile_glob(p) for p in settings.exclude]

    def relative(path: str) -> str:
        rel = _relative_str(path, root)
        return rel if rel is not None else root_relative(Path(path), settings.root)

    stack = [str(_absolute(directory))]
    while stack:
        current = stack.pop()
        try:
            with os.scandir(current) as it:
                entries = list(it)
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name in ALWAYS_EXCLUDED_DIRS:
                        continue
                    if exclude and any(p.match(relative(entry.path)) for p in exclude):
                        continue
                    stack.append(entry.path)
                elif entry.is_file():  # follows file symlinks; FIFOs are not files
                    rel = relative(entry.path)
                    if not any(p.match(rel) for p in include):
                        continue
                    if exclude and any(p.match(rel) for p in exclude):
                        continue
                    yield entry.path, rel, entry
            except OSError:
                continue


def walk(directory: Path, settings: Settings, cwd: Path) -> list[FileEntry]:
    """All included, not excluded, regular files below ``directory``."""
    base = str(cwd)
    out: list[FileEntry] = []
    for path, rel, _entry in _iter_files(directory, settings):
        display = _relative_str(path, base)
        if display is None:
            display = display_path(Path(path), cwd)
        out.append(FileEntry(display, path, rel))
    return out


def discover(paths: list[str], settings: Settings, cwd: Path | None = None) -> list[FileEntry]:
    """Expand command-line paths into the sorted list of files to check."""
    cwd = cwd or Path.cwd()
    found: dict[str, FileEntry] = {}  # by absolute path
    for arg in paths:
        path = _absolute(cwd / arg)
        try:
            st = path.stat()
        except FileNotFoundError:
            raise CorpuslintError(f"{arg}: no such file or directory") from None
        except OSError as exc:
            raise CorpuslintError(f"{arg}: {exc.strerror or exc}") from None
        if stat.S_ISDIR(st.st_mode):
            for entry in walk(path, settings, cwd):
                found.setdefault(entry.abspath, entry)
        elif stat.S_ISREG(st.st_mode):
            rel = root_relative(path, settings.root)
            if settings.force_exclude and settings.exclude and matches(rel, settings.exclude):
                continue
            found.setdefault(str(path), FileEntry(display_path(path, cwd), path, rel))
        else:
            raise CorpuslintError(f"{arg}: not a regular file or directory")
    # FileEntry's order, compared as tuples (faster than FileEntry.__lt__)
    return sorted(found.values(), key=FileEntry._tuple)


def corpus_files(settings: Settings, cwd: Path | None = None) -> list[FileEntry]:
    """Every file of the configured corpus roots (include / exclude applied)."""
    cwd = cwd or Path.cwd()
    found: dict[str, FileEntry] = {}
    for root in settings.corpus or ():
        if root.is_dir():
            for entry in walk(root, settings, cwd):
                found.setdefault(entry.abspath, entry)
        elif root.is_file():
            found.setdefault(
                str(root),
                FileEntry(display_path(root, cwd), root, root_relative(root, settings.root)),
            )
    return sorted(found.values(), key=FileEntry._tuple)
