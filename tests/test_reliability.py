"""Reliability: every rule on hostile and very large inputs (issue 8).

Each test here is a row of the table in docs/reliability.md. Rules are taken from
the registry, so a rule added later is covered without touching this file. The
rows that need the whole program (files on disk, faults, concurrency) drive the
real console script: see tests/test_reliability_cli.py and
tests/test_reliability_faults.py.

Time is measured as CPU time of this process (robust on a shared machine). The
size tests check the bound the issue sets (no rule takes more than 30 s on a 20 MB
line) and that cost grows linearly: a rule that slows down more than
``LINEAR_SLACK`` times as much as its input grows is quadratic somewhere.
"""

from __future__ import annotations

import functools
import gc
import time
from pathlib import Path

import pytest

from corpuslint.document import Document
from corpuslint.errors import CorpuslintError
from corpuslint.fixer import fix_until_stable
from corpuslint.model import Diagnostic
from corpuslint.registry import load_registry
from corpuslint.rule import CheckContext, CorpusRule, DocumentRule, Rule

REGISTRY = load_registry()
CTX = CheckContext(max_file_size=64 * 1024 * 1024)
FIXTURES = Path(__file__).parent / "fixtures"
# The bound for one rule on a 20 MB single line.
MAX_SECONDS_PER_RULE = 30.0
# Growing the input 8 times may cost at most this many times 8 (plus a constant):
# linear code stays far below it, quadratic code (64 times) far above.
LINEAR_SLACK = 2.5


@functools.lru_cache(maxsize=1)
def all_rules() -> tuple[Rule, ...]:
    """Every installed rule with default options (those whose extra is missing left out)."""
    out = []
    for cls in REGISTRY.rules:
        try:
            out.append(cls())
        except CorpuslintError:  # e.g. DUP004 without the embeddings extra
            continue
    return tuple(out)


def run_all(doc: Document) -> dict[str, tuple[float, list[Diagnostic]]]:
    """Run every rule on ``doc`` as a worker does (one after another, sharing per-text
    caches); returns per rule its CPU seconds and findings. Any exception fails."""
    out: dict[str, tuple[float, list[Diagnostic]]] = {}
    for rule in all_rules():
        if rule.requires_text and not doc.is_text:
            continue
        start = time.process_time()
        try:
            if isinstance(rule, DocumentRule):
                found = [d.resolve(doc) for d in rule.check(doc, CTX)]
            else:
                assert isinstance(rule, CorpusRule)
                rule.summarize(doc)
                found = []
        except Exception as exc:
            raise AssertionError(f"{rule.code} raised {type(exc).__name__}: {exc}") from exc
        out[rule.code] = (time.process_time() - start, found)
    return out


@functools.lru_cache(maxsize=1)
def fixture_lines() -> tuple[str, ...]:
    """Lines of the rule fixtures (text with no control characters): real article text,
    boilerplate, mojibake, MT garble."""
    lines = []
    for path in sorted(FIXTURES.rglob("*.txt")):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        for line in text.splitlines():
            if line.strip() and not any(ord(c) < 32 and c != "\t" for c in line):
                lines.append(line.strip())
    return tuple(lines)


