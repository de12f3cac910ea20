"""One pass over a document that every BP rule shares (computed once, kept on the document).

1. Line-level tables (tables.LINE_TABLES, in order): the first table whose pattern
   matches a whole line claims it, so a line gets at most one BP code.
2. Navigation blocks: a header line (``Previous``, ``Related stories``, ...) claims the
   linked headlines under it: one for previous/next links, a list for "related" blocks.
   A lone headline-shaped line followed by more article text is taken for the article's
   own subheading and left alone.
3. Inline boilerplate in the remaining lines: a photo credit closing a caption sentence
   inside a paragraph (BP009), or, when the caption is the whole line, a caption line
   (BP006); ad markers glued into the text.
4. Repeats: a line that repeats an earlier line of the same file and is claimed by
   nothing else (BP011 reports it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from corpuslint.rules.bp import tables
from corpuslint.rules.bp.lines import (
    Deleter,
    Line,
    core,
    has_two_letters,
    is_headline_like,
    normalise,
    shorten,
    split_lines,
)

# Lines longer than this are paragraphs: only inline boilerplate is looked for in them.
MAX_LINE_CHARS = 420
# A list header claims at most this many linked headlines.
MAX_LIST_HEADLINES = 12
# A line of at least this many words that ends like a sentence is a paragraph.
PARAGRAPH_MIN_WORDS = 15
# The caption sentence before an inline credit is looked for this far back, and is taken
# as a caption only up to this many words (a longer "sentence" is prose; then only the
# credit itself is flagged).
CAPTION_WINDOW = 500
MAX_CAPTION_WORDS = 60
# Repeated lines (BP011) need this many characters, and are not longer than this.
REPEAT_MIN_CHARS = 8
REPEAT_MAX_CHARS = 200
_REPEAT_SCAN_CHARS = 5000  # repeats are recorded up to this length (BP011 options filter)

_META_KEY = "corpuslint.bp.analysis"
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")
_LAST_TOKEN = re.compile(r"(\S+)$")
_INITIALS = re.compile(r"^[(\"'“‘]*(?:[A-Za-z]\.)+$")
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "gen",
        "col",
        "lt",
        "sgt",
        "capt",
        "cpl",
        "adm",
        "rep",
        "sen",
        "gov",
        "pres",
        "prof",
        "rev",
        "fr",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "nos",
        "vs",
        "jr",
        "sr",
        "inc",
        "ltd",
        "co",
        "corp",
        "mt",
        "ft",
        "approx",
        "est",
        "dept",
        "univ",
    ]
)


@dataclass(frozen=True)
class LineFinding:
    """A whole line claimed by one category."""

    row: int
    code: str
    pattern: str
    safe: bool
    message: str


@dataclass(frozen=True)
class SpanFinding:
    """Inline boilerplate: ``start``..``end`` (document offsets) inside line ``row``."""

    row: int
    start: int
    end: int
    pattern: str
    kind: str  # "credit" or "marker"
    message: str


@dataclass
class Analysis:
    lines: list[Line]
    claims: dict[int, LineFinding] = field(default_factory=dict)
    inline: list[SpanFinding] = field(default_factory=list)
    repeats: dict[int, int] = field(default_factory=dict)  # row -> row it repeats
    norms: dict[int, str] = field(default_factory=dict)  # row -> normalised text (cache)

    def norm(self, row: int) -> str:
        """The normalised text of line ``row`` (computed once)."""
        found = self.norms.get(row)
        if found is None:
            found = self.norms[row] = normalise(self.lines[row].text)
        return found

    def quote(self, row: int, limit: int = 60) -> str:
        """Line ``row`` as quoted in a message."""
        return shorten(self.norm(row), limit, normalised=True)

    def flagged_rows(self) -> set[int]:
        """Rows that BP findings propose to delete (for blank-line handling in fixes)."""
        rows = set(self.claims)
        rows.update(r for r in self.repeats if self.is_default_repeat(r))
        return rows

    @cached_property
    def by_code(self) -> dict[str, list[LineFinding]]:
        """Line findings per code, in row order."""
        out: dict[str, list[LineFinding]] = {}
        for row in sorted(self.claims):
            finding = self.claims[row]
            out.setdefault(finding.code, []).append(finding)
        return out

    @cached_property
    def deleter(self) -> Deleter:
        """Line-deletion fixes for the rows of ``flagged_rows``."""
        return Deleter(self.lines, self.flagged_rows())

    def is_default_repeat(self, row: int) -> bool:
        """A repeat that BP011 reports with its default options."""
        return REPEAT_MIN_CHARS <= len(self.norm(row)) <= REPEAT_MAX_CHARS


def analyse(doc: Any) -> Analysis:
    """The shared analysis of ``doc`` (a Document), computed on first use."""
    cached = doc.meta.get(_META_KEY)
    if cached is None:
        cached = doc.meta[_META_KEY] = analyse_text(doc.text, doc.line_index.starts)
    return cached


def analyse_text(text: str, starts: list[int]) -> Analysis:
    result = Analysis(split_lines(text, starts))
    cores = _claim_lines(result)
    _claim_navigation_blocks(result, cores)
    _find_inline(result)
    _find_repeats(result)
    return result


# -- 1. line tables ----------------------------------------------------------------

# A line longer than this with three or more sentences is a paragraph, unless it names one
# of the subjects of multi-sentence boilerplate (cookie and JavaScript notices, legal
# footers, comment policies, contact lines): then the tables decide.
PROSE_MIN_CHARS = 160
_NOTICE_WORDS = (
    "cookie",
    "javascript",
    "browser",
    "block",
    "©",
    "(c)",
    "copyright",
    "rights reserved",
    "reproduc",
    "republish",
    "originally",
    "expressed",
    "disclaimer",
    "comment",
    "@",
    "newsletter",
    "subscri",
)


def _mentions_notice(norm: str) -> bool:
    low = norm.lower()
    return any(w in low for w in _NOTICE_WORDS)


def _claim_lines(result: Analysis) -> dict[int, str]:
    cores: dict[int, str] = {}
    classify = tables.classifier().classify
    for line in result.lines:
        if line.blank or len(line.text) > 4 * MAX_LINE_CHARS:
            continue
        norm = result.norms[line.row] = normalise(line.text)
        if len(norm) > MAX_LINE_CHARS:
            continue
        c = core(norm)
        if not c:
            continue
        cores[line.row] = c
        if len(norm) > PROSE_MIN_CHARS and norm.count(". ") >= 2 and not _mentions_notice(norm):
            continue  # a paragraph of three or more sentences
        found = classify(norm, c)
        if found is not None:
            table, pattern = found
            if pattern.caption and not _one_sentence_caption(line.text):
                continue  # prose closed by a credit: BP009 finds the caption inside it
            result.claims[line.row] = LineFinding(
                line.row,
                table.code,
                pattern.name,
                pattern.safe,
                f'{table.label} "{shorten(norm, normalised=True)}"',
            )
    return cores


# -- 2. navigation blocks ----------------------------------------------------------


def _claim_navigation_blocks(result: Analysis, cores: dict[int, str]) -> None:
    nav = tables.load_table("navigation")
    lines, claims = result.lines, result.claims
    nonblank = [line.row for line in lines if not line.blank]
    position = {row: i for i, row in enumerate(nonblank)}
    done: set[int] = set()
    for row in nonblank:
        c = cores.get(row)
        if not c or row in done:
            continue
        header = nav.match_header(c)
        if header is None or (row in claims and claims[row].code != nav.code):
            continue
        limit = 1 if header.kind == "single" else MAX_LIST_HEADLINES
        block = [row]  # the header and its repeats ("Previous" / "Previous")
        taken: list[int] = []
        for nxt in nonblank[position[row] + 1 :]:
            if len(taken) >= limit:
                break
            cn = cores.get(nxt)
            if cn is not None and cn.casefold() == c.casefold() and not taken:
                block.append(nxt)
                continue
            if cn is not None and nav.match_header(cn) is not None:
                break  # the next block starts
            if nxt in claims:
                continue  # other boilerplate inside the block
            if not is_headline_like(lines[nxt].text):
                break
            taken.append(nxt)
        if len(taken) == 1 and _prose_follows(result, nav, cores, nonblank, position[taken[0]]):
            taken = []  # a subheading of the article that goes on, not a linked headline
        done.update(block)
        for r in block:
            old = claims.get(r)
            claims[r] = LineFinding(
                r,
                nav.code,
                old.pattern if old else f"header-{header.name}",
                header.safe and not taken,
                old.message if old else f'{nav.label} "{result.quote(r)}"',
            )
        label = result.quote(row, 30)
        for r in taken:
            claims[r] = LineFinding(
                r,
                nav.code,
                "linked-headline",
                False,
                f'Linked headline under "{label}": "{result.quote(r)}"',
            )


def _prose_follows(
    result: Analysis, nav: tables.Table, cores: dict[int, str], nonblank: list[int], at: int
) -> bool:
    """The line after ``nonblank[at]`` is a paragraph of the article (a sentence of at
    least PARAGRAPH_MIN_WORDS words, not boilerplate, not another navigation block): then
    a lone "linked headline" is more likely the article's own subheading."""
    if at + 1 >= len(nonblank):
        return False
    row = nonblank[at + 1]
    if row in result.claims:
        return False
    c = cores.get(row)
    if c and nav.match_header(c) is not None:
        return False
    text = result.lines[row].text
    return not is_headline_like(text) and len(text.split()) >= PARAGRAPH_MIN_WORDS


