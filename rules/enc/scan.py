"""What the ENC rules share about one document, computed once.

Mojibake repairs (ftfy) are the expensive part and several rules need them to
avoid reporting one glitch twice: a C1 control or a U+FFFD inside a mojibake
span belongs to ENC001, not to ENC006 or ENC002. The repairs are cached on the
document (``doc.meta``), so whichever ENC rule runs first pays for them.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass, field

from corpuslint.rules.enc.mojibake import find_repairs
from corpuslint.rules.enc.repair import Repair

from corpuslint.document import Document

_KEY = "corpuslint.rules.enc.repairs"


@dataclass
class Repairs:
    """The mojibake repairs of one text, with a fast "is this offset inside one?"."""

    items: list[Repair]
    _starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._starts = [r.start for r in self.items]

    def covering(self, start: int, end: int) -> Repair | None:
        """The repair that overlaps ``[start, end)``, if any."""
        # Repairs do not overlap: only the last one starting before ``end`` can.
        i = bisect_right(self._starts, max(start, end - 1)) - 1
        if i >= 0 and self.items[i].end > start:
            return self.items[i]
        return None

    def outside(self, start: int, end: int) -> list[tuple[int, int]]:
        """The parts of ``[start, end)`` that no repair covers."""
        parts = []
        i = max(0, bisect_right(self._starts, start) - 1)
        pos = start
        while pos < end and i < len(self.items):
            repair = self.items[i]
            if repair.end <= pos:
                i += 1
                continue
            if repair.start >= end:
                break
            if repair.start > pos:
                parts.append((pos, repair.start))
            pos = max(pos, repair.end)
            i += 1
        if pos < end:
            parts.append((pos, end))
        return parts


def repairs(doc: Document) -> Repairs:
    cached = doc.meta.get(_KEY)
    if cached is None or cached[0] is not doc.text:
        cached = (doc.text, Repairs(find_repairs(doc.text)))
        doc.meta[_KEY] = cached
    return cached[1]


def show(text: str, limit: int = 40, *, marks: bool = False) -> str:
    """A span for a message: quoted, control and invisible characters escaped
    (combining marks too when ``marks``)."""
    head = text[:limit]
    more = "..." if len(text) > limit else ""
    # Printable text without marks, quotes or backslashes needs no escaping (most spans).
    if head.isprintable() and '"' not in head and "\\" not in head and not marks:
        return '"' + head + more + '"'
    out = []
    for ch in head:
        cp = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif cp < 0x20 or 0x7F <= cp < 0xA0 or _invisible(ch, marks):
            out.append(f"\\u{cp:04x}" if cp > 0xFF else f"\\x{cp:02x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + more + '"'


def _invisible(ch: str, marks: bool) -> bool:
    category = unicodedata.category(ch)
    return category in ("Cf", "Zl", "Zp", "Cs") or ch == "\xa0" or (marks and category == "Mn")
