"""Shared serialisation: ruff's JSON field names, plus ``severity`` and ``data``.

Also the helpers every format needs: text that can always be written as UTF-8
(undecodable bytes read with ``surrogateescape`` become ``\\xNN``), values of
``data`` made JSON-safe, and a stable fingerprint of a finding.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
import math
import re
from collections import Counter
from pathlib import PurePath
from typing import Any

from corpuslint.emitters import rule_url
from corpuslint.model import Diagnostic, Location

_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _surrogate_text(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` without lone surrogates, so that it can always be written as UTF-8."""
    if text.isascii():
        return text
    return _LONE_SURROGATE.sub(_surrogate_text, text)


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: NaN/inf become strings, sets sorted lists, ..."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((jsonable(v) for v in value), key=lambda v: (str(type(v)), str(v)))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable(dataclasses.asdict(value))
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, PurePath):
        return value.as_posix()
    return str(value)


# Characters that some line readers (str.splitlines, JavaScript) take for line breaks:
# escaped, so that one JSON value stays one line of JSON Lines for every reader.
_LINE_BREAKS = str.maketrans({"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"})


def dumps(value: Any, *, indent: int | None = None) -> str:
    """JSON text (UTF-8, not ASCII-escaped) that never holds a lone surrogate or a
    character that a reader may take for a line break."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    if text.isascii():
        return text
    # Both only occur inside JSON strings: lone surrogates are written as the text
    # \xNN, line-break characters as JSON escapes.
    text = text.translate(_LINE_BREAKS)
    return _LONE_SURROGATE.sub(lambda m: "\\" + _surrogate_text(m), text)


def location_dict(loc: Location | None) -> dict[str, int]:
    loc = loc or Location(1, 1)
    return {"row": loc.row, "column": loc.column}


def fix_dict(d: Diagnostic) -> dict[str, Any] | None:
    if d.fix is None:
        return None
    return {
        "applicability": d.fix.applicability.value,
        "message": d.fix.message,
        "edits": [
            {
                "content": e.content,
                "location": location_dict(e.location),
                "end_location": location_dict(e.end_location),
            }
            for e in d.fix.edits
        ],
    }


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    return {
        "code": d.code,
        "name": d.name,
        "message": d.message,
        "severity": d.severity.value,
        "filename": d.path,
        "location": location_dict(d.location),
        "end_location": location_dict(d.end_location),
        "fix": fix_dict(d),
        "url": rule_url(d.code, d.name),
        "data": jsonable(d.data),
    }


def fix_marker(d: Diagnostic, unsafe_fixes: bool) -> str:
    """``[*]`` when a fix would be applied by ``--fix`` (with ``--unsafe-fixes`` if given)."""
    if d.fix is not None and d.fix.is_applicable(unsafe_fixes):
        return "[*] "
    return ""


def fingerprints(diagnostics: list[Diagnostic]) -> list[str]:
    """A stable, unique id per finding (for GitLab and SARIF).

    It hashes the file, the code, the message and the text of the finding's
    line, not its row, so a finding keeps its id when lines are added above it.
    Identical findings in one file are told apart by their order.
    """
    seen: Counter[str] = Counter()
    out = []
    for d in diagnostics:
        line = (d.source_line or "").strip()
        base = f"{d.path}\0{d.code}\0{d.message}\0{line}"
        n = seen[base]
        seen[base] += 1
        h = hashlib.blake2b(digest_size=16)
        h.update(base.encode("utf-8", "surrogatepass"))
        h.update(f"\0{n}".encode())
        out.append(h.hexdigest())
    return out
