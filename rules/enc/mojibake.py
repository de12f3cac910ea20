"""Mojibake spans: where ftfy would change the text, and what it would write there.

The definition of mojibake here is ftfy's, applied the way ``ftfy.fix_text``
applies it: one line (segment) at a time, with only the encoding fixes switched
on (no HTML unescaping, quote uncurling, normalisation, ...; those are other
rules' business). For each changed line the difference between the line and
ftfy's repair is cut into the smallest spans that explain it, so that applying
every span's fix gives exactly ``ftfy.fix_text`` of the whole text.

ftfy is slow on large inputs (its badness regex runs at a few MB/s) and costs
tens of milliseconds to import, so a cheap pre-filter finds the lines that could
possibly change first: UTF-8 decoded in a single-byte encoding always leaves a
*lead* character (what bytes C2-F4 decode to) next to a *continuation*
character (bytes 80-BF), or a C1 control character. Lines without one are left
alone, and ftfy is imported only when a candidate line exists.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from contextlib import suppress
from dataclasses import dataclass, replace
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


def _build_prefilters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Where a UTF-8 sequence as some single-byte encoding shows it may start.

    Two scans, each one character class followed by look-behinds, which the
    regex engine runs at hundreds of MB/s (an alternation of classes is ~15x
    slower). Both stop at the character *after* a lead, because leads are
    common letters (every Cyrillic letter is one in cp1251) and what follows a
    lead in mojibake is rare: a continuation character or a C1 control, or a
    space or "?" standing for a lost byte where ftfy accepts that
    (restore_byte_a0, replace_lossy_sequences). ``_possible`` then checks the
    whole sequence in each encoding.
    """
    not_mac = tuple(e for e in _ENCODINGS if e != "mac_roman")
    cont = _char_class(_CONT)
    leads = _char_class(_leads(0xC0, 0xF4))
    after_lead = re.compile(f"{cont}(?:(?<={_char_class(_C1_CHARS)})|(?<={leads}{cont}))")
    space_leads = _char_class(_leads(0xC0, 0xF4, _A0_AT[0], not_mac))
    q_leads = _char_class(_leads(0xC0, 0xF4, _Q_LEADS))
    wildcard = re.compile(f"[ ?](?:(?<={space_leads} )|(?<={q_leads}\\?))")
    return after_lead, wildcard


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


AFTER_LEAD, WILDCARD = _build_prefilters()
_LEADS = _build_leads()
_C1 = re.compile("[\x80-\x9f]")
# Characters ftfy's encoding fixes keep in place: ASCII other than the space,
# "?", SUB and NUL (which restore_byte_a0, the lossy-sequence fix and Java's
# modified UTF-8 may consume or produce). They anchor the alignment.
_HARD = re.compile("([\x01-\x19\x1b-\x1f!-\x3e\x40-\x7f]+)")


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


@lru_cache(maxsize=1)
def _ftfy():
    """Import ftfy on first use and build the encoding-only configuration."""
    import ftfy
    from ftfy.badness import badness

    config = ftfy.TextFixerConfig(
        unescape_html=False,
        remove_terminal_escapes=False,
        fix_encoding=True,
        restore_byte_a0=True,
        replace_lossy_sequences=True,
        decode_inconsistent_utf8=True,
        fix_c1_controls=True,
        fix_latin_ligatures=False,
        fix_character_width=False,
        uncurl_quotes=False,
        fix_line_breaks=False,
        fix_surrogates=False,
        remove_control_chars=False,
        normalization=None,
        explain=True,
    )
    return ftfy, badness, config


def ftfy_config():
    """The ``ftfy.TextFixerConfig`` this module applies (encoding fixes only)."""
    return _ftfy()[2]


def _is_encoding_only(plan: tuple[tuple[str, str], ...]) -> bool:
    return all(action in ("encode", "decode", "transcode") for action, _ in plan)


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
    for positions in _LEADS.get(lead, ()):
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
    after_lead, wildcard = AFTER_LEAD.search, WILDCARD.search
    a, w = after_lead(text, 0), wildcard(text, 0)
    while a is not None or w is not None:
        # The earlier of the two scans' hits, as the offset of its lead.
        if w is None or (a is not None and a.start() <= w.start()):
            at = a.start()
            hit = at if text[at] in _C1_CHARS else at - 1
            a = after_lead(text, at + 1)
        else:
            hit = w.start() - 1
            w = wildcard(text, w.start() + 1)
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
        if a is not None and a.start() < end:
            a = after_lead(text, end)
        if w is not None and w.start() < end:
            w = wildcard(text, end)


def find_repairs(text: str) -> list[Repair]:
    """Every span of ``text`` that ftfy's encoding fixes would rewrite, plus
    embedded mojibake that ftfy leaves alone."""
    repairs: list[Repair] = []
    for start, end in candidate_segments(text):
        line = text[start:end]
        found = _segment_repairs(Compressed(line), start)
        if found is None:  # the shortened line did not map back: use the whole line
            found = _segment_repairs(Compressed(line, shorten=False), start) or []
        repairs.extend(found)
    return repairs


def _segment_repairs(segment: Compressed, base: int) -> list[Repair] | None:
    from corpuslint.rules.enc.embedded import find_embedded

    found = _repair_segment(segment)
    if found is None:
        return None
    if not all(r.whole_line for r in found):
        found = _prefer_whole_sequences(segment.text, found)
    found.extend(find_embedded(segment.text, [(r.start, r.end) for r in found]))
    found.sort(key=lambda r: r.start)
    restored = [segment.restore(r, base) for r in found]
    if any(r is None for r in restored):
        return None
    return restored


