"""Baselines: accept today's findings, fail only on new ones.

``--write-baseline FILE`` records every current finding as (file, code,
fingerprint), where the fingerprint hashes the text of the finding's line, so a
finding survives lines being added above it. ``--baseline FILE`` drops findings
that match a recorded one (as a multiset: two identical findings need two
entries). Paths are stored relative to the project root.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from corpuslint import __version__
from corpuslint.atomic import write_atomic
from corpuslint.errors import CorpuslintError
from corpuslint.model import Diagnostic

FORMAT_VERSION = 1


def fingerprint(diagnostic: Diagnostic) -> str:
    line = (diagnostic.source_line or "").strip()
    return hashlib.blake2b(
        f"{diagnostic.code}\0{line}".encode("utf-8", "surrogatepass"), digest_size=8
    ).hexdigest()


def _key(relpath: str, d: Diagnostic) -> tuple[str, str, str]:
    return (relpath, d.code, fingerprint(d))


def write_baseline(path: Path, diagnostics: list[tuple[str, Diagnostic]]) -> None:
    entries = [
        {"filename": rel, "code": d.code, "fingerprint": fingerprint(d), "message": d.message}
        for rel, d in diagnostics
    ]
    entries.sort(key=lambda e: (e["filename"], e["code"], e["fingerprint"]))
    data = {"version": FORMAT_VERSION, "tool": f"corpuslint {__version__}", "findings": entries}
    try:
        write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
    except OSError as exc:
        raise CorpuslintError(f"{path}: cannot write baseline: {exc.strerror or exc}") from None


def load_baseline(path: Path) -> Counter:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CorpuslintError(f"{path}: baseline file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpuslintError(f"{path}: cannot read baseline: {exc}") from None
    except json.JSONDecodeError as exc:
        raise CorpuslintError(f"{path}: baseline is not valid JSON: {exc}") from None
    if (
        not isinstance(data, dict)
        or data.get("version") != FORMAT_VERSION
        or not isinstance(data.get("findings"), list)
    ):
        raise CorpuslintError(f"{path}: not a corpuslint baseline (version {FORMAT_VERSION})")
    counter: Counter = Counter()
    for entry in data["findings"]:
        try:
            counter[(entry["filename"], entry["code"], entry["fingerprint"])] += 1
        except (KeyError, TypeError):
            raise CorpuslintError(f"{path}: malformed baseline entry {entry!r}") from None
    return counter


def apply_baseline(
    baseline: Counter, diagnostics: list[tuple[str, Diagnostic]]
) -> list[Diagnostic]:
    """The findings not covered by the baseline."""
    remaining = Counter(baseline)
    out = []
    for rel, d in diagnostics:
        key = _key(rel, d)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            out.append(d)
    return out
