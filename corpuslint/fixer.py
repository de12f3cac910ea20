"""Applies fixes: non-overlapping edits in order, re-check, repeat until stable.

Like ruff, each pass applies every applicable fix whose edits do not overlap an
earlier one (in document order), then the document is checked again, because a
fix may reveal or remove other findings. The loop stops when no applicable fix is
left, when the text stops changing, or after ``MAX_PASSES`` passes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from corpuslint.model import Diagnostic, Edit, Fix

MAX_PASSES = 10


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """Apply the fixes that do not overlap an earlier one; return new text and those applied."""
    ordered = sorted(fixes, key=lambda f: (f.span.start, f.span.end))
    applied: list[Fix] = []
    taken: list[Edit] = []
    for fix in ordered:
        edits = sorted(fix.edits, key=lambda e: (e.span.start, e.span.end))
        if any(e.span.end > len(text) for e in edits):
            continue
        if any(e.span.overlaps(t.span) for e in edits for t in taken):
            continue
        if any(a.span.overlaps(b.span) for a, b in pairwise(edits)):
            continue
        taken.extend(edits)
        applied.append(fix)
    if not taken:
        return text, []
    taken.sort(key=lambda e: (e.span.start, e.span.end))
    out = []
    pos = 0
    for edit in taken:
        out.append(text[pos : edit.span.start])
        out.append(edit.content)
        pos = edit.span.end
    out.append(text[pos:])
    return "".join(out), applied


@dataclass
class FixOutcome:
    text: str
    passes: int = 0
    fixed: dict[str, int] = field(default_factory=dict)  # code -> number of fixes applied
    converged: bool = True


def fix_until_stable(
    text: str,
    check: Callable[[str], list[Diagnostic]],
    *,
    unsafe: bool,
    first: list[Diagnostic] | None = None,
) -> FixOutcome:
    """Fix ``text`` repeatedly; ``check`` returns the (kept) findings for a text.

    ``first`` are the findings of the first pass when the caller already has them
    (they may include corpus-wide findings that ``check`` cannot reproduce).
    """
    outcome = FixOutcome(text)
    diagnostics = first if first is not None else check(text)
    for _ in range(MAX_PASSES):
        fixes = [d.fix for d in diagnostics if d.fix is not None and d.fix.is_applicable(unsafe)]
        if not fixes:
            return outcome
        new_text, applied = apply_fixes(outcome.text, fixes)
        if not applied or new_text == outcome.text:
            return outcome
        by_fix = {id(d.fix): d.code for d in diagnostics if d.fix is not None}
        for fix in applied:
            code = by_fix.get(id(fix), "?")
            outcome.fixed[code] = outcome.fixed.get(code, 0) + 1
        outcome.text = new_text
        outcome.passes += 1
        diagnostics = check(new_text)
    outcome.converged = not any(
        d.fix is not None and d.fix.is_applicable(unsafe) for d in diagnostics
    )
    return outcome
