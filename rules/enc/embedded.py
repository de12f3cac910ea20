"""Mojibake embedded in correct text, which ftfy leaves alone.

ftfy repairs a line by re-decoding all of it, which fails when the line also
holds correct non-ASCII text, and then falls back to fixing embedded sequences
in isolation, which only knows the Latin-1-like encodings and needs its badness
heuristic to fire on the sequence without context. So `Moli√®re` (MacRoman)
next to a correct `Łódź`, or `RÄ«ga` in a line with a curly quote, stay broken.

This module finds such sequences for three encodings (Windows-1252, Latin-1,
MacRoman) and accepts one only when decoding it as UTF-8 gives something a
writer would plausibly have meant, by rules that legitimate text does not meet:

* the sequence holds evidence of mojibake: a symbol or control character
  (`√ © ‚ € ™ ±`), a letter that text hardly uses but mojibake does (`ƒ Ÿ Š`),
  or a quote or dash glued to a letter (`Ã–sterreich`); or else it is at
  least two sequences that decode to a word of one non-Latin script;
* the decoded text is ordinary: Latin letters from the common Latin blocks
  (not IPA or Latin Extended-B, which is what `CAFÉ’s` would decode to), or a
  word of at least two letters of one other script, or punctuation, currency,
  symbols and emoji; never a control, private-use or unassigned character and
  never a leading combining mark;
* it fits its neighbours: decoded letters of another script than the letters
  right before or after the sequence are rejected (`“É` would decode to a
  Cyrillic combining mark, `l’é` to an Armenian letter).

Repairs from here are never safe: ftfy, whose judgement the safe fixes follow,
did not make them.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from functools import lru_cache

from corpuslint.rules.enc.repair import Repair

# (name in the plan, as ftfy's apply_plan spells it; Python codec; fallback for undefined bytes)
_ENCODINGS = (
    ("sloppy-windows-1252", "cp1252", "latin-1"),
    ("latin-1", "latin-1", None),
    ("macroman", "mac_roman", None),
)
_COMMON_PUNCT = frozenset(
    "\u00a0\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u2039\u203a"
)
# MacRoman leads (C7 C9 CA D2-D5) whose two-byte sequences decode to Latin
# Extended-B, IPA, Cyrillic extensions or Armenian: never a plausible repair alone.
_NEVER_PLAUSIBLE_LEADS = frozenset("\u00ab\u2026\u00a0\u201c\u201d\u2018\u2019")
# Letters that hardly occur in text except as mojibake (ftfy counts most of them
# "bad"): the Windows-1252 letters of bytes 80-9F, ƒ, and the ordinal indicators.
_ODD_LETTERS = frozenset("\u0160\u0161\u0152\u0153\u017d\u017e\u0178\u0192\u00aa\u00ba\u00b5")


def _table(codec: str, fallback: str | None) -> dict[str, int]:
    """Character -> byte for the non-ASCII half of a single-byte encoding."""
    table = {}
    for value in range(0x80, 0x100):
        try:
            ch = bytes([value]).decode(codec)
        except UnicodeDecodeError:
            if fallback is None:
                continue
            ch = bytes([value]).decode(fallback)
        table[ch] = value
    return table


def _cls(table: dict[str, int], lo: int, hi: int, extra: str = "") -> str:
    chars = sorted(ch for ch, value in table.items() if lo <= value <= hi) + list(extra)
    return "[" + "".join(re.escape(c) for c in chars) + "]"


@lru_cache(maxsize=1)
def _detectors():
    out = []
    for name, codec, fallback in _ENCODINGS:
        table = _table(codec, fallback)
        lossy = "\ufffd" if name.startswith("sloppy") else ""
        cont = _cls(table, 0x80, 0xBF, lossy)
        lead2, lead3, lead4 = (
            _cls(table, 0xC2, 0xDF),
            _cls(table, 0xE0, 0xEF),
            _cls(table, 0xF0, 0xF4),
        )
        # Where a sequence starts: one class and look-behinds, which the regex
        # engine scans far faster than the alternation below.
        leads = _cls(table, 0xC2, 0xF4)
        start = re.compile(
            f"{leads}(?:(?<={lead2}){cont}|(?<={lead3}){cont}{{2}}|(?<={lead4}){cont}{{3}})"
        )
        run = re.compile(f"(?:{lead2}{cont}|{lead3}{cont}{{2}}|{lead4}{cont}{{3}})+")
        out.append((name, table, start, run))
    return out


def _encode(text: str, table: dict[str, int]) -> bytes | None:
    out = bytearray()
    for ch in text:
        if ch < "\x80":
            out.append(ord(ch))
        elif ch == "\ufffd":
            out.append(0x1A)  # what ftfy's sloppy codecs write for a lost byte
        else:
            value = table.get(ch)
            if value is None:
                return None
            out.append(value)
    return bytes(out)


def _decode(data: bytes) -> tuple[str, bool] | None:
    """UTF-8, or UTF-8 with ftfy's lossy-sequence repair when a byte was lost."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        pass
    if 0x1A not in data:
        return None
    from ftfy.fixes import replace_lossy_sequences

    try:
        return replace_lossy_sequences(data).decode("utf-8"), True
    except UnicodeDecodeError:
        return None