def repeat_to(unit: str, size: int) -> str:
    return (unit * (size // len(unit) + 1))[:size]


# -- hostile content: every rule ------------------------------------------------------

HOSTILE: dict[str, bytes] = {
    "empty": b"",
    "whitespace-only": "  \n\t\n \r\n\u3000\u00a0\n".encode(),
    "nul-bytes": b"Some text\x00 with NUL\x00\x00 bytes in it.\n",
    "only-nul": b"\x00" * 64,
    "utf16-bom": "Text saved as UTF-16 with a BOM.\nSecond line.\n".encode("utf-16"),
    "utf16-no-bom": "Text saved as UTF-16 without a BOM.\n".encode("utf-16-le"),
    "utf8-bom-only": b"\xef\xbb\xbf",
    "bytes-decoding-to-surrogates": b"Caf\xe9 au lait \xff\xfe and \xed\xa0\x80 more.\n",
    "crlf-only": b"\r\n" * 40,
    "cr-only": b"\r" * 40,
    "mixed-line-endings": b"one\r\ntwo\rthree\nfour\r\n\r\r\n",
    "mixed-scripts": "Привет мир. Hello 世界. مرحبا بالعالم. שלום. नमस्ते. 😀👨‍👩‍👧\n".encode(),
    "controls": bytes(range(32)) + b"text\x7f\x1b[31m red\n",
    "c1-and-replacement": "\x85\x96 text \ufffd\ufffd \u200b\u202e\ufeff\n".encode(),
    "combining-marks": ("e" + "\u0301" * 500 + " ").encode() * 20,
    "one-long-word": b"a" * 100_000,
    "binary-magic": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
    "ten-thousand-findings": b"Advertisement  \n" * 5_000 + b"word \xc3\xa9\xc2\xa0 \n" * 5_000,
}


@pytest.mark.parametrize("case", HOSTILE)
def test_every_rule_survives_hostile_content(case: str) -> None:
    """No rule raises; every finding is well formed; fixes converge and are idempotent."""
    raw = HOSTILE[case]
    doc = Document.from_bytes(f"{case}.txt", raw)
    results = run_all(doc)
    assert results, "no rule ran"
    for code, (_seconds, found) in results.items():
        for d in found:
            if d.span is not None:
                assert 0 <= d.span.start <= d.span.end <= len(doc.text), (code, d.span)
    if not doc.fixable:
        assert not doc.is_text or "\x00" in doc.text
        return
    rules = [r for r in all_rules() if isinstance(r, DocumentRule)]

    def check(text: str) -> list[Diagnostic]:
        d = Document.from_text(doc.path, text)
        return [x for r in rules if d.is_text or not r.requires_text for x in r.check(d, CTX)]

    fixed = fix_until_stable(doc.text, check, unsafe=True)
    assert fixed.converged
    assert fix_until_stable(fixed.text, check, unsafe=True).text == fixed.text


def test_lone_surrogates_in_text_given_to_rules() -> None:
    """A ``str`` holding lone surrogates (surrogate escapes and others) passed straight
    to every rule, as a plugin or a test may do: no rule raises."""
    text = "date: 2024-01-01 Caf\udce9 \udcff\udcfe said \ud800 it.\n\udc80 More text here."
    raw = text.encode("utf-8", "surrogatepass")
    run_all(Document("x.txt", raw, text, size=len(raw)))
    # and as the bytes they stand for: not UTF-8, so not text; the byte rules run
    doc = Document.from_bytes("x.txt", raw)
    assert not doc.is_text
    assert "FMT003" in run_all(doc)


# -- size: linear cost -------------------------------------------------------------------

# Shapes of text that once made a rule quadratic, or that stress one: (unit repeated to
# the size, size of the large run). The small run is an eighth of it.
SHAPES: dict[str, tuple[str, int]] = {
    "one-long-word": ("a", 512_000),
    "glued-sentences": ("ab.Cd-", 400_000),
    "credits-in-one-line": ("Hé said. “Yes” — (AP Photo/X) ", 1_000_000),
    "combining-marks": ("e\u0301", 512_000),
    "mojibake-words": ("Ã© ", 96_000),
    "zero-width": ("a\u200b", 128_000),
    # MT001 flags it, and its message ranks sentences by the signals they hold
    "garbled-sentences": (
        "Officials met in Tehran on Monday to discuss the deal. can be done. did. The talks "
        "ended late in the evening. I rely on you. Russia approved. . The minister left.\n",
        512_000,
    ),
}


def _prose(size: int, sep: str) -> str:
    return repeat_to(sep.join(fixture_lines()) + sep, size)


def _shape_text(shape: str, size: int) -> str:
    if shape == "fixture-lines":
        return _prose(size, "\n")
    if shape == "fixture-prose-one-line":
        return _prose(size, " ")
    return repeat_to(SHAPES[shape][0], size)


_SCALED = {
    **SHAPES,
    "fixture-lines": ("", 1_000_000),
    "fixture-prose-one-line": ("", 1_000_000),
}


@pytest.mark.slow
@pytest.mark.parametrize("shape", _SCALED)
def test_rules_scale_linearly(shape: str) -> None:
    """Every rule on an input of this shape and on one eight times larger: the cost may
    grow at most LINEAR_SLACK * 8 times (quadratic code grows 64 times)."""
    large = _SCALED[shape][1]
    run_all(Document.from_text("warm.txt", _shape_text(shape, 2000)))  # lazy tables, imports
    # without the cyclic GC, whose passes cost more the more objects the process holds
    gc.collect()
    gc.disable()
    try:
        small = run_all(Document.from_text("small.txt", _shape_text(shape, large // 8)))
        big = run_all(Document.from_text("large.txt", _shape_text(shape, large)))
    finally:
        gc.enable()
    slow = {
        code: (round(small[code][0], 3), round(seconds, 3))
        for code, (seconds, _found) in big.items()
        if seconds > 8 * LINEAR_SLACK * small[code][0] + 0.05
    }
    assert not slow, f"superlinear on {shape!r} (seconds small, large): {slow}"


def _budget_check(doc: Document) -> dict[str, tuple[float, list[Diagnostic]]]:
    gc.collect()
    results = run_all(doc)
    slow = {c: round(t, 1) for c, (t, _) in results.items() if t > MAX_SECONDS_PER_RULE}
    assert not slow, f"rules over {MAX_SECONDS_PER_RULE} s: {slow}"
    return results


@pytest.mark.slow
def test_twenty_megabyte_single_line() -> None:
    """A 20 MB file that is one line (article text joined by spaces): every rule runs
    within the bound, and findings on it keep only a window of the line for display."""
    doc = Document.from_text("big.txt", _prose(20_000_000, " "))
    assert doc.line_index.line_count == 1
    results = _budget_check(doc)
    for _code, (_t, found) in results.items():
        for d in found:
            assert all(len(sl.text) <= 3 * 1000 for sl in d.source_lines)


@pytest.mark.slow
def test_two_hundred_thousand_short_lines() -> None:
    """200,000 short lines (article lines cut short, numbered): every rule within the
    bound. Rules that pair lines with lines (repeats, sentences with signals) stay linear."""
    lines = fixture_lines()
    text = "".join(f"{lines[i % len(lines)][:32]} {i:06x}\n" for i in range(200_000))
    doc = Document.from_text("many.txt", text)
    assert doc.line_index.line_count == 200_001
    _budget_check(doc)
