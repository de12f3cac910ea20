"""Atomic file writes: a temporary file in the same directory, then a rename.

A reader sees either the old file or the new one, never half of either; the
file's permission bits are kept. If the write fails at any point the original is
left untouched and the temporary file is removed.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from corpuslint.fsutil import unlink_quietly


class FileChangedError(OSError):
    """The file changed on disk after it was read; nothing was written."""


def _check_unchanged(path: Path, expect: bytes) -> None:
    try:
        current = path.read_bytes()
    except OSError as exc:
        raise FileChangedError(f"cannot re-read before writing: {exc.strerror or exc}") from exc
    if current != expect:
        raise FileChangedError("changed on disk since it was read; not written")


def write_atomic(path: Path, data: bytes, *, expect: bytes | None = None) -> None:
    """Replace ``path`` with ``data``.

    With ``expect``, the current content is compared first and the write is
    refused (``FileChangedError``) if someone else changed the file meanwhile.
    """
    path = Path(os.path.realpath(path))  # write through a symlink, never replace it
    try:
        st = os.stat(path)
        mode = stat.S_IMODE(st.st_mode)
    except FileNotFoundError:
        st = None
        mode = 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".corpuslint.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if st is not None and hasattr(os, "chown"):
            with contextlib.suppress(OSError):  # keep the owner where we may
                os.chown(tmp, st.st_uid, st.st_gid)
        if expect is not None:  # as late as possible: right before the rename
            _check_unchanged(path, expect)
        os.replace(tmp, path)
    except BaseException:
        unlink_quietly(tmp)
        raise
