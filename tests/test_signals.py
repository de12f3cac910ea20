"""corpuslint.signals: per-document figures aggregated from findings (the reusable part)."""

from __future__ import annotations

import pytest
from corpuslint.rules.mt.analysis import EngineConfig

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Severity, Span
from corpuslint.signals import SignalOptions, corpus_signals, document_signals

TEXT = (
    "date: 2024-03-20\n"
    "Advertisement\n"
    "The council met on Tuesday. It approved the budget.\n"
    "Read more\n"
    "CafÃ© owners were pleased, the mayor said.\n"
)


def finding(code: str, name: str, row: int | None, data: dict | None = None) -> Diagnostic:
    doc = Document.from_text("a.txt", TEXT)
    span = None
    if row is not None:
        start = doc.line_index.starts[row - 1]
        span = Span(start, start + 1)
    d = Diagnostic(code, name, "m", Severity.WARNING, "a.txt", span, data=data or {})
    return d.resolve(doc)


@pytest.mark.parametrize(
    ("findings", "field", "expected"),
    [
        ([], "boilerplate_line_share", 0.0),
        ([finding("BP001", "ad-marker", 2)], "boilerplate_line_share", 0.2),
        (
            [finding("BP001", "ad-marker", 2), finding("BP002", "navigation", 4)],
            "boilerplate_line_share",
            0.4,
        ),
        (  # two findings on one line count the line once
            [finding("BP001", "ad-marker", 2), finding("BP009", "other", 2)],
            "boilerplate_line_share",
            0.2,
        ),
        ([finding("BP010", "repeated-line", None)], "boilerplate_line_share", 1.0),
        ([finding("ENC001", "mojibake", 5)], "mojibake_count", 1),
        (
            [finding("ENC001", "mojibake", 5), finding("ENC004", "invisible-character", 3)],
            "encoding_findings",
            2,
        ),
        ([finding("ENC004", "invisible-character", 3)], "mojibake_count", 0),
        ([], "duplicate", None),
        (
            [finding("DUP002", "near-duplicate", None, {"cluster": "x.txt", "jaccard": 0.9})],
            "duplicate",
            {"codes": ["DUP002"], "cluster": "x.txt", "jaccard": 0.9},
        ),
        (
            [
                finding("DUP001", "exact-duplicate", None, {"duplicate_of": "o.txt"}),
                finding("DUP002", "near-duplicate", None, {"duplicate_of": "p.txt"}),
            ],
            "duplicate",
            {"codes": ["DUP001", "DUP002"], "duplicate_of": "o.txt"},
        ),
        ([finding("FMT007", "trailing-whitespace", 3)], "findings", {"FMT007": 1}),
        ([], "words", 23),  # \w+ runs: date 2024 03 20 = 4, ... CafÃ = 1
        ([], "lines", 5),
    ],
)
def test_document_figures(findings: list, field: str, expected) -> None:
    doc = Document.from_text("a.txt", TEXT)
    rec = document_signals(doc, findings, SignalOptions())
    assert rec[field] == expected
    assert "mt" not in rec


def test_mt_figures_per_sentence() -> None:
    doc = Document.from_text("a.txt", TEXT)
    rec = document_signals(doc, [], SignalOptions(mt=EngineConfig()))
    mt = rec["mt"]
    assert mt["sentences"] == 3  # header and boilerplate lines left out
    rows = [s["row"] for s in mt["sentence_records"]]
    assert rows == [3, 3, 5]
    assert 0.0 <= mt["score"] <= 1.0 and 0.0 <= mt["flagged_sentence_share"] <= 1.0
    without = document_signals(doc, [], SignalOptions(mt=EngineConfig(), sentences=False))
    assert "sentence_records" not in without["mt"]


def test_corpus_signals_groups_findings_by_path() -> None:
    docs = [Document.from_text("a.txt", TEXT), Document.from_text("b.txt", "Plain text.\n")]
    bp = finding("BP001", "ad-marker", 2)
    recs = list(corpus_signals(docs, [bp], SignalOptions()))
    assert [r["path"] for r in recs] == ["a.txt", "b.txt"]
    assert recs[0]["findings"] == {"BP001": 1} and recs[1]["findings"] == {}


def test_binary_document_has_no_mt_record() -> None:
    doc = Document.from_bytes("x.txt", b"\x89PNG\r\n\x1a\n" + bytes(100))
    rec = document_signals(doc, [], SignalOptions(mt=EngineConfig()))
    assert rec["mt"] is None and rec["words"] == 0
