"""``gitlab``: GitLab Code Quality report (a JSON array of Code Climate issues).

Each issue has ``description``, ``check_name``, ``fingerprint`` (stable across
runs: it does not depend on the row, see ``common.fingerprints``), ``severity``
(info / minor / major / critical / blocker) and ``location``: ``path`` with
``positions`` (line and column) for a span, or ``lines.begin`` 1 for a finding
about a whole file.
"""

from __future__ import annotations

from typing import Any, TextIO

from corpuslint.emitters import EmitContext, rule_url
from corpuslint.emitters.common import dumps, fingerprints
from corpuslint.model import Diagnostic, Severity

SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}
# Code Climate categories by code prefix (default: Style).
CATEGORY = {"DUP": "Duplication", "MT": "Clarity"}


def issue(d: Diagnostic, fingerprint: str) -> dict[str, Any]:
    if d.span is None or d.location is None or d.end_location is None:
        location: dict[str, Any] = {"path": d.path, "lines": {"begin": 1}}
    else:
        location = {
            "path": d.path,
            "positions": {
                "begin": {"line": d.location.row, "column": d.location.column},
                "end": {"line": d.end_location.row, "column": d.end_location.column},
            },
        }
    return {
        "type": "issue",
        "description": f"{d.code} {d.message}",
        "check_name": d.code,
        "fingerprint": fingerprint,
        "severity": SEVERITY[d.severity],
        "categories": [CATEGORY.get(d.code.rstrip("0123456789"), "Style")],
        "location": location,
        "content": {"body": f"[{d.code}]({rule_url(d.code, d.name)})"},
    }


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    issues = [issue(d, fp) for d, fp in zip(diagnostics, fingerprints(diagnostics))]
    stream.write(dumps(issues, indent=2) + "\n")
