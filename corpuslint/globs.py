"""Glob patterns for include / exclude / per-file-ignores (``**`` crosses directories).

Patterns are matched against POSIX paths relative to the project root. A pattern
without a slash matches the file name at any depth (like .gitignore), so
``exclude = ["drafts"]`` skips every ``drafts`` directory and ``"*.bak.txt"`` any
such file.
"""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=512)
def compile_glob(pattern: str) -> re.Pattern[str]:
    pat = pattern.strip()
    if pat.startswith("./"):
        pat = pat[2:]
    anchored = "/" in pat.rstrip("/")
    pat = pat.strip("/")
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pat.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
                i += 1
            else:
                body = pat[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append("[" + body.replace("\\", "\\\\") + "]")
                i = j + 1
        else:
            out.append(re.escape(c))
            i += 1
    body = "".join(out)
    prefix = "" if anchored else "(?:.*/)?"
    # A pattern also matches everything below a directory it names.
    return re.compile(f"^{prefix}{body}(?:/.*)?$")


def validate_glob(pattern: str) -> None:
    """Raise ``re.error`` / ``ValueError`` when ``pattern`` cannot be used."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise ValueError("empty pattern")
    compile_glob(pattern)


def matches(path: str, patterns: list[str] | tuple[str, ...]) -> bool:
    return any(compile_glob(p).match(path) for p in patterns)
