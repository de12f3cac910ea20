"""``full``: the concise line, the source with carets under the span, the fix as a diff.

Modelled on ruff's full output::

    seeds/002.txt:7:10: FMT007 [*] Trailing whitespace (space)
      |
    7 | Some text
      |          ^^ FMT007
      |
      = help: Remove trailing whitespace

    ℹ Safe fix
    7   |-Some text
      7 |+Some text

Findings about a whole file (no span) get the header line only. Long lines are
cut to a window around the span (``…`` marks a cut); control characters are
shown as their Unicode pictures (``␇``), invisible and undecodable characters
as ``�``, so nothing in a document can reach the terminal as a control sequence.
The diff covers the fix's first edits (the lines a Diagnostic keeps, see
``corpuslint.model.SourceLine``). ANSI colours only when ``EmitContext.color``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple, TextIO

from corpuslint.emitters import EmitContext
from corpuslint.emitters.common import printable
from corpuslint.emitters.concise import format_line, summary
from corpuslint.model import (
    Applicability,
    Diagnostic,
    Edit,
    Location,
    SourceLine,
    first_edits,
)

MAX_WIDTH = 120  # code points of one line shown; longer lines are cut around the span
CONTEXT = 40  # code points kept before the span when a line is cut
TAB = "    "
CUT = "…"
# Stands for a cut inside the text a diff is computed on (U+FFFF is a noncharacter:
# it never occurs in real text).
_CUT_MARK = "\uffff"
_CUT_MARK_CODE = ord(_CUT_MARK)
_CR_SHOWN = "\u240d"  # ␍
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")

_FIX_TITLE = {
    Applicability.SAFE: "Safe fix",
    Applicability.UNSAFE: "Unsafe fix",
    Applicability.DISPLAY_ONLY: "Display-only fix",
}

# ANSI styles (used only when ctx.color is true).
_BOLD, _RED, _GREEN, _BLUE, _RESET = "\x1b[1m", "\x1b[1;31m", "\x1b[32m", "\x1b[1;34m", "\x1b[0m"


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, style: str) -> str:
        return f"{style}{text}{_RESET}" if self.color and text else text


# -- characters as they are shown ------------------------------------------------------


def _glyph(ch: str) -> tuple[str, int]:
    """How one character is shown and how many terminal cells it takes."""
    code = ord(ch)
    if ch == "\t":
        return TAB, len(TAB)
    if code < 0x20:
        return chr(0x2400 + code), 1  # ␀ .. ␟
    if code == 0x7F:
        return "\u2421", 1  # ␡
    if code < 0x7F:
        return ch, 1
    if code < 0xA0:  # C1 controls
        return "\ufffd", 1
    if code == _CUT_MARK_CODE:
        return CUT, 1
    category = unicodedata.category(ch)
    if category in ("Cs", "Cf", "Zl", "Zp", "Co"):  # surrogates, invisible, separators
        return "\ufffd", 1
    if category in ("Mn", "Me"):
        return ch, 0
    return ch, 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def visible(text: str) -> str:
    """``text`` as shown: control and invisible characters replaced (see ``_glyph``)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_glyph(ch)[0] for ch in text)


def _cells(text: str) -> int:
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(_glyph(ch)[1] for ch in text)


# -- the snippet -------------------------------------------------------------------------


@dataclass
class _Row:
    """One source line to show, with the columns (1-based, end exclusive) to underline."""

    line: SourceLine
    start: int
    end: int


def _cut(n: int, a: int, clipped: bool) -> tuple[int, int]:
    """The window ``[lo, hi)`` of ``n`` characters shown when the underline starts at ``a``."""
    if n <= MAX_WIDTH and not clipped:
        return 0, n
    lo = max(0, a - CONTEXT)
    hi = min(n, lo + MAX_WIDTH)
    return max(0, min(lo, hi - MAX_WIDTH)), hi


def _render_row(row: _Row) -> tuple[str, str]:
    """The line as shown and the caret line under it (both without the gutter)."""
    sl = row.line
    n = len(sl.text)
    a = min(max(row.start - sl.column, 0), n)
    b = min(max(row.end - sl.column, a), n)
    lo, hi = _cut(n, a, sl.clipped_start or sl.clipped_end)
    head = CUT if lo > 0 or sl.clipped_start else ""
    tail = CUT if hi < n or sl.clipped_end else ""
    shown = head + visible(sl.text[lo:hi]) + tail
    a, b = max(a, lo), min(max(b, a), hi)
    pad = _cells(head) + _cells(sl.text[lo:a])
    width = max(1, _cells(sl.text[a:b]))
    return shown, " " * pad + "^" * width


def _snippet_rows(d: Diagnostic) -> list[_Row]:
    if d.location is None or d.end_location is None:
        return []
    lines = d.source_lines
    if not lines and d.source_line is not None:  # a result cached by an older version
        lines = (SourceLine(d.location.row, d.source_line, 1, len(d.source_line)),)
    start, end = d.location, d.end_location
    last = end.row - 1 if end.row > start.row and end.column == 1 else end.row
    rows = []
    for sl in lines:
        if not start.row <= sl.row <= last:
            continue
        a = start.column if sl.row == start.row else 1
        b = end.column if sl.row == end.row else sl.length + 1
        rows.append(_Row(sl, a, b))
    return rows


