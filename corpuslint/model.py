"""The data model every rule and emitter shares.

Rules work in character offsets (``Span``); rows and columns (1-based, columns in
code points) are attached by ``Diagnostic.resolve`` only when a finding leaves the
worker that produced it, so emitters never need the document again.
"""

from __future__ import annotations

import enum
import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpuslint.document import Document


class Applicability(str, enum.Enum):
    """How safe a fix is to apply (ruff's model)."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


class Severity(str, enum.Enum):
    """How bad a finding is; ``fail-level`` compares against it."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    @classmethod
    def parse(cls, value: str) -> Severity:
        try:
            return cls(value.lower())
        except ValueError:
            choices = ", ".join(s.value for s in cls)
            raise ValueError(f"expected one of {choices}, got {value!r}") from None


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class FixAvailability(str, enum.Enum):
    """Whether a rule can offer fixes: never, for some findings, or always."""

    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


@dataclass(frozen=True, order=True)
class Span:
    """Half-open range ``[start, end)`` of character offsets into a document's text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"invalid span {self.start}..{self.end}")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: Span) -> bool:
        """True when the spans share a character, or are both insertions at one point."""
        if self.start == self.end or other.start == other.end:
            return self.start == other.start or (
                self.start < other.start < self.end or other.start < self.start < other.end
            )
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, order=True)
class Location:
    """A 1-based row and column (column in code points)."""

    row: int
    column: int


# How much of a line a Diagnostic keeps for display (``SourceLine``): a line up to
# KEEP_WHOLE_LINE code points is kept whole; a longer one only as a window of
# LINE_WINDOW_MARGIN code points around the part that matters (at most
# LINE_MAX_FOCUS of it), so a finding in a 20 MB single-line file stays small.
KEEP_WHOLE_LINE = 2000
LINE_WINDOW_MARGIN = 200
LINE_MAX_FOCUS = 1000
# Rows kept of a span that covers many lines (first ones, then last ones), and
# how many of a fix's edits get their lines kept (for showing the fix as a diff).
SPAN_HEAD_ROWS = 3
SPAN_TAIL_ROWS = 2
FIX_EDITS_SHOWN = 6


@dataclass(frozen=True)
class SourceLine:
    """A line of the document kept for display, e.g. by the ``full`` output format.

    ``text`` is the line without its terminator, or, for a long line, a window of
    it that starts at code-point ``column`` (1-based); ``length`` is the length of
    the whole line, so ``column + len(text) - 1 < length`` means the window stops
    before the end of the line. ``terminator`` is the line's ending ("\n",
    "\r\n", "\r", or "" on the last line).
    """

    row: int
    text: str
    column: int = 1
    length: int = 0
    terminator: str = ""

    @property
    def clipped_start(self) -> bool:
        return self.column > 1

    @property
    def clipped_end(self) -> bool:
        return self.column - 1 + len(self.text) < self.length


@dataclass(frozen=True)
class Edit:
    """Replace ``span`` with ``content`` (an empty span inserts, empty content deletes)."""

    span: Span
    content: str
    location: Location | None = None
    end_location: Location | None = None

    @classmethod
    def delete(cls, start: int, end: int) -> Edit:
        return cls(Span(start, end), "")

    @classmethod
    def insert(cls, at: int, content: str) -> Edit:
        return cls(Span(at, at), content)

    @classmethod
    def replace(cls, start: int, end: int, content: str) -> Edit:
        return cls(Span(start, end), content)


@dataclass(frozen=True)
class Fix:
    """One or more edits that repair a finding together, with how safe they are."""

    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE
    message: str | None = None

    @classmethod
    def safe(cls, *edits: Edit, message: str | None = None) -> Fix:
        return cls(tuple(edits), Applicability.SAFE, message)

    @classmethod
    def unsafe(cls, *edits: Edit, message: str | None = None) -> Fix:
        return cls(tuple(edits), Applicability.UNSAFE, message)

    @classmethod
    def display_only(cls, *edits: Edit, message: str | None = None) -> Fix:
        return cls(tuple(edits), Applicability.DISPLAY_ONLY, message)

    @property
    def span(self) -> Span:
        return Span(min(e.span.start for e in self.edits), max(e.span.end for e in self.edits))

    def is_applicable(self, unsafe: bool) -> bool:
        if self.applicability is Applicability.SAFE:
            return True
        return unsafe and self.applicability is Applicability.UNSAFE


@dataclass
class Diagnostic:
    """One finding.

    ``span`` is None for a finding about the whole file. ``data`` carries
    structured facts for machine-readable output (the matching file of a
    duplicate, a garble score, a byte offset).
    """

    code: str
    name: str
    message: str
    severity: Severity
    path: str
    span: Span | None = None
    fix: Fix | None = None
    data: dict[str, Any] = field(default_factory=dict)
    # Filled in by ``resolve`` once the document is known:
    location: Location | None = None
    end_location: Location | None = None
    source_line: str | None = None  # the span's first line (a window of it if very long)
    # The span's lines and the lines the fix's first edits touch, for display.
    source_lines: tuple[SourceLine, ...] = ()

    def resolve(self, doc: Document) -> Diagnostic:
        """Attach row/column locations (and the source lines) computed from ``doc``."""
        location = doc.line_index.location
        focus: dict[int, tuple[int, int]] = {}  # row -> offsets of what matters on it
        if self.span is None:
            start = end = Location(1, 1)
        else:
            start, end = location(self.span.start), location(self.span.end)
            _add_focus(focus, doc, self.span, start, end)
        fix = self.fix
        if fix is not None:
            edits = tuple(
                Edit(e.span, e.content, location(e.span.start), location(e.span.end))
                for e in fix.edits
            )
            fix = Fix(edits, fix.applicability, fix.message)
            for e in first_edits(edits):
                joins = may_join_next_line(e)
                if e.span != self.span or joins:
                    _add_focus(focus, doc, e.span, e.location, e.end_location, keep_end=joins)
        lines = tuple(_source_line(doc, row, lo, hi) for row, (lo, hi) in sorted(focus.items()))
        line = None
        if self.span is not None:
            line = next((sl.text for sl in lines if sl.row == start.row), None)
        # A shallow copy (dataclasses.replace is several times slower, and this runs
        # once per finding).
        out = object.__new__(type(self))
        out.__dict__.update(self.__dict__)
        out.location, out.end_location, out.fix = start, end, fix
        out.source_line, out.source_lines = line, lines
        return out

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is not Applicability.DISPLAY_ONLY

    def sort_key(self) -> tuple:
        loc = self.location or Location(0, 0)
        return (self.path, loc.row, loc.column, self.code, self.message)


def first_edits(edits: tuple[Edit, ...]) -> list[Edit]:
    """The FIX_EDITS_SHOWN edits that come first in the text (their lines are kept)."""
    if len(edits) <= FIX_EDITS_SHOWN:
        return sorted(edits, key=_edit_order)
    return heapq.nsmallest(FIX_EDITS_SHOWN, edits, key=_edit_order)


def _edit_order(edit: Edit) -> tuple[int, int]:
    return edit.span.start, edit.span.end


def may_join_next_line(edit: Edit) -> bool:
    """True when a (resolved) edit ends at the start of a line and may join that line to
    the text before it (deleting the line end of ``a\nb``), so that line is kept too."""
    start, end = edit.location, edit.end_location
    if start is None or end is None or end.column != 1 or end.row == start.row:
        return False
    return not edit.content.endswith(("\n", "\r"))


def _span_rows(start: Location, end: Location, *, keep_end: bool = False) -> range | list[int]:
    """Rows of a span worth showing: a span ending at column 1 does not show that row
    (unless ``keep_end``)."""
    last = end.row - 1 if end.row > start.row and end.column == 1 and not keep_end else end.row
    if last - start.row + 1 <= SPAN_HEAD_ROWS + SPAN_TAIL_ROWS + 1:
        return range(start.row, last + 1)
    head = range(start.row, start.row + SPAN_HEAD_ROWS)
    return [*head, *range(last - SPAN_TAIL_ROWS + 1, last + 1)]


def _add_focus(
    focus: dict[int, tuple[int, int]],
    doc: Document,
    span: Span,
    start: Location,
    end: Location,
    *,
    keep_end: bool = False,
) -> None:
    """Record, per row, the offsets of the part of ``span`` on that row."""
    starts = doc.line_index.starts
    for row in _span_rows(start, end, keep_end=keep_end):
        # the line's offsets with its terminator; clamping to them is enough here
        line_start = starts[row - 1]
        line_end = starts[row] if row < len(starts) else len(doc.text)
        lo = span.start if span.start > line_start else line_start
        hi = span.end if span.end < line_end else line_end
        if row in focus:
            old_lo, old_hi = focus[row]
            lo, hi = min(lo, old_lo), max(hi, old_hi)
        focus[row] = (lo, hi)


def _source_line(doc: Document, row: int, lo: int, hi: int) -> SourceLine:
    """Line ``row`` of ``doc``, whole or (when long) a window around offsets ``lo..hi``."""
    starts = doc.line_index.starts
    text = doc.text
    line_start = starts[row - 1]
    full_end = starts[row] if row < len(starts) else len(text)
    line_end = full_end
    while line_end > line_start and text[line_end - 1] in "\r\n":
        line_end -= 1
    terminator = text[line_end:full_end]
    length = line_end - line_start
    if length <= KEEP_WHOLE_LINE:
        return SourceLine(row, text[line_start:line_end], 1, length, terminator)
    hi = min(hi, lo + LINE_MAX_FOCUS)
    a = max(line_start, lo - LINE_WINDOW_MARGIN)
    b = min(line_end, hi + LINE_WINDOW_MARGIN)
    return SourceLine(row, text[a:b], a - line_start + 1, length, terminator)
