"""Segments for ftfy: shortened ASCII runs, and the alignment of a repair.

``Compressed`` gives ftfy a line with its long ASCII runs cut down (same
decisions, far less work); ``align`` cuts the difference between a line and
ftfy's repair of it into the smallest spans that explain it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from corpuslint.rules.enc.repair import Repair

# Characters ftfy's encoding fixes keep in place: ASCII other than the space,
# "?", SUB and NUL (which restore_byte_a0, the lossy-sequence fix and Java's
# modified UTF-8 may consume or produce). They anchor the alignment.
_HARD = re.compile("([\x01-\x19\x1b-\x1f!-\x3e\x40-\x7f]+)")


# Printable ASCII stretches longer than this are shortened before ftfy sees them.
_KEEP = 16
_LONG_ASCII = re.compile(f"[\x20-\x7e]{{{2 * _KEEP + 1},}}")


class Compressed:
    """A segment with its long runs of printable ASCII cut down to their ends.

    ftfy's decisions depend only on the non-ASCII characters and a few
    characters around them: every badness pattern, every byte-level pattern
    involves a non-ASCII character within six characters, and ASCII is the same
    in every encoding ftfy tries. Keeping 16 characters at each end of a long
    ASCII run therefore gives ftfy the same decisions on a far shorter string,
    so its cost follows the amount of non-ASCII text, not the line length.
    Offsets map back through ``restore``.
    """

    def __init__(self, original: str, *, shorten: bool = True) -> None:
        self.original = original
        pieces: list[str] = []
        self._map: list[tuple[int, int]] = [(0, 0)]  # (compressed offset, original offset)
        pos = 0
        out_len = 0
        for m in _LONG_ASCII.finditer(original) if shorten else ():
            keep_to = m.start() + _KEEP
            resume = m.end() - _KEEP
            pieces.append(original[pos:keep_to])
            out_len += keep_to - pos
            self._map.append((out_len, resume))
            pos = resume
        pieces.append(original[pos:])
        self.text = "".join(pieces) if pos else original
        self.shortened = pos > 0

    def to_original(self, offset: int) -> int:
        i = bisect_right(self._map, (offset, float("inf"))) - 1
        comp, orig = self._map[i]
        return orig + offset - comp

    def restore(self, repair: Repair, base: int) -> Repair | None:
        """The repair in offsets of the whole text; None if it crossed a cut."""
        start = self.to_original(repair.start)
        end = self.to_original(repair.end)
        if self.original[start:end] != repair.original:
            return None
        return replace(repair, start=base + start, end=base + end)


def align(original: str, fixed: str) -> list[tuple[int, int, int, int]] | None:
    """Pair the changed regions of ``original`` and ``fixed``.

    Returns ``(a, b, c, d)`` tuples: ``original[a:b]`` became ``fixed[c:d]``,
    and everything between the regions is unchanged. ftfy's encoding fixes keep
    most ASCII characters, so the text splits on them into pieces that pair up
    one to one; inside a piece the words (split on spaces) pair up when their
    number is unchanged. A region is trimmed to the characters that changed,
    unless trimming would leave one side empty (``Â£`` -> ``£`` stays whole).
    None when the ASCII skeletons differ (ftfy produced or consumed ASCII).
    """
    parts_o = _HARD.split(original)
    parts_f = _HARD.split(fixed)
    if parts_o[1::2] != parts_f[1::2]:
        return None
    regions: list[tuple[int, int, int, int]] = []
    pos_o = pos_f = 0
    for soft_o, soft_f, hard in zip(parts_o[0::2], parts_f[0::2], [*parts_o[1::2], ""]):
        if soft_o != soft_f:
            words_o, words_f = soft_o.split(" "), soft_f.split(" ")
            if len(words_o) == len(words_f):
                a, c = pos_o, pos_f
                for word_o, word_f in zip(words_o, words_f):
                    if word_o != word_f:
                        regions.append(
                            trim(original, fixed, a, a + len(word_o), c, c + len(word_f))
                        )
                    a += len(word_o) + 1
                    c += len(word_f) + 1
            else:
                regions.append(
                    trim(original, fixed, pos_o, pos_o + len(soft_o), pos_f, pos_f + len(soft_f))
                )
        pos_o += len(soft_o) + len(hard)
        pos_f += len(soft_f) + len(hard)
    return regions


def trim(original: str, fixed: str, a: int, b: int, c: int, d: int) -> tuple[int, int, int, int]:
    ta, tb, tc, td = a, b, c, d
    while ta < tb and tc < td and original[ta] == fixed[tc]:
        ta += 1
        tc += 1
    while tb > ta and td > tc and original[tb - 1] == fixed[td - 1]:
        tb -= 1
        td -= 1
    if ta == tb or tc == td:
        return a, b, c, d
    # A U+FFFD right after the change is the end of a lossy sequence (``â€�`` became
    # ``�``): keep it in the span, where it belongs.
    while tb < b and original[tb] == "\ufffd" and original[tb - 1] >= "\x80":
        tb += 1
        td += 1
    return ta, tb, tc, td
