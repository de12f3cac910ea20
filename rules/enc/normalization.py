"""Spans of text that NFC normalisation changes.

``unicodedata.is_normalized`` answers for the whole text at C speed; only when it
says no are the changing spans located. A text splits into segments that
normalise independently at every character that is a *stable starter*
(combining class 0, NFC quick-check Yes, and never the second half of a
composition): normalising each segment on its own gives the same result as
normalising the whole. Changed segments of one word form one finding.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from corpuslint.rules.enc.lines import Lines

# Canonical singletons that NFC replaces although they may carry a distinction
# (CJK compatibility ideographs keep Korean readings apart): unsafe to change.
_COMPAT_IDEOGRAPHS = re.compile("[\uf900-\ufaff\U0002f800-\U0002fa1f]")


@lru_cache(maxsize=1)
def _second_halves() -> frozenset[str]:
    """Characters that compose with a preceding character (NFC quick-check Maybe)."""
    found: set[str] = set()
    for cp in range(0x30000):
        decomposition = unicodedata.decomposition(chr(cp))
        if not decomposition or decomposition.startswith("<"):
            continue
        parts = decomposition.split()
        if len(parts) == 2 and unicodedata.normalize("NFC", chr(cp)) == chr(cp):
            found.add(chr(int(parts[1], 16)))
    # Hangul vowels and trailing consonants compose algorithmically.
    found.update(chr(cp) for cp in range(0x1161, 0x1176))
    found.update(chr(cp) for cp in range(0x11A8, 0x11C3))
    return frozenset(found)


@lru_cache(maxsize=4096)
def _starts_segment(ch: str) -> bool:
    return (
        unicodedata.combining(ch) == 0
        and unicodedata.is_normalized("NFC", ch)
        and ch not in _second_halves()
    )


@dataclass(frozen=True)
class NfcChange:
    start: int
    end: int
    original: str
    normalized: str
    safe: bool


def find_non_nfc(text: str) -> list[NfcChange]:
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return []
    out: list[NfcChange] = []
    lines = Lines(text)
    pos = 0
    while pos < len(text):
        line_start, line_end = lines.bounds(pos)
        line = text[line_start:line_end]
        if not unicodedata.is_normalized("NFC", line):
            out.extend(_line_changes(line, line_start))
        pos = line_end + 1
    return out


def _line_changes(line: str, offset: int) -> list[NfcChange]:
    followers = "".join(sorted(c for c in set(line) if not _starts_segment(c)))
    segment = re.compile("(?s)." + ("[" + re.escape(followers) + "]*" if followers else ""))
    changed: list[tuple[int, int, str]] = []
    for m in segment.finditer(line):
        normalized = unicodedata.normalize("NFC", m.group())
        if normalized != m.group():
            changed.append(_trim(line, m.start(), m.end(), normalized))
    # Merge changed segments of one word (nothing but non-space text between them).
    # The replacement is kept as a list of parts, joined once (adding to a string per
    # segment would be quadratic in a long word).
    merged: list[list] = []
    for start, end, normalized in changed:
        if merged and _same_word(line, merged[-1][1], start):
            merged[-1][2] += (line[merged[-1][1] : start], normalized)
            merged[-1][1] = end
        else:
            merged.append([start, end, [normalized]])
    return [
        NfcChange(
            offset + start,
            offset + end,
            line[start:end],
            "".join(parts),
            not _COMPAT_IDEOGRAPHS.search(line, start, end),
        )
        for start, end, parts in merged
    ]


def _trim(line: str, start: int, end: int, normalized: str) -> tuple[int, int, str]:
    """Drop the unchanged head and tail of a segment (`` Ω`` -> ``Ω``)."""
    head = 0
    while (
        start + head < end - 1
        and head < len(normalized) - 1
        and line[start + head] == normalized[head]
        and unicodedata.combining(line[start + head + 1]) == 0
    ):
        head += 1
    tail = 0
    while (
        end - tail - 1 > start + head
        and len(normalized) - tail - 1 > head
        and line[end - tail - 1] == normalized[len(normalized) - tail - 1]
    ):
        tail += 1
    return start + head, end - tail, normalized[head : len(normalized) - tail]


def _same_word(line: str, a: int, b: int) -> bool:
    return a == b or not any(c.isspace() for c in line[a:b])