def find_embedded(
    text: str, taken: list[tuple[int, int]], *, overlapping: bool = False
) -> list[Repair]:
    """Embedded mojibake in ``text`` outside the ``taken`` spans (ftfy's repairs).

    Every encoding proposes its sequences; where proposals overlap, the longest
    wins (``‚Ä¶`` read as MacRoman explains more than its tail ``Ä¶`` read as
    Latin-1). With ``overlapping``, every plausible proposal is returned.
    """
    masked = _mask(text, taken)
    proposals: list[Repair] = []
    for name, table, start, run in _detectors():
        pos = 0
        while (m := start.search(masked, pos)) is not None:
            whole = run.match(masked, m.start())
            pos = whole.end()
            if pos - whole.start() == 2 and masked[whole.start()] in _NEVER_PLAUSIBLE_LEADS:
                # ``l’é`` in MacRoman: one character of Armenian, rare Cyrillic or
                # IPA, which _plausible always rejects. Common in French; skip early.
                continue
            repair = _judge(text, whole.start(), whole.end(), name, table)
            if repair is not None:
                proposals.append(repair)
    if overlapping:
        return proposals
    return longest_first(proposals)


def longest_first(proposals: list[Repair]) -> list[Repair]:
    """Non-overlapping proposals, the longer winning where they overlap; by start."""
    chosen: list[Repair] = []
    cluster: list[Repair] = []
    cluster_end = -1
    for repair in sorted(proposals, key=lambda r: r.start):
        if cluster and repair.start >= cluster_end:
            chosen.extend(_pick(cluster))
            cluster = []
        cluster.append(repair)
        cluster_end = repair.end if len(cluster) == 1 else max(cluster_end, repair.end)
    chosen.extend(_pick(cluster))
    return chosen


