"""``--statistics`` for the JSON formats: one object per rule, as ruff writes it.

``[{"code", "name", "count", "fixable"}]`` (``jsonl``: one object per line), most
frequent first. The other formats get ``check``'s text table.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, TextIO

from corpuslint.emitters.common import dumps
from corpuslint.model import Diagnostic


def statistics(diagnostics: list[Diagnostic], unsafe_fixes: bool) -> list[dict[str, Any]]:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = {
        d.code for d in diagnostics if d.fix is not None and d.fix.is_applicable(unsafe_fixes)
    }
    return [
        {"code": code, "name": name, "count": n, "fixable": code in fixable}
        for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ]


def emit_json(diagnostics: list[Diagnostic], fmt: str, unsafe_fixes: bool, stream: TextIO) -> None:
    rows = statistics(diagnostics, unsafe_fixes)
    if fmt == "jsonl":
        for row in rows:
            stream.write(dumps(row) + "\n")
        return
    stream.write(dumps(rows, indent=2) + "\n")
