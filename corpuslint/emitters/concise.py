"""``path:row:col: CODE [*] message``, one line per finding, then a summary."""

from __future__ import annotations

from typing import TextIO

from corpuslint.emitters import EmitContext
from corpuslint.emitters.common import fix_marker, printable
from corpuslint.model import Applicability, Diagnostic, Location

# One finding per line, whatever a message or path holds: control characters
# (a newline, an escape sequence) are shown as their Unicode pictures (␊, ␛).
_CONTROL_PICTURES = {c: 0x2400 + c for c in range(0x20) if c != 0x09} | {0x7F: 0x2421}


def format_line(d: Diagnostic, unsafe_fixes: bool = False) -> str:
    loc = d.location or Location(1, 1)
    line = f"{d.path}:{loc.row}:{loc.column}: {d.code} {fix_marker(d, unsafe_fixes)}{d.message}"
    return printable(line).translate(_CONTROL_PICTURES)


def summary(diagnostics: list[Diagnostic], ctx: EmitContext) -> list[str]:
    """ruff's closing lines: how many findings, how many fixable."""
    lines = []
    n = len(diagnostics)
    if ctx.fixed:
        lines.append(
            f"Found {n + ctx.fixed} finding{'s' if n + ctx.fixed != 1 else ''} "
            f"({ctx.fixed} fixed, {n} remaining)."
        )
    elif n:
        lines.append(f"Found {n} finding{'s' if n != 1 else ''}.")
    elif not ctx.fixed:
        lines.append("All checks passed!")
    safe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.UNSAFE)
    if ctx.unsafe_fixes:
        safe, unsafe = safe + unsafe, 0
    if safe:
        lines.append(
            f"[*] {safe} fixable with the `--fix` option"
            + (
                f" ({unsafe} hidden fixes can be enabled with the `--unsafe-fixes` option)."
                if unsafe
                else "."
            )
        )
    elif unsafe:
        lines.append(
            f"No fixes available ({unsafe} hidden fixes can be enabled with the "
            "`--unsafe-fixes` option)."
        )
    return lines


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    for d in diagnostics:
        stream.write(format_line(d, ctx.unsafe_fixes) + "\n")
    if not ctx.quiet:
        for line in summary(diagnostics, ctx):
            stream.write(line + "\n")
