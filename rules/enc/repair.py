"""One mojibake repair: a span of text and what it becomes."""

from __future__ import annotations

import re
from dataclasses import dataclass

_C1 = re.compile("[\x80-\x9f]")


@dataclass(frozen=True)
class Repair:
    """One span that is rewritten: ``text[start:end]`` becomes ``fixed``.

    ``source`` is ``"ftfy"`` for ftfy's own repairs and ``"embedded"`` for
    mojibake embedded in otherwise correct text that ftfy leaves alone, or
    repairs wrongly (``embedded.py``); those are never safe.
    """

    start: int
    end: int
    original: str
    fixed: str
    plan: tuple[tuple[str, str], ...]
    safe: bool
    source: str = "ftfy"
    # ftfy repaired the whole line with one re-encoding (not piecewise with
    # decode_inconsistent_utf8, whose pieces can cut a sequence in two).
    whole_line: bool = True
    # For an embedded repair that replaces ftfy's piecewise ones: what ftfy wrote.
    ftfy_text: str | None = None

    @property
    def c1_only(self) -> bool:
        """True when the span is nothing but C1 controls (ENC006's, not ENC001's)."""
        return bool(self.original) and _C1.sub("", self.original) == ""
