"""The data model every rule and emitter shares.

Rules work in character offsets (``Span``); rows and columns (1-based, columns in
code points) are attached by ``Diagnostic.resolve`` only when a finding leaves the
worker that produced it, so emitters never need the document again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
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
    source_line: str | None = None

    def resolve(self, doc: Document) -> Diagnostic:
        """Attach row/column locations (and the source line) computed from ``doc``."""
        index = doc.line_index
        if self.span is None:
            start = end = Location(1, 1)
            line = None
        else:
            start = index.location(self.span.start)
            end = index.location(self.span.end)
            line = index.line_text(start.row)
        fix = self.fix
        if fix is not None:
            fix = replace(
                fix,
                edits=tuple(
                    replace(
                        e,
                        location=index.location(e.span.start),
                        end_location=index.location(e.span.end),
                    )
                    for e in fix.edits
                ),
            )
        return replace(self, location=start, end_location=end, source_line=line, fix=fix)

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is not Applicability.DISPLAY_ONLY

    def sort_key(self) -> tuple:
        loc = self.location or Location(0, 0)
        return (self.path, loc.row, loc.column, self.code, self.message)