def _snippet(d: Diagnostic, rows: list[_Row], width: int, s: _Style) -> list[str]:
    bar = s("|", _BLUE)
    empty = f"{' ' * width} {bar}"
    out = [empty]
    previous = None
    for i, row in enumerate(rows):
        if previous is not None and row.line.row > previous + 1:
            out.append(f"{s(CUT.rjust(width), _BLUE)} {bar}")
        previous = row.line.row
        shown, carets = _render_row(row)
        out.append(
            f"{s(str(row.line.row).rjust(width), _BLUE)} {bar}" + (f" {shown}" if shown else "")
        )
        label = f" {d.code}" if i == len(rows) - 1 else ""
        indent = len(carets) - len(carets.lstrip(" "))
        out.append(f"{empty} {' ' * indent}{s(carets[indent:] + label, _RED)}")
    out.append(empty)
    return out


# -- the fix as a diff -----------------------------------------------------------------------


@dataclass
class _Hunk:
    first: int  # first row
    last: int  # last row
    edits: list[Edit]


class _Applied(NamedTuple):
    hunk: _Hunk
    before: list[str]  # the hunk's lines, each with its line end
    after: list[str]  # the same after the edits


def _hunks(edits: list[Edit]) -> list[_Hunk]:
    """Edits grouped by the rows they touch (edits on shared rows form one hunk)."""
    hunks: list[_Hunk] = []
    for e in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        assert e.location is not None and e.end_location is not None
        first, last = e.location.row, e.end_location.row
        if last > first and e.end_location.column == 1:
            last -= 1  # ends at the start of a line (``_applied`` adds it if it gets joined)
        if hunks and first <= hunks[-1].last:
            hunks[-1].last = max(hunks[-1].last, last)
            hunks[-1].edits.append(e)
        else:
            hunks.append(_Hunk(first, last, [e]))
    return hunks


def _split_lines(text: str) -> list[str]:
    """Lines keeping their terminators (LF, CRLF or CR, as the line index counts them)."""
    return _LINE.findall(text)


def _apply(hunk: _Hunk, lines: dict[int, SourceLine]) -> tuple[list[str], list[str]] | None:
    """The hunk's lines before and after its edits, or None if they were not all kept."""
    parts: list[str] = []
    row_at: dict[int, int] = {}  # row -> offset of its (window) text in the joined string
    pos = 0
    for row in range(hunk.first, hunk.last + 1):
        sl = lines.get(row)
        if sl is None:
            return None
        head = _CUT_MARK if sl.clipped_start else ""
        tail = _CUT_MARK if sl.clipped_end else ""
        row_at[row] = pos + len(head)
        piece = head + sl.text + tail + sl.terminator
        parts.append(piece)
        pos += len(piece)
    before = "".join(parts)

    def offset(loc: Location) -> int | None:
        if loc.row == hunk.last + 1 and loc.column == 1:
            return len(before)  # the end of the hunk's last line ending
        sl = lines.get(loc.row)
        if sl is None or loc.row not in row_at:
            return None
        i = loc.column - sl.column
        if not 0 <= i <= len(sl.text):
            return None
        if i == len(sl.text) and sl.clipped_end:
            return None  # the edit reaches past the window kept of a long line
        return row_at[loc.row] + i

    pieces = []
    cursor = 0
    for e in hunk.edits:
        assert e.location is not None and e.end_location is not None
        a, b = offset(e.location), offset(e.end_location)
        if a is None or b is None or a < cursor or b < a:
            return None
        pieces += [before[cursor:a], e.content]
        cursor = b
    pieces.append(before[cursor:])
    return _split_lines(before), _split_lines("".join(pieces))


def _diff_text(line: str, lo: int) -> str:
    """A diff line as shown, cut at ``lo``: a CR or CRLF ending shows as ␍, LF not at all."""
    text = line[:-1] if line.endswith("\n") else line
    text = text[:-1] + _CR_SHOWN if text.endswith("\r") else text
    n = len(text)
    lo = min(lo, n)
    hi = min(n, lo + MAX_WIDTH)
    head = CUT if lo > 0 else ""
    tail = CUT if hi < n else ""
    return head + visible(text[lo:hi]) + tail


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _applied(hunks: list[_Hunk], lines: dict[int, SourceLine]) -> list[_Applied]:
    """Apply the hunks' edits; a hunk whose edits join the next line takes that line in."""
    out: list[_Applied] = []
    pending = list(reversed(hunks))
    while pending:
        hunk = pending.pop()
        while True:
            applied = _apply(hunk, lines)
            if applied is None:
                return out
            before, after = applied
            joined = (
                before
                and before[-1].endswith(("\n", "\r"))
                and after
                and not after[-1].endswith(("\n", "\r"))
            )
            if not joined:
                break
            hunk.last += 1  # the next line now continues the hunk's last line
            while pending and pending[-1].first <= hunk.last:
                merged = pending.pop()
                hunk.edits += merged.edits
                hunk.last = max(hunk.last, merged.last)
        out.append(_Applied(hunk, before, after))
    return out


