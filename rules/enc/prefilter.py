"""Which lines could hold mojibake: a fast, exact-enough pre-filter for ftfy.

UTF-8 decoded in a single-byte encoding always leaves a complete UTF-8 sequence
as that encoding shows it: a *lead* character (what bytes C0-F4 decode to)
followed by the right number of *continuation* characters (bytes 80-BF), or a
C1 control. ftfy can only change a line that holds one (allowing for its own
stand-ins: a space for a lost no-break space, "?" or U+FFFD for a lost byte).
``candidate_segments`` yields the lines (ftfy's segments) that do; every
other line is left alone without importing ftfy.
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import lru_cache

# The single-byte encodings ftfy tries (``ftfy.chardata.CHARMAP_ENCODINGS``,
# without the "sloppy-" variants, whose extra characters are the C1 range).
_ENCODINGS = (
    "latin-1",
    "cp1252",
    "cp1251",
    "cp1250",
    "cp1253",
    "cp1254",
    "cp1257",
    "iso-8859-2",
    "mac_roman",
    "cp437",
)
# ftfy's segments: fix_text never fixes more than this many characters at once.
MAX_SEGMENT = 1_000_000


def _decoded(byte_values: range | tuple[int, ...], encodings=_ENCODINGS) -> set[str]:
    chars: set[str] = set()
    for encoding in encodings:
        for value in byte_values:
            with suppress(UnicodeDecodeError):
                chars.add(bytes([value]).decode(encoding))
    return chars


def _char_class(chars: set[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(chars)) + "]"


_C1_CHARS = {chr(i) for i in range(0x80, 0xA0)}
# Continuation bytes, plus U+FFFD, which ftfy's sloppy codecs use for a lost byte.
_CONT = _decoded(range(0x80, 0xC0)) | _C1_CHARS | {"\ufffd"}
# Where ftfy's restore_byte_a0 accepts a space for byte A0 (chardata.ALTERED_UTF8_RE
# and fixes.A_GRAVE_WORD_RE): lead bytes allowing it at continuation position 1,
# 2 and 3. Never in MacRoman, where ftfy does not try it.
_A0_AT = (
    frozenset((0xC2, 0xC3, 0xC5, 0xCE, 0xD0, 0xD9, 0xE2, 0xE3, 0xF0)),
    frozenset((0xE0, 0xE1, 0xE2, 0xE3, 0xF0)),
    frozenset((0xF0,)),
)
# Lead bytes after which its lossy-sequence repair accepts "?" for a lost byte.
_Q_LEADS = frozenset((0xC2, 0xC3, *range(0xE0, 0xF5)))


def _leads(lo: int, hi: int, only=None, encodings=_ENCODINGS) -> set[str]:
    values = [v for v in range(lo, hi + 1) if v != 0xC1 and (only is None or v in only)]
    return _decoded(values, encodings)


def _build_scans() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Where a UTF-8 sequence as some single-byte encoding shows it may start.

    Three scans, each a single character class with look-arounds, which the
    regex engine runs at hundreds of MB/s (an alternation of classes is ~15x
    slower), each keyed on the rarer character of its pair:

    * a continuation character or C1 control right after a lead (leads are
      common letters, every Cyrillic letter is one in cp1251; continuations
      are rarer);
    * a lead that ftfy lets a space complete (restore_byte_a0), keyed on the
      lead, since spaces are everywhere;
    * a "?" standing for a lost byte after a lead (replace_lossy_sequences).

    ``_possible`` then checks the whole sequence in each encoding.
    """
    not_mac = tuple(e for e in _ENCODINGS if e != "mac_roman")
    cont = _char_class(_CONT)
    leads = _char_class(_leads(0xC0, 0xF4))
    after_lead = re.compile(f"{cont}(?:(?<={_char_class(_C1_CHARS)})|(?<={leads}{cont}))")
    space_after = re.compile(_char_class(_leads(0xC0, 0xF4, _A0_AT[0], not_mac)) + "(?= )")
    q_after = re.compile(f"\\?(?<={_char_class(_leads(0xC0, 0xF4, _Q_LEADS))}\\?)")
    return after_lead, space_after, q_after


