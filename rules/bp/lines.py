"""Lines as the BP rules see them: layout, normalised forms, headline shape, deletion fixes."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from corpuslint.model import Edit, Fix

_TYPOGRAPHIC = re.compile("[’‘`“”]")
_TWO_LETTERS = re.compile(r"[^\W\d_].*?[^\W\d_]", re.DOTALL)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "`": "'", "“": '"', "”": '"', "\u00a0": " "})
# Characters that decorate marker lines ("- Advertisement -", "[Ad]", "Next »", "↑ Top").
DECORATION = " \t-–—―*•·●▪|[](){}<>«»‹›_=~#:;,.…!?/\\↑↓←→⬆⬇▲▼►▶◄\"'"
# "U.S.", "U.N.", "Jr." at the end of a headline are not a sentence's full stop.
_ABBREVIATION_END = re.compile(r"(?:\b(?:[A-Z]\.){2,}|\b(?:Jr|Sr|Inc|Ltd|Co|St|vs)\.)$")
MAX_HEADLINE_CHARS = 200
MAX_HEADLINE_WORDS = 25


class Line(NamedTuple):
    """One line: ``start``..``end`` is its text, ``next`` where the following line starts."""

    row: int  # 0-based
    start: int
    end: int
    next: int
    text: str
    blank: bool


def split_lines(text: str, starts: list[int]) -> list[Line]:
    """The document's lines from its line index (a final empty line is dropped)."""
    out = []
    n = len(starts)
    for i, start in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < n else len(text)
        if start == nxt and i == n - 1:
            break
        end = nxt
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        line = text[start:end]
        out.append(Line(i, start, end, nxt, line, not line or line.isspace()))
    return out


def normalise(text: str) -> str:
    """Whitespace collapsed and trimmed, typographic quotes made plain."""
    text = " ".join(text.split())
    return text.translate(_QUOTES) if _TYPOGRAPHIC.search(text) else text


def core(normalised: str) -> str:
    """The line without its decoration: "- Advertisement -" -> "Advertisement"."""
    return normalised.strip(DECORATION)


def has_two_letters(text: str) -> bool:
    return _TWO_LETTERS.search(text) is not None


def shorten(text: str, limit: int = 60, *, normalised: bool = False) -> str:
    """``text`` for a message: normalised, cut to ``limit`` characters."""
    if not normalised:
        text = normalise(text[: 4 * limit])
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def is_headline_like(text: str) -> bool:
    """Short, no sentence-final full stop: the shape of a linked headline."""
    text = text.strip()
    if not text or len(text) > MAX_HEADLINE_CHARS:
        return False
    if len(text.split()) > MAX_HEADLINE_WORDS or not any(c.isalpha() for c in text):
        return False
    last = text.rstrip("\"'”’)]")
    if last.endswith((":", ";", ",")):
        return False
    return not (last.endswith(".") and not _ABBREVIATION_END.search(last))


class Deleter:
    """Fixes that delete flagged lines and the blank lines their removal would leave.

    ``flagged`` are all rows that BP findings propose to delete. A run of flagged and
    blank lines between two kept lines becomes one blank line when it held one (none at
    the start or end of the file), and every blank line of the run goes with the fix of
    a neighbouring flagged line, so applying any subset of the fixes never leaves a run
    of blank lines and applying them all leaves exactly one. Runs are worked out once.
    """

    def __init__(self, lines: list[Line], flagged: set[int]):
        self.lines = lines
        self.flagged = flagged
        self._rows: dict[int, set[int]] = {}

    def fix(self, row: int, *, safe: bool, message: str) -> Fix:
        rows = self._rows.get(row)
        if rows is None:
            self._assign(row)
            rows = self._rows[row]
        lines = self.lines
        edits = [Edit.delete(lines[a].start, lines[b].next) for a, b in _ranges(rows)]
        return (Fix.safe if safe else Fix.unsafe)(*edits, message=message)

    def _assign(self, row: int) -> None:
        lines, flagged = self.lines, self.flagged
        n = len(lines)

        def gone(r: int) -> bool:
            return r == row or r in flagged or lines[r].blank

        lo = row
        while lo > 0 and gone(lo - 1):
            lo -= 1
        hi = row
        while hi < n - 1 and gone(hi + 1):
            hi += 1
        marks = [r for r in range(lo, hi + 1) if r in flagged or r == row]
        blanks = [r for r in range(lo, hi + 1) if r not in flagged and r != row]
        has_above, has_below = lo > 0, hi < n - 1
        kept = blanks[0] if (has_above and has_below and blanks) else None
        owned: dict[int, set[int]] = {m: {m} for m in marks}
        i = 0  # marks[:i] lie before the current blank line
        for b in blanks:
            while i < len(marks) and marks[i] < b:
                i += 1
            if b == kept:
                continue
            before = marks[i - 1] if i else None
            after = marks[i] if i < len(marks) else None
            if not has_below:  # end of file: blank lines go with the flagged line after them
                owner = after if after is not None else marks[-1]
            elif before is not None and not (kept is not None and before < kept < b):
                owner = before
            elif after is not None:
                owner = after
            else:
                owner = before if before is not None else marks[0]
            owned[owner].add(b)
        if row not in flagged:  # a one-off row outside the shared set: do not cache the run
            self._rows[row] = owned[row]
            return
        self._rows.update(owned)


def deletion_fix(
    lines: list[Line], flagged: set[int], row: int, *, safe: bool, message: str
) -> Fix:
    """Delete line ``row`` and the blank lines its removal would leave behind (see Deleter)."""
    return Deleter(lines, flagged).fix(row, safe=safe, message=message)


def _ranges(rows: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for r in sorted(rows):
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out
