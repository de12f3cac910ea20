"""Output formats, one module each; rules never format output.

An emitter module has ``emit(diagnostics, ctx, stream)``. Modules are imported
only when their format is asked for.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TextIO

if TYPE_CHECKING:
    from corpuslint.model import Diagnostic
    from corpuslint.rule import Rule

# output-format name -> module under corpuslint.emitters
FORMATS = {
    "concise": "concise",
    "full": "full",
    "json": "jsonfmt",
    "jsonl": "jsonfmt",
    "github": "github",
    "sarif": "sarif",
    "junit": "junit",
    "gitlab": "gitlab",
}
DOCS_URL = "https://github.com/corpuslint/corpuslint/blob/main/docs/rules.md"


def rule_url(code: str, name: str) -> str:
    return f"{DOCS_URL}#{code.lower()}-{name}"


@dataclass
class EmitContext:
    """What an emitter may need besides the findings."""

    format: str
    rules: dict[str, type[Rule]] = field(default_factory=dict)  # code -> rule class
    files: int = 0  # number of files checked
    paths: list[str] | None = None  # display paths of the files checked, when known
    unsafe_fixes: bool = False  # whether unsafe fixes count as available ([*])
    fixed: int = 0  # fixes applied in this run
    quiet: bool = False
    color: bool = False
    root: str = "."


class Emitter(Protocol):
    def emit(self, diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None: ...


def get_emitter(fmt: str) -> Emitter:
    try:
        module = FORMATS[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r}") from None
    return importlib.import_module(f"corpuslint.emitters.{module}")  # type: ignore[return-value]
