"""Document, line index, binary sniffing and the fixer's edit application."""

from __future__ import annotations

import pytest

from corpuslint.document import Document, LineIndex, looks_binary
from corpuslint.fixer import apply_fixes, fix_until_stable
from corpuslint.model import Edit, Fix, Location, Span


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("abc", 0, (1, 1)),
        ("abc", 3, (1, 4)),
        ("ab\ncd", 3, (2, 1)),
        ("ab\r\ncd", 4, (2, 1)),
        ("ab\rcd", 3, (2, 1)),
        ("ab\r\ncd", 3, (1, 4)),  # between CR and LF: still line 1
        ("Zürich 北京\nx", 9, (1, 10)),  # columns count code points
        ("😀x", 1, (1, 2)),
        ("", 0, (1, 1)),
    ],
)
def test_line_index_location(text: str, offset: int, expected: tuple[int, int]) -> None:
    index = LineIndex(text)
    loc = index.location(offset)
    assert (loc.row, loc.column) == expected
    if text[offset - 1 : offset + 1] != "\r\n":
        assert index.offset(loc) == offset


def test_line_text_and_span() -> None:
    index = LineIndex("one\r\ntwo\n\nfour")
    assert [index.line_text(r) for r in range(1, 5)] == ["one", "two", "", "four"]
    assert index.line_span(1, with_terminator=True) == (0, 5)


@pytest.mark.parametrize(
    ("data", "binary"),
    [
        (b"plain text\n", False),
        (b"", False),
        (b"text with one NUL \x00 byte" + b" more text" * 20, False),
        (b"\x89PNG\r\n\x1a\n....", True),
        (b"%PDF-1.7 ...", True),
        (bytes(range(32)) * 50, True),
        ("\ufeffhello".encode("utf-16-le"), False),
        ("hello world".encode("utf-16-le"), False),
    ],
)
def test_looks_binary(data: bytes, binary: bool) -> None:
    assert looks_binary(data) is binary


def test_document_kinds() -> None:
    assert Document.from_bytes("a", b"ok\n").is_text
    bad = Document.from_bytes("a", b"caf\xe9\n")
    assert not bad.is_text and bad.decode_error == 3 and not bad.fixable
    assert bad.text.encode("utf-8", "surrogateescape") == b"caf\xe9\n"
    nul = Document.from_bytes("a", b"a\x00b\n")
    assert nul.is_text and not nul.fixable
    big = Document.from_bytes("a", b"x" * 10, too_large=True)
    assert big.too_large and not big.is_text and big.text == ""


def _fix(start: int, end: int, content: str = "") -> Fix:
    return Fix.safe(Edit.replace(start, end, content))


@pytest.mark.parametrize(
    ("fixes", "expected", "applied"),
    [
        ([_fix(0, 1), _fix(2, 3)], "bdef", 2),
        ([_fix(0, 2), _fix(1, 3)], "cdef", 1),  # overlap: the later one waits
        ([_fix(6, 6, "!"), _fix(0, 0, ">")], ">abcdef!", 2),
        ([_fix(3, 3, "X"), _fix(3, 3, "Y")], "abcXdef", 1),  # two inserts at one point
        ([_fix(2, 4, "ZZ"), _fix(4, 5, "")], "abZZf", 2),  # adjacent is fine
        ([_fix(0, 99)], "abcdef", 0),  # out of range is never applied
    ],
)
def test_apply_fixes(fixes, expected: str, applied: int) -> None:
    text, done = apply_fixes("abcdef", fixes)
    assert text == expected and len(done) == applied


def test_fix_until_stable_is_bounded() -> None:
    from corpuslint.model import Diagnostic, Severity

    def ever_growing(text: str):
        return [
            Diagnostic(
                "X001", "x", "m", Severity.WARNING, "p", Span(0, 0), Fix.safe(Edit.insert(0, "x"))
            )
        ]

    outcome = fix_until_stable("", ever_growing, unsafe=False)
    assert not outcome.converged and outcome.passes == 10


def test_location_order() -> None:
    assert Location(1, 5) < Location(2, 1)
    assert Span(1, 3).overlaps(Span(2, 4)) and not Span(1, 2).overlaps(Span(2, 3))