def _prefer_whole_sequences(text: str, found: list[Repair]) -> list[Repair]:
    """Replace ftfy's piecewise repairs that cut a longer mojibake sequence.

    ftfy's ``decode_inconsistent_utf8`` only knows Latin-1-like encodings, so in
    MacRoman ``‚Ä¶`` (an ellipsis) it repairs ``Ä¶`` as Latin-1 and writes
    ``‚Ķ``. When an embedded sequence strictly contains such pieces and decodes
    plausibly as a whole, the whole sequence is the repair (unsafe, and the
    message says what ftfy would have written).
    """
    from corpuslint.rules.enc.embedded import find_embedded, longest_first

    found = sorted(found, key=lambda r: r.start)
    starts = [r.start for r in found]
    replaced: set[int] = set()
    added: list[Repair] = []
    for whole in longest_first(find_embedded(text, [], overlapping=True)):
        # ftfy's repairs that overlap the whole sequence: a contiguous run of ``found``.
        lo = bisect_right(starts, whole.start) - 1
        if lo < 0 or found[lo].end <= whole.start:
            lo += 1
        hi = bisect_right(starts, whole.end - 1)
        pieces = found[lo:hi]
        if (
            not pieces
            or pieces[0].start < whole.start
            or pieces[-1].end > whole.end
            or any(r.whole_line for r in pieces)
            or (len(pieces) == 1 and (pieces[0].start, pieces[0].end) == (whole.start, whole.end))
        ):
            continue
        ftfy_text = text[whole.start : whole.end]
        for r in reversed(pieces):
            a, b = r.start - whole.start, r.end - whole.start
            ftfy_text = ftfy_text[:a] + r.fixed + ftfy_text[b:]
        replaced.update(range(lo, hi))
        added.append(replace(whole, ftfy_text=ftfy_text))
    return [r for i, r in enumerate(found) if i not in replaced] + added


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


def _repair_segment(segment: Compressed) -> list[Repair] | None:
    """ftfy's repairs of one segment (in its compressed offsets); None when the
    shortened text cannot be aligned and the whole segment must be used."""
    from corpuslint.rules.enc.badness_gate import may_be_bad

    text = segment.text
    if not may_be_bad(text):  # ftfy changes nothing in a line it does not find bad
        return []
    ftfy, badness, config = _ftfy()
    try:
        fixed, steps = ftfy.fix_and_explain(text, config)
    except Exception:  # ftfy on hostile input (lone surrogates, ...): leave it be
        return []
    if fixed == text:
        return []
    regions = align(text, fixed)
    if regions is None:  # ftfy produced or consumed ASCII: one region for the change
        if segment.shortened:
            return None
        regions = [_trim(text, fixed, 0, len(text), 0, len(fixed))]
    line_plan = _plan(steps)
    repairs = []
    for a, b, c, d in regions:
        original, repaired = text[a:b], fixed[c:d]
        plan = _span_plan(ftfy, config, original, repaired, line_plan)
        # Badness in a window around the span, before and after the repair.
        lo, hi = max(0, a - _WINDOW), min(len(text), b + _WINDOW)
        before = text[lo:hi]
        after = text[lo:a] + repaired + text[b:hi]
        safe = _is_encoding_only(plan) and badness(after) < badness(before)
        whole_line = _is_encoding_only(line_plan)
        repairs.append(Repair(a, b, original, repaired, plan, safe, whole_line=whole_line))
    return repairs


def _span_plan(ftfy, config, original: str, repaired: str, line_plan):
    """The steps that turn this span into its repair: the line's plan when it
    does so on the span alone (re-encoding is local), else ftfy's plan for the
    span on its own when that gives the same repair, else the line's plan."""
    if _is_encoding_only(line_plan) and _applies(ftfy, line_plan, original, repaired):
        # Drop the line's transcode steps that change nothing in this span.
        plan = list(line_plan)
        for step in [s for s in line_plan if s[0] == "transcode"]:
            shorter = [s for s in plan if s != step]
            if _applies(ftfy, shorter, original, repaired):
                plan = shorter
        return tuple(plan)
    try:
        alone, steps = ftfy.fix_and_explain(original, config)
    except Exception:
        return line_plan
    return _plan(steps) if alone == repaired else line_plan


def _applies(ftfy, plan, original: str, repaired: str) -> bool:
    try:
        return ftfy.apply_plan(original, list(plan)) == repaired
    except Exception:  # a step that cannot encode or decode this span
        return False


# ftfy's badness patterns look at most a few characters around a glitch.
_WINDOW = 4


def _plan(steps) -> tuple[tuple[str, str], ...]:
    """ftfy's steps as pairs, with immediate repetitions folded."""
    plan: list[tuple[str, str]] = []
    for step in steps or ():
        pair = (str(step[0]), str(step[1]))
        if not plan or plan[-1] != pair:
            plan.append(pair)
    return tuple(plan)


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
                            _trim(original, fixed, a, a + len(word_o), c, c + len(word_f))
                        )
                    a += len(word_o) + 1
                    c += len(word_f) + 1
            else:
                regions.append(
                    _trim(original, fixed, pos_o, pos_o + len(soft_o), pos_f, pos_f + len(soft_f))
                )
        pos_o += len(soft_o) + len(hard)
        pos_f += len(soft_f) + len(hard)
    return regions


def _trim(original: str, fixed: str, a: int, b: int, c: int, d: int) -> tuple[int, int, int, int]:
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
