"""Mojibake spans: where ftfy would change the text, and what it would write there.

The definition of mojibake here is ftfy's, applied the way ``ftfy.fix_text``
applies it: one line (segment) at a time, with only the encoding fixes switched
on (no HTML unescaping, quote uncurling, normalisation, ...; those are other
rules' business). For each changed line the difference between the line and
ftfy's repair is cut into the smallest spans that explain it, so that applying
every span's fix gives exactly ``ftfy.fix_text`` of the whole text.

ftfy is slow on large inputs (its badness regex runs at a few MB/s) and costs
tens of milliseconds to import, so three cheap steps come first and give the
same result: ``prefilter`` keeps only lines holding a complete UTF-8 sequence
as some single-byte encoding shows it (ftfy is imported only then),
``badness_gate`` skips lines ftfy would not find bad, and ``segments`` cuts
long ASCII runs out of what ftfy sees. ``embedded`` adds the mojibake ftfy
leaves alone in mixed lines.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace
from functools import lru_cache

from corpuslint.rules.enc.prefilter import candidate_segments
from corpuslint.rules.enc.repair import Repair
from corpuslint.rules.enc.segments import Compressed, align, trim


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
        regions = [trim(text, fixed, 0, len(text), 0, len(fixed))]
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
