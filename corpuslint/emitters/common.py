"""Shared serialisation: ruff's JSON field names, plus ``severity`` and ``data``."""

from __future__ import annotations

from typing import Any

from corpuslint.emitters import rule_url
from corpuslint.model import Diagnostic, Location


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
        "data": d.data,
    }


def fix_marker(d: Diagnostic, unsafe_fixes: bool) -> str:
    """``[*]`` when a fix would be applied by ``--fix`` (with ``--unsafe-fixes`` if given)."""
    if d.fix is not None and d.fix.is_applicable(unsafe_fixes):
        return "[*] "
    return ""
