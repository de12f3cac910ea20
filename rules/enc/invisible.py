"""Invisible characters: a table of what they are and where they are legitimate.

Each row names a character (or range), how it is described, whether deleting it
is safe, and the context in which it is correct Unicode and must not be flagged
at all: a zero-width joiner inside an emoji sequence (👨‍👩‍👧), a zero-width
non-joiner in Persian (می‌خواهم) or an Indic script, a zero-width space in Thai
or Khmer (which write no spaces between words), a bidi mark within a few
characters of Arabic or Hebrew letters, a Hangul filler among Hangul jamo.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from corpuslint.rules.enc.lines import Lines


@dataclass(frozen=True)
class Invisible:
    first: int
    last: int
    name: str
    safe: bool  # deleting it never changes what a reader sees or means
    legit_in: str | None = None  # context where it is correct: not flagged at all
    unsafe_in: str | None = None  # context where deleting it may change the meaning


# (first, last, description, safe to delete, context where it is legitimate)
TABLE: tuple[Invisible, ...] = (
    Invisible(0x00AD, 0x00AD, "soft hyphen", True),
    Invisible(0x061C, 0x061C, "Arabic letter mark", True, "rtl-near"),
    Invisible(0x115F, 0x1160, "Hangul filler", True, "hangul"),
    Invisible(0x180E, 0x180E, "Mongolian vowel separator", True, "mongolian"),
    Invisible(0x200B, 0x200B, "zero-width space", True, "no-space-script"),
    Invisible(0x200C, 0x200C, "zero-width non-joiner", False, "joining-script"),
    Invisible(0x200D, 0x200D, "zero-width joiner", False, "joiner"),
    Invisible(0x200E, 0x200F, "directional mark", True, "rtl-near"),
    Invisible(0x202A, 0x202C, "bidi embedding control", True, "rtl-near"),
    # An override in a line of Arabic or Hebrew may be deliberate: flagged, but unsafe.
    Invisible(0x202D, 0x202E, "bidi override", True, None, "rtl-near"),
    Invisible(0x2060, 0x2060, "word joiner", True),
    Invisible(0x2061, 0x2064, "invisible operator or separator", True),
    Invisible(0x2066, 0x2069, "bidi isolate", True, "rtl-near"),
    Invisible(0x206A, 0x206F, "deprecated format character", True),
    Invisible(0x3164, 0x3164, "Hangul filler", True, "hangul"),
    Invisible(0xFEFF, 0xFEFF, "byte order mark (zero-width no-break space)", True),
    Invisible(0xFFA0, 0xFFA0, "halfwidth Hangul filler", True, "hangul"),
    Invisible(0xFFF9, 0xFFFB, "interlinear annotation character", True),
)


def _class(rows) -> str:
    parts = []
    for row in rows:
        first, last = chr(row.first), chr(row.last)
        parts.append(re.escape(first) if first == last else f"{re.escape(first)}-{re.escape(last)}")
    return "[" + "".join(parts) + "]"


INVISIBLE_RUN = re.compile(_class(TABLE) + "+")
# A single character class without a repeat lets the regex engine skip through
# text several times faster than the run pattern: used to rule texts out.
INVISIBLE_CHAR = re.compile(_class(TABLE))
_STARTS = [row.first for row in TABLE]


def describe(ch: str) -> Invisible:
    row = TABLE[bisect_right(_STARTS, ord(ch)) - 1]
    assert row.first <= ord(ch) <= row.last
    return row


def _ranges(*pairs: tuple[int, int]):
    flat: list[int] = []
    for first, last in sorted(pairs):
        flat.extend((first, last + 1))
    return flat


def _in(ranges: list[int], ch: str) -> bool:
    return bool(ch) and bisect_right(ranges, ord(ch)) % 2 == 1


# Scripts that use ZWJ / ZWNJ to control joining and conjuncts.
_JOINING = _ranges(
    (0x0600, 0x08FF),  # Arabic, Syriac, Thaana, NKo, ...
    (0x0900, 0x0DFF),  # Devanagari ... Sinhala
    (0x0F00, 0x109F),  # Tibetan, Myanmar
    (0x1780, 0x18AF),  # Khmer, Mongolian
    (0xA800, 0xA8FF),
    (0xA980, 0xA9DF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFE),
    (0x11000, 0x111FF),  # Brahmi, Kaithi, Chakma, Sharada
)
# Scripts written without spaces between words, whose writers mark word and
# line-break points with ZWSP. (Chinese and Japanese need no such marks: line
# breaking between ideographs is the default, so a ZWSP there is debris.)
_NO_SPACE = _ranges(
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x1A20, 0x1AAF),  # Tai Tham
    (0x1B00, 0x1B7F),  # Balinese
    (0xA980, 0xA9DF),  # Javanese
)
_EMOJI = _ranges(
    (0x00A9, 0x00A9),
    (0x00AE, 0x00AE),
    (0x203C, 0x203C),
    (0x2049, 0x2049),
    (0x2122, 0x2122),
    (0x2139, 0x2139),
    (0x2194, 0x21AA),
    (0x231A, 0x23FF),
    (0x24C2, 0x24C2),
    (0x25AA, 0x25FE),
    (0x2600, 0x27BF),
    (0x2934, 0x2935),
    (0x2B05, 0x2B55),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0x3297, 0x3299),
    (0xFE0E, 0xFE0F),  # variation selectors (❤️‍🔥 has VS16 before the ZWJ)
    (0x1F000, 0x1FAFF),
    (0xE0020, 0xE007F),  # tag characters of subdivision flags
)
_HANGUL = _ranges((0x1100, 0x11FF), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7FF))
_MONGOLIAN = _ranges(
    (0x1800, 0x18AF),
)


def _either(ranges, before: str, after: str) -> bool:
    return _in(ranges, before) or _in(ranges, after)


_RTL_CHAR = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe\U00010800-\U00010fff\U0001e800-\U0001efff]"
)


# Directional controls matter where the direction changes: next to right-to-left
# letters. Far from any (an LRM after an English word in an English sentence
# that quotes an Arabic name elsewhere), they are debris.
RTL_REACH = 8


def in_context(context: str | None, before: str, after: str, rtl_near: bool) -> bool:
    """True when a character between ``before`` and ``after`` stands in ``context``."""
    if context is None:
        return False
    if context == "joiner":  # ZWJ: emoji sequences and joining scripts
        return (_in(_EMOJI, before) and _in(_EMOJI, after)) or _either(_JOINING, before, after)
    if context == "joining-script":
        return _either(_JOINING, before, after)
    if context == "no-space-script":
        return _either(_NO_SPACE, before, after)
    if context == "rtl-near":
        return rtl_near
    if context == "hangul":
        return _either(_HANGUL, before, after)
    if context == "mongolian":
        return _either(_MONGOLIAN, before, after)
    raise ValueError(context)


@dataclass(frozen=True)
class InvisibleRun:
    start: int
    end: int
    chars: str
    names: tuple[str, ...]
    safe: bool


def find_invisible(text: str) -> list[InvisibleRun]:
    """Runs of invisible characters that are not legitimate where they stand."""
    if text.isascii() or not INVISIBLE_CHAR.search(text):
        return []
    out: list[InvisibleRun] = []
    lines = Lines(text)
    for m in INVISIBLE_RUN.finditer(text):
        start, end = m.span()
        if start == 0 and text[0] == "\ufeff":  # a leading BOM is FMT004's
            start += 1
            if start == end:
                continue
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        line_start, line_end = lines.bounds(start)
        lo, hi = max(line_start, start - RTL_REACH), min(line_end, end + RTL_REACH)
        rtl = bool(_RTL_CHAR.search(text, lo, hi))
        kept = []
        for i in range(start, end):
            row = describe(text[i])
            if not in_context(row.legit_in, before, after, rtl):
                safe = row.safe and not in_context(row.unsafe_in, before, after, rtl)
                kept.append((i, row, safe))
        if not kept:
            continue
        # Report the flagged characters as contiguous runs.
        group: list[tuple[int, Invisible, bool]] = []
        for item in kept:
            if group and item[0] != group[-1][0] + 1:
                out.append(_run(text, group))
                group = []
            group.append(item)
        out.append(_run(text, group))
    return out


def _run(text: str, group) -> InvisibleRun:
    start, end = group[0][0], group[-1][0] + 1
    names = tuple(dict.fromkeys(f"U+{ord(text[i]):04X} {row.name}" for i, row, _ in group))
    return InvisibleRun(start, end, text[start:end], names, all(safe for _, _, safe in group))