# -- 3. inline boilerplate ---------------------------------------------------------


def _find_inline(result: Analysis) -> None:
    table = tables.inline_table()
    captions = tables.load_table("captions")
    entries = table.compiled_entries
    for line in result.lines:
        if line.blank or line.row in result.claims:
            continue
        s = line.text
        matches = []
        for pattern, regex in entries:
            if pattern.requires and not any(w in s for w in pattern.requires):
                continue
            matches.extend((m.start(), m.end(), pattern, m) for m in regex.finditer(s))
        if not matches:
            continue
        # where the line's text starts and where its trailing " .\t" run starts (found
        # once per line: slicing the line per match would be quadratic on a long line)
        lead, tail = len(s) - len(s.lstrip()), len(s.rstrip(" .\t"))
        matches.sort(key=lambda item: (item[0], -item[1]))
        taken_end = -1
        for start, end, pattern, m in matches:
            if start < taken_end:
                continue  # overlaps an earlier match
            taken_end = end
            if pattern.kind == "marker":
                result.inline.append(
                    SpanFinding(
                        line.row,
                        line.start + start,
                        line.start + end,
                        pattern.name,
                        "marker",
                        f'Ad marker run into the text: "{shorten(m.group())}"',
                    )
                )
                continue
            span = _caption_span(s, m, pattern.boundary)
            if span is None:
                continue
            start, end = span
            if start <= lead and end >= tail:
                result.claims[line.row] = LineFinding(
                    line.row,
                    captions.code,
                    f"inline-{pattern.name}",
                    False,
                    f'{captions.label} "{result.quote(line.row)}"',
                )
                result.inline = [f for f in result.inline if f.row != line.row]
                break
            what = "Caption and photo credit" if start < m.start() else "Photo credit"
            result.inline.append(
                SpanFinding(
                    line.row,
                    line.start + start,
                    line.start + end,
                    pattern.name,
                    "credit",
                    f'{what} run into the paragraph: "{shorten(s[start:end])}"',
                )
            )


