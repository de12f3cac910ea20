"""Applies fixes: non-overlapping edits in order, re-check, repeat until stable.

Like ruff, each pass applies every applicable fix whose edits do not overlap an
earlier one (in document order), then the document is checked again, because a
fix may reveal or remove other findings. The loop stops when no applicable fix is
left, when the text stops changing, or after ``MAX_PASSES`` passes.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from corpuslint.model import Diagnostic, Edit, Fix

MAX_PASSES = 10


class _Taken:
    """Edits accepted so far, sorted by start: overlap tests by bisection, so that a
    file with hundreds of thousands of fixes is not checked pairwise (quadratic).

    Accepted edits never overlap one another, so their starts are distinct and their
    ends grow with their starts: only the last edit starting before a new one, and
    those starting inside it, can overlap it.
    """

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.edits: list[Edit] = []

    def overlaps(self, edit: Edit) -> bool:
        span = edit.span
        i = bisect_left(self.starts, span.start)
        if i > 0 and self.edits[i - 1].span.overlaps(span):
            return True
        while i < len(self.starts) and self.starts[i] <= span.end:
            if self.edits[i].span.overlaps(span):
                return True
            i += 1
        return False

    def add(self, edit: Edit) -> None:
        i = bisect_left(self.starts, edit.span.start)
        self.starts.insert(i, edit.span.start)
        self.edits.insert(i, edit)


def apply_fixes(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """Apply the fixes that do not overlap an earlier one; return new text and those applied."""
    ordered = sorted(fixes, key=lambda f: (f.span.start, f.span.end))
    applied: list[Fix] = []
    accepted = _Taken()
    for fix in ordered:
        edits = sorted(fix.edits, key=lambda e: (e.span.start, e.span.end))
        if any(e.span.end > len(text) for e in edits):
            continue
        if any(accepted.overlaps(e) for e in edits):
            continue
        if any(a.span.overlaps(b.span) for a, b in pairwise(edits)):
            continue
        for e in edits:
            accepted.add(e)
        applied.append(fix)
    taken = accepted.edits
    if not taken:
        return text, []
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
