"""``github``: GitHub Actions workflow commands, which annotate the pull request.

``::error file=F,line=L,col=C,endLine=EL,endColumn=EC,title=CODE name::message``

Severity picks the command (error, warning, notice). Values are escaped as
GitHub's runner expects: ``%``, CR and LF in the message; also ``:`` and ``,``
in properties. GitHub takes columns only on a one-line range, so a span over
several lines gets rows only; a finding about a whole file points at line 1.
"""

from __future__ import annotations

from typing import TextIO

from corpuslint.emitters import EmitContext
from corpuslint.emitters.common import printable
from corpuslint.model import Diagnostic, Location, Severity

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def properties(d: Diagnostic) -> list[tuple[str, str]]:
    props = [("file", d.path)]
    start = d.location or Location(1, 1)
    end = d.end_location or start
    if d.span is None:
        props.append(("line", "1"))
    elif start.row == end.row:
        props += [
            ("line", str(start.row)),
            ("col", str(start.column)),
            ("endLine", str(end.row)),
            ("endColumn", str(end.column)),
        ]
    else:
        props += [("line", str(start.row)), ("endLine", str(end.row))]
    props.append(("title", f"{d.code} {d.name}"))
    return props


def format_line(d: Diagnostic) -> str:
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties(d))
    return printable(f"::{COMMAND[d.severity]} {props}::{escape_data(d.message)}")


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    for d in diagnostics:
        stream.write(format_line(d) + "\n")
