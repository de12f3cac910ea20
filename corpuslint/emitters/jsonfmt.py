"""``json`` (one array) and ``jsonl`` (one object per line), with ruff's field names."""

from __future__ import annotations

from typing import TextIO

from corpuslint.emitters import EmitContext
from corpuslint.emitters.common import diagnostic_dict, dumps
from corpuslint.model import Diagnostic


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    if ctx.format == "jsonl":
        for d in diagnostics:
            stream.write(dumps(diagnostic_dict(d)) + "\n")
        return
    stream.write(dumps([diagnostic_dict(d) for d in diagnostics], indent=2) + "\n")