def _one_sentence_caption(s: str) -> bool:
    """A line closed by a credit is a caption line when the caption is all of its text."""
    lead, tail = len(s) - len(s.lstrip()), len(s.rstrip(" .\t"))
    for pattern, regex in tables.inline_table().compiled_entries:
        if pattern.kind != "credit":
            continue
        for m in regex.finditer(s):
            span = _caption_span(s, m, pattern.boundary)
            if span is not None and span[1] >= tail:
                return span[0] <= lead
    boundaries = [b for b in _SENTENCE_END.finditer(s) if not _is_abbreviation(s, b.start())]
    return len(boundaries) <= 1


# What the text before a credit may end with when the pattern needs a boundary.
_CAPTION_CLOSERS = frozenset('.!?"”’)—–-|')


def _caption_span(s: str, m: re.Match[str], boundary: bool) -> tuple[int, int] | None:
    """The caption sentence that the credit ``m`` closes, with the credit."""
    # the last character before the credit, spaces skipped (no slicing: this runs for
    # every credit of a line, and a line may be megabytes long)
    before_end = m.start()
    while before_end > 0 and s[before_end - 1].isspace():
        before_end -= 1
    last = s[before_end - 1] if before_end else ""
    if boundary and last and last not in _CAPTION_CLOSERS:
        return None
    end = m.end()
    if s[end : end + 1] == ".":
        end += 1
    if last and last in ".!?" and m.group().strip()[:1] != "(":
        # "Caption text. REUTERS/Name": the caption is the sentence before the credit.
        caption_end = before_end - 1
    else:
        caption_end = m.start()
    start = _sentence_start(s, caption_end)
    if start is None or len(s[start : m.start()].split()) > MAX_CAPTION_WORDS:
        start = m.start()
    return start, end


def _sentence_start(s: str, end: int) -> int | None:
    """Start of the sentence that contains offset ``end`` (None: further back than allowed)."""
    window = max(0, end - CAPTION_WINDOW)
    best = None
    for b in _SENTENCE_END.finditer(s, window, end):
        if not _is_abbreviation(s, b.start()):
            best = b.end()
    if best is None:
        return 0 if window == 0 else None
    return best


def _is_abbreviation(s: str, dot: int) -> bool:
    if s[dot] != ".":
        return False
    m = _LAST_TOKEN.search(s, max(0, dot - 20), dot + 1)
    if m is None:
        return False
    token = m.group(1)
    return (
        bool(_INITIALS.match(token)) or token.strip("(\"'“‘").rstrip(".").lower() in _ABBREVIATIONS
    )


# -- 4. repeated lines -------------------------------------------------------------


def _find_repeats(result: Analysis) -> None:
    seen: dict[str, int] = {}
    inline_rows = {f.row for f in result.inline}
    for line in result.lines:
        if line.blank or len(line.text) > _REPEAT_SCAN_CHARS:
            continue
        key = result.norm(line.row).casefold()
        first = seen.setdefault(key, line.row)
        if first == line.row or line.row in result.claims or line.row in inline_rows:
            continue
        if has_two_letters(key):
            result.repeats[line.row] = first
