"""``sarif``: SARIF 2.1.0 (GitHub code scanning, IDE viewers), one run.

``tool.driver`` lists the rules of the run with their documentation; each result
names its rule (``ruleId``, ``ruleIndex``), level, message, location (a URI
relative to the working directory and a region in code points:
``columnKind`` is ``unicodeCodePoints``), its fix as ``artifactChanges`` and the
finding's ``data`` under ``properties``. A finding about a whole file gets the
region ``startLine: 1`` (GitHub needs a line to show a result). Regions use
exclusive end columns, as SARIF does.
"""

from __future__ import annotations

import re
from typing import Any, TextIO
from urllib.parse import quote

from corpuslint import __version__
from corpuslint.emitters import EmitContext, rule_url
from corpuslint.emitters.common import dumps, fingerprints, jsonable
from corpuslint.model import Applicability, Diagnostic, Location, Severity

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/corpuslint/corpuslint"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)


def artifact_uri(path: str) -> str:
    """A relative URI reference for a display path (an absolute path becomes file://)."""
    raw = path.replace("\\", "/").encode("utf-8", "surrogateescape")
    encoded = quote(raw, safe="/-._~!$&'()*+,;=@")
    if path.startswith("/"):
        return "file://" + encoded
    if re.match(r"^[A-Za-z]:/", path.replace("\\", "/")):  # a Windows drive
        return "file:///" + encoded
    return encoded


def docs_sections(docs: str) -> tuple[str, dict[str, str]]:
    """A rule docstring's first line and its ``## Section`` bodies."""
    summary, _, body = docs.partition("\n")
    parts = _SECTION.split(body)
    sections = {parts[i].strip(): parts[i + 1].strip() for i in range(1, len(parts) - 1, 2)}
    return summary.strip(), sections


def rule_descriptor(code: str, name: str, rule: Any | None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": code, "name": name}
    if rule is None:
        return out
    docs = rule.docs()
    summary, sections = docs_sections(docs)
    full = sections.get("What it does") or docs.partition("\n")[2].strip() or summary
    out["shortDescription"] = {"text": summary or name}
    out["fullDescription"] = {"text": full}
    out["help"] = {"text": docs, "markdown": docs}
    out["helpUri"] = rule_url(code, name)
    out["defaultConfiguration"] = {"level": LEVEL[rule.severity]}
    out["properties"] = {
        "tags": [code.rstrip("0123456789")],
        "fixAvailability": rule.fix_availability.value,
    }
    return out


def region(start: Location, end: Location) -> dict[str, int]:
    return {
        "startLine": start.row,
        "startColumn": start.column,
        "endLine": end.row,
        "endColumn": end.column,
    }


def result(d: Diagnostic, index: int, fingerprint: str) -> dict[str, Any]:
    uri = artifact_uri(d.path)
    if d.span is None or d.location is None or d.end_location is None:
        where = {"startLine": 1}
    else:
        where = region(d.location, d.end_location)
    out: dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index,
        "level": LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": where}}],
        "partialFingerprints": {"corpuslint/v1": fingerprint},
    }
    if d.fix is not None and d.fix.edits:
        fix: dict[str, Any] = {
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": uri},
                    "replacements": [
                        {
                            "deletedRegion": region(
                                e.location or Location(1, 1), e.end_location or Location(1, 1)
                            ),
                            "insertedContent": {"text": e.content},
                        }
                        for e in d.fix.edits
                    ],
                }
            ],
            "properties": {"applicability": d.fix.applicability.value},
        }
        if d.fix.message:
            fix["description"] = {"text": d.fix.message}
        out["fixes"] = [fix]
    props: dict[str, Any] = {"name": d.name, "severity": d.severity.value}
    if d.fix is not None:
        props["fixable"] = d.fix.applicability is not Applicability.DISPLAY_ONLY
    if d.data:
        props["data"] = jsonable(d.data)
    out["properties"] = props
    return out


def sarif_log(diagnostics: list[Diagnostic], ctx: EmitContext) -> dict[str, Any]:
    names = {code: rule.name for code, rule in ctx.rules.items()}
    for d in diagnostics:
        names.setdefault(d.code, d.name)
    codes = sorted(names)
    index = {code: i for i, code in enumerate(codes)}
    rules = [rule_descriptor(code, names[code], ctx.rules.get(code)) for code in codes]
    results = [
        result(d, index[d.code], fp) for d, fp in zip(diagnostics, fingerprints(diagnostics))
    ]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "corpuslint",
                        "version": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    stream.write(dumps(sarif_log(diagnostics, ctx), indent=2) + "\n")