def _diff(d: Diagnostic, width: int, s: _Style) -> list[str]:
    """``ℹ Safe fix`` and the fix's first edits as a diff with old and new row numbers."""
    assert d.fix is not None
    out = [s(f"ℹ {_FIX_TITLE[d.fix.applicability]}", _BOLD)]
    lines = {sl.row: sl for sl in d.source_lines}
    edits = [e for e in d.fix.edits if e.location and e.end_location]
    shown_edits = first_edits(tuple(edits))
    applied = _applied(_hunks(shown_edits), lines)
    if len(shown_edits) < len(edits):
        following = sorted(edits, key=lambda e: (e.span.start, e.span.end))[len(shown_edits)]
        assert following.location is not None
        if applied and following.location.row <= applied[-1].hunk.last:
            applied.pop()  # an edit not shown changes that row too: the diff would lie
    bar = s("|", _BLUE)
    blank = " " * width
    no_newline = f"{blank} {blank} {bar} \\ No newline at end of file"
    shift = 0  # rows added (or removed) by the hunks above
    shown = 0
    for hunk, before, after in applied:
        shown += len(hunk.edits)
        last = lines[hunk.last]
        at_eof = last.terminator == "" and not last.clipped_end
        matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "equal":
                for k in range(i2 - i1):
                    old = str(hunk.first + i1 + k).rjust(width)
                    new = str(hunk.first + shift + j1 + k).rjust(width)
                    text = _diff_text(before[i1 + k], 0)
                    out.append(f"{s(old, _BLUE)} {s(new, _BLUE)} {bar}" + (text and f" {text}"))
                continue
            lo = 0
            if i2 > i1 and j2 > j1:  # cut both sides alike, near where the lines differ
                longest = max(len(before[i1]), len(after[j1]))
                prefix = _common_prefix(before[i1], after[j1])
                lo = max(0, min(prefix - CONTEXT, longest - MAX_WIDTH))
            for i in range(i1, i2):
                old = str(hunk.first + i).rjust(width)
                text = _diff_text(before[i], lo)
                out.append(f"{s(old, _BLUE)} {blank} {bar}{s('-' + text, _RED)}")
                if at_eof and i == len(before) - 1 and not before[i].endswith(("\n", "\r")):
                    out.append(no_newline)
            for j in range(j1, j2):
                new = str(hunk.first + shift + j).rjust(width)
                text = _diff_text(after[j], lo)
                out.append(f"{blank} {s(new, _BLUE)} {bar}{s('+' + text, _GREEN)}")
                if at_eof and j == len(after) - 1 and not after[j].endswith(("\n", "\r")):
                    out.append(no_newline)
        shift += len(after) - len(before)
    rest = len(d.fix.edits) - shown
    if rest:
        what = f"{rest} more edit{'s' if rest != 1 else ''}" if shown else "the edits"
        out.append(f"{blank} {blank} {bar} {CUT} ({what} not shown)")
    return out


# -- one finding and the whole report ---------------------------------------------------------


def _gutter_width(d: Diagnostic, rows: list[_Row]) -> int:
    """Digits of the largest row number shown (the diff's new rows included)."""
    top = max((r.line.row for r in rows), default=1)
    if d.fix is not None and d.source_lines:
        added = sum(e.content.count("\n") for e in first_edits(d.fix.edits))
        top = max(top, max(sl.row for sl in d.source_lines) + added)
    return len(str(top))


def format_diagnostic(d: Diagnostic, ctx: EmitContext) -> list[str]:
    """The lines shown for one finding."""
    s = _Style(ctx.color)
    header = visible(format_line(d, ctx.unsafe_fixes))
    if ctx.color:
        loc, sep, rest = header.partition(f": {d.code} ")
        header = f"{s(loc, _BOLD)}: {s(d.code, _RED)} {rest}" if sep else header
    out = [header]
    rows = _snippet_rows(d) if d.span is not None else []
    width = _gutter_width(d, rows)
    if rows:
        out += _snippet(d, rows, width, s)
    if d.fix is not None:
        if d.fix.message:
            if not rows:
                out.append(f"{' ' * width} {s('|', _BLUE)}")
            help_text = visible(printable(d.fix.message))
            out.append(f"{' ' * width} {s('=', _BLUE)} {s('help', _BOLD)}: {help_text}")
        if d.fix.edits:
            out.append("")
            out += _diff(d, width, s)
    return [printable(line) for line in out]


def emit(diagnostics: list[Diagnostic], ctx: EmitContext, stream: TextIO) -> None:
    for d in diagnostics:
        stream.write("\n".join(format_diagnostic(d, ctx)) + "\n\n")
    if not ctx.quiet:
        for line in summary(diagnostics, ctx):
            stream.write(line + "\n")