def _pick(cluster: list[Repair]) -> list[Repair]:
    """Greedy, longest first, within one run of overlapping proposals."""
    if len(cluster) <= 1:
        return cluster
    starts: list[int] = []
    picked: list[Repair] = []
    for repair in sorted(cluster, key=lambda r: (r.start - r.end, r.start)):
        i = bisect_right(starts, repair.start)
        if i > 0 and picked[i - 1].end > repair.start:
            continue
        if i < len(picked) and picked[i].start < repair.end:
            continue
        starts.insert(i, repair.start)
        picked.insert(i, repair)
    return picked


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with the spans blanked out (same length), so no match crosses them."""
    if not spans:
        return text
    out = []
    pos = 0
    for start, end in sorted(spans):
        out.append(text[pos:start])
        out.append("\x01" * (end - start))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _judge(text: str, start: int, end: int, name: str, table) -> Repair | None:
    original = text[start:end]
    plan: list[tuple[str, str]] = []
    current = original
    # Up to three rounds: doubly and triply encoded text decodes in steps.
    for _ in range(3):
        data = _encode(current, table)
        if data is None:
            break
        result = _decode(data)
        if result is None:
            break
        decoded, lossy = result
        if decoded == current or not _plausible(decoded, text, start, end, _strong(original)):
            break
        plan.append(("encode", name))
        if lossy:
            plan.append(("transcode", "replace_lossy_sequences"))
        plan.append(("decode", "utf-8"))
        current = decoded
        if lossy or len(current) < 2:
            break
    if not plan:
        return None
    if not (_evidence(original, text, start, end) or _foreign_word(original, current)):
        return None
    return Repair(start, end, original, current, tuple(plan), False, "embedded")


def _foreign_word(original: str, decoded: str) -> bool:
    """Two or more encoded sequences that decode to a word of a non-Latin script
    (``ÿßŸÅŸáÿßŸÜ`` -> ``اصفهان``): correct Latin text does not do that by chance."""
    scripts = {_script(ch) for ch in decoded if ch.isalpha()}
    letters = sum(ch.isalpha() for ch in decoded)
    return len(original) >= 4 and letters >= 2 and len(scripts) == 1 and "LATIN" not in scripts


def _strong(original: str) -> bool:
    """A symbol, control, lost byte or odd letter: never part of a plain word."""
    return any(
        ch == "\ufffd" or ch in _ODD_LETTERS or not (ch.isalpha() or ch in _COMMON_PUNCT)
        for ch in original
    )


def _evidence(original: str, text: str, start: int, end: int) -> bool:
    if _strong(original):
        return True
    # An upper-case lead inside a lower-case word: ``sostinÄ—`` for ``sostinė``.
    if start and original[0].isupper() and text[start - 1].islower():
        return True
    for i, ch in enumerate(original):
        if ch in _COMMON_PUNCT:
            following = original[i + 1] if i + 1 < len(original) else text[end : end + 1]
            if following.isalpha():
                return True
    return False


_LATIN_OK = ((0x00C0, 0x00FF), (0x0100, 0x017F), (0x0218, 0x021B), (0x1E00, 0x1EFF))
_SYMBOLS_OK = (
    (0x00A0, 0x00BF),
    (0x00D7, 0x00D7),
    (0x00F7, 0x00F7),
    (0x200C, 0x200D),  # zero-width (non-)joiners in Persian words, emoji sequences
    (0x2010, 0x205E),
    (0x20A0, 0x20CF),
    (0x2100, 0x22FF),
    (0x2300, 0x23FF),
    (0x25A0, 0x27BF),
    (0x20E3, 0x20E3),  # combining enclosing keycap (1️⃣)
    (0xFE00, 0xFE0F),  # variation selectors (❤️)
    (0xFFFD, 0xFFFD),
    (0x1F000, 0x1FAFF),
)
_BASIC_LETTERS = ((0x0391, 0x03C9), (0x0401, 0x0401), (0x0410, 0x044F), (0x0451, 0x0451))
_CJK = frozenset({"CJK", "HIRAGANA", "KATAKANA", "HANGUL", "IDEOGRAPHIC"})


def _in(ranges, cp: int) -> bool:
    return any(lo <= cp <= hi for lo, hi in ranges)


@lru_cache(maxsize=8192)
def _script(ch: str) -> str | None:
    """A letter's script from its Unicode name (CJK scripts as one); None for others."""
    if not (ch.isalpha() or unicodedata.category(ch).startswith("M")) or _in(_SYMBOLS_OK, ord(ch)):
        return None
    word = unicodedata.name(ch, "UNKNOWN").split(" ")[0]
    return "CJK" if word in _CJK else word


def _plausible(decoded: str, text: str, start: int, end: int, strong: bool = False) -> bool:
    if not decoded:
        return False
    if unicodedata.category(decoded[0]).startswith("M") and not _in(_SYMBOLS_OK, ord(decoded[0])):
        return False  # a combining mark cannot start what was written
    scripts = set()
    letters = 0
    for ch in decoded:
        cp = ord(ch)
        if cp < 0x80:
            continue
        script = _script(ch)
        if script is None:
            if not (_in(_SYMBOLS_OK, cp) or unicodedata.category(ch).startswith("P")):
                return False
            continue
        if script == "LATIN" and not _in(_LATIN_OK, cp):
            return False
        scripts.add(script)
        letters += 1
    if len(scripts) > 1:
        return False
    if not scripts:
        return True
    script = next(iter(scripts))
    # A lone letter of another script is a coincidence more often than mojibake,
    # unless bytes around it were lost (U+FFFD) in the same sequence, or it is a
    # one-letter word of the basic Cyrillic or Greek alphabet (``–≥.`` for the
    # Bulgarian ``г.``, ``Ï€`` for ``π``) spelt with a symbol.
    if script != "LATIN" and letters + decoded.count("\ufffd") < 2:
        # (its "letter" may be a mark or digit of that script: then no word at all)
        letter = next((ch for ch in decoded if ch.isalpha()), None)
        alone = not (text[start - 1 : start].isalpha() or text[end : end + 1].isalpha())
        if letter is None or not (strong and alone and _in(_BASIC_LETTERS, ord(letter))):
            return False
    for neighbour in (text[start - 1 : start], text[end : end + 1]):
        other = _script(neighbour) if neighbour else None
        if other is not None and other != script:
            return False
    return True