def _build_leads() -> dict[str, tuple[tuple[frozenset[str], ...], ...]]:
    """For each lead character: what each continuation may be, per sequence length."""
    leads: dict[str, list[tuple[frozenset[str], ...]]] = {}
    for encoding in _ENCODINGS:
        conts = frozenset(_decoded(range(0x80, 0xC0), (encoding,)) | _C1_CHARS | {"\ufffd"})
        for value in range(0xC0, 0xF5):
            decoded = _decoded((value,), (encoding,))
            if value == 0xC1 or not decoded:
                continue
            length = 2 if value < 0xE0 else 3 if value < 0xF0 else 4
            positions = []
            for i in range(length - 1):
                allowed = conts
                if value == 0xC0:  # C0 80: Java's "modified UTF-8" NUL, which ftfy decodes
                    allowed = frozenset(_decoded((0x80,), (encoding,)))
                if encoding != "mac_roman" and value in _A0_AT[i]:
                    allowed = allowed | {" "}
                if value in _Q_LEADS:
                    allowed = allowed | {"?"}
                positions.append(allowed)
            leads.setdefault(decoded.pop(), []).append(tuple(positions))
    # One option per sequence length, its positions merged over the encodings:
    # a little looser, much faster, still never missing a real sequence.
    merged: dict[str, tuple[tuple[frozenset[str], ...], ...]] = {}
    for lead, options in leads.items():
        by_length: dict[int, list[frozenset[str]]] = {}
        for positions in options:
            current = by_length.setdefault(len(positions), list(positions))
            for i, allowed in enumerate(positions):
                current[i] = current[i] | allowed
        merged[lead] = tuple(tuple(p) for p in by_length.values())
    return merged


@lru_cache(maxsize=1)
def _tables():
    """The scans and the lead table, built on the first non-ASCII text (~10 ms)."""
    return _build_scans(), _build_leads()


def _possible(text: str, start: int) -> bool:
    """True when a complete UTF-8 sequence (as some encoding shows it) starts here.

    The pre-filter only sees a lead and the next character; a lead of a
    three-byte sequence followed by one continuation and a letter is no UTF-8,
    which is what Russian, Greek or Czech text looks like in cp1251, cp1253 or
    cp1250 terms (``лё`` + letter). Such lines cannot change.
    """
    lead = text[start]
    if lead in _C1_CHARS:
        return True
    for positions in _tables()[1].get(lead, ()):
        end = start + 1 + len(positions)
        if end > len(text):
            continue
        for i, allowed in enumerate(positions, start + 1):
            if text[i] not in allowed:
                break
        else:
            return True
    return False


def candidate_segments(text: str):
    """Yield ``(start, end)`` of each ftfy segment that holds a possible sequence."""
    if text.isascii():
        return
    scans = _tables()[0]
    # The next hit of each scan; the earliest is taken, as the offset of its lead.
    nexts = [scan.search(text, 0) for scan in scans]
    while True:
        live = [i for i, m in enumerate(nexts) if m is not None]
        if not live:
            return
        kind = min(live, key=lambda i: nexts[i].start())
        at = nexts[kind].start()
        nexts[kind] = scans[kind].search(text, at + 1)
        if kind == 0:  # a continuation after a lead, or a C1 control
            hit = at if text[at] in _C1_CHARS else at - 1
        else:  # the lead itself (space scan), or the "?" after it
            hit = at if kind == 1 else at - 1
        if not _possible(text, hit):
            continue
        line_start = text.rfind("\n", 0, hit) + 1
        line_end = text.find("\n", hit)
        line_end = len(text) if line_end < 0 else line_end + 1
        if line_end - line_start <= MAX_SEGMENT:
            start, end = line_start, line_end
        else:  # fix_text cuts long lines every MAX_SEGMENT characters from the line start
            start = line_start + (hit - line_start) // MAX_SEGMENT * MAX_SEGMENT
            end = min(start + MAX_SEGMENT, line_end)
        yield start, end
        for i, m in enumerate(nexts):
            if m is not None and m.start() < end:
                nexts[i] = scans[i].search(text, end)
