"""``json`` (one array) and ``jsonl`` (one object per line), with ruff's field names."""

from __future__ import annotations

import json
from typing import TextIO

from corpuslint.emitters import EmitContext
from corpuslint.emitters.common import diagnostic_dict
from corpuslint.model import Diagnostic


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    if ctx.format == "jsonl":
        for d in diagnostics:
            stream.write(json.dumps(diagnostic_dict(d), ensure_ascii=False) + "\n")
        return
    json.dump([diagnostic_dict(d) for d in diagnostics], stream, indent=2, ensure_ascii=False)
    stream.write("\n")
