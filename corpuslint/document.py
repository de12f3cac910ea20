"""A file as rules see it: raw bytes, decoded text and a lazily built line index."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property

from corpuslint.model import Location

# Line terminators: LF, CRLF and a lone CR all end a line (universal newlines).
_NEWLINE = re.compile(r"\r\n|\r|\n")

# Magic numbers of common binary formats that sometimes get a .txt name.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"\xff\xd8\xff",
    b"GIF8",
    b"BZh",
    b"\xfd7zXZ",
    b"SQLite format 3\x00",
    b"\xd0\xcf\x11\xe0",
)
_SNIFF_BYTES = 8192
# Bytes that plain text never contains in bulk: C0 controls other than \t \n \f \r.
_NON_TEXT_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13)) + b"\x7f"


def looks_binary(head: bytes) -> bool:
    """True when the first bytes of a file say it is not text.

    A known magic number decides at once. Otherwise a file is binary when more
    than 10% of its first 8 KiB are control bytes: a stray NUL in an article is a
    text problem (a finding), a PNG renamed to ``.txt`` is not. UTF-16/32 text
    (a BOM, or NUL between ASCII letters) is text in the wrong encoding, not binary.
    """
    if head.startswith(_BINARY_MAGIC):
        return True
    sample = head[:_SNIFF_BYTES]
    if not sample:
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        return False
    non_text = len(sample) - len(sample.translate(None, _NON_TEXT_BYTES))
    if non_text * 10 <= len(sample):
        return False
    return not _looks_utf16(sample)


def _looks_utf16(sample: bytes) -> bool:
    """ASCII text encoded as UTF-16 without a BOM: every other byte is NUL."""
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) * 2 >= len(even) or odd.count(0) * 2 >= len(odd)


class LineIndex:
    """Maps character offsets to 1-based rows and code-point columns."""

    def __init__(self, text: str) -> None:
        self._text = text
        starts = [0]
        starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def location(self, offset: int) -> Location:
        offset = max(0, min(offset, len(self._text)))
        row = bisect_right(self.starts, offset)
        return Location(row, offset - self.starts[row - 1] + 1)

    def offset(self, location: Location) -> int:
        return self.starts[location.row - 1] + location.column - 1

    def line_span(self, row: int, *, with_terminator: bool = False) -> tuple[int, int]:
        """Offsets of line ``row`` (1-based), without its terminator unless asked."""
        start = self.starts[row - 1]
        end = self.starts[row] if row < len(self.starts) else len(self._text)
        if not with_terminator:
            while end > start and self._text[end - 1] in "\r\n":
                end -= 1
        return start, end

    def line_text(self, row: int) -> str:
        start, end = self.line_span(row)
        return self._text[start:end]


@dataclass
class Document:
    """One file to check.

    ``text`` is the UTF-8 decoding of ``raw``. A file that is not valid UTF-8
    is decoded with ``surrogateescape`` so that offsets still line up with its
    bytes; ``is_text`` is then False and only byte-level rules run on it, and no
    fix ever rewrites it. Binary files and files over the size limit are never
    decoded at all (``text`` is empty, ``raw`` holds at most the first bytes).
    """

    path: str
    raw: bytes
    text: str = ""
    size: int = 0
    is_binary: bool = False
    too_large: bool = False
    decode_error: int | None = None  # byte offset of the first invalid UTF-8 byte
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_bytes(
        cls, path: str, raw: bytes, *, size: int | None = None, too_large: bool = False
    ) -> Document:
        size = len(raw) if size is None else size
        if too_large:
            return cls(
                path, raw[:_SNIFF_BYTES], size=size, too_large=True, is_binary=looks_binary(raw)
            )
        if looks_binary(raw):
            return cls(path, raw[:_SNIFF_BYTES], size=size, is_binary=True)
        try:
            return cls(path, raw, raw.decode("utf-8"), size=size)
        except UnicodeDecodeError as err:
            text = raw.decode("utf-8", "surrogateescape")
            return cls(path, raw, text, size=size, decode_error=err.start)

    @classmethod
    def from_text(cls, path: str, text: str) -> Document:
        """A document from text (tests, fixes): always valid UTF-8."""
        raw = text.encode("utf-8", "surrogatepass")
        return cls.from_bytes(path, raw)

    @property
    def is_text(self) -> bool:
        """True when text rules may run and fixes may rewrite the file."""
        return not (self.is_binary or self.too_large or self.decode_error is not None)

    @property
    def fixable(self) -> bool:
        """Fixes are never written to non-text files or files holding NUL bytes."""
        return self.is_text and "\x00" not in self.text

    @cached_property
    def line_index(self) -> LineIndex:
        return LineIndex(self.text)

    @property
    def name(self) -> str:
        return self.path.replace("\\", "/").rsplit("/", 1)[-1]
