"""Property-based reliability tests over every installed rule (issue 8).

Every rule of the registry is covered, so a rule added later (or a plugin that is
installed) is tested without touching this file. Document rules are called
directly; corpus rules run through the real CLI on small temporary corpora.

Properties:

* every rule terminates without an exception on any text and any bytes
  (``test_rules_never_raise_on_text``, ``..._on_bytes``, ``..._on_surrogates``);
* findings are well formed: spans inside the text, a fix's edits inside the text
  and not overlapping each other (else the fixer would silently drop it);
* ``line:col`` round-trips (offset -> Location -> offset) and agrees with counting
  line breaks by hand;
* a fix changes only the spans its edits name, and every non-blank character it
  removes lies inside the span of the finding that carries it (no text is lost
  that no finding named);
* fixing is idempotent: fixing the fixed text again changes nothing;
* a SAFE fix leaves no finding of its code behind. For most rules one pass of the
  fixer is enough; the rules in ``FIX_NEEDS_LOOP`` may reveal a new finding of the
  same code by fixing one (the reason is given per rule), and for them the fixer's
  loop must converge instead;
* JSON output (``json``, ``jsonl``) always parses, for random findings and for
  the findings of real runs on random text.

Speed and determinism: examples are derandomized and no example database is
used, so CI runs are reproducible. ``CORPUSLINT_HYPOTHESIS_PROFILE=thorough``
runs many more (random) examples for a long local run; ``=quick`` a few.
"""

from __future__ import annotations

import contextlib
import functools
import io
import itertools
import json
import os
import re
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corpuslint.document import Document, LineIndex
from corpuslint.emitters import EmitContext, get_emitter
from corpuslint.errors import CorpuslintError
from corpuslint.fixer import apply_fixes, fix_until_stable
from corpuslint.model import Applicability, Diagnostic, Edit, Fix, Location, Severity, Span
from corpuslint.registry import load_registry
from corpuslint.rule import CheckContext, CorpusRule, DocumentRule, Rule
from corpuslint.runner import run_document_rules
from tests.conftest import run_cli

# -- settings ------------------------------------------------------------------------

_PROFILE = os.environ.get("CORPUSLINT_HYPOTHESIS_PROFILE", "ci")
_SCALE = {"quick": 0.3, "ci": 1.0, "thorough": 25.0}[_PROFILE]


def budget(examples: int) -> settings:
    """Hypothesis settings for a test worth ``examples`` examples in CI."""
    return settings(
        max_examples=max(5, int(examples * _SCALE)),
        deadline=None,
        derandomize=_PROFILE != "thorough",
        database=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
        ],
        print_blob=True,
    )


# -- the rules -----------------------------------------------------------------------

REGISTRY = load_registry()
ALL_CODES = [r.code for r in REGISTRY.rules]
CTX = CheckContext(root=Path(tempfile.gettempdir()))


@functools.cache
def rule(code: str) -> Rule:
    """The rule with default options; skips a rule whose optional extra is missing."""
    try:
        return REGISTRY.by_code[code]()
    except CorpuslintError as exc:  # e.g. DUP004 without the embeddings extra
        pytest.skip(f"{code} cannot run here: {exc}")


def document_codes() -> list[str]:
    return [r.code for r in REGISTRY.rules if issubclass(r, DocumentRule)]


def fixable_codes() -> list[str]:
    return [c for c in document_codes() if REGISTRY.by_code[c].fix_availability.value != "none"]


def run_rule(code: str, doc: Document) -> list[Diagnostic]:
    """Findings of one rule, as the runner produces them (resolved); raises on failure."""
    r = rule(code)
    if r.requires_text and not doc.is_text:
        return []
    if isinstance(r, DocumentRule):
        return [d.resolve(doc) for d in r.check(doc, CTX)]
    r.summarize(doc)
    return []


# -- strategies ----------------------------------------------------------------------

_FIXTURES = Path(__file__).parent / "fixtures"


@functools.lru_cache(maxsize=1)
def fixture_lines() -> list[str]:
    """Lines of every rule fixture: real boilerplate, mojibake, headers, MT garble."""
    lines: set[str] = set()
    for path in sorted(_FIXTURES.rglob("*.txt")):
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue
        lines.update(line[:300] for line in text.splitlines() if line.strip())
    return sorted(lines)


# Characters and pieces that rules care about.
ATOMS = [
    "\n",
    "\n",
    "\r\n",
    "\r",
    "\n\n\n",
    " ",
    "  ",
    "\t",
    "\u00a0",
    "\u3000",
    "\u200b",
    "\u00ad",
    "\u202e",
    "\ufeff",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\x96",
    "\u0301",
    "e\u0301",
    "\ufffd",
    "&amp;",
    "&#8217;",
    "&nbsp;",
    "&bogus;",
    "Ã©",
    "â€™",
    "Ã¢â‚¬â„¢",
    "Ð¿Ñ€Ð¸",
    '"',
    "“",
    "”",
    "«",
    "(",
    ")",
    "[",
    ". ",
    ". .",
    ",,",
    "...",
    "date: 2024-03-20\n",
    " date 2024-03-20 ",
    "date: 2024-02-30",
    "Date=2099-01-01",
    "Advertisement\n",
    "Advertisment",
    "ADVERTISEMENT",
    "(credit: REUTERS)",
    "(AP Photo/Jane Doe)",
    "Previous\nNext\n",
    "© 2024 All rights reserved.",
    "jane@example.com",
    "I rely on you.",
    "did.",
    "the the his their",
    "come.The",
    "Mohammad Mohammed Muhammad",
    "Привет",
    "世界",
    "مرحبا",
    "😀",
    "𝔘",
]
_ALPHABET = st.characters(codec="utf-8", exclude_categories=("Cs",))
_fragment = st.one_of(
    st.sampled_from(ATOMS),
    st.sampled_from(ATOMS),
    st.sampled_from(fixture_lines()),
    st.text(_ALPHABET, max_size=12),
    st.text("ab .,\n", min_size=1, max_size=12),
)
# Valid text (what a decoded UTF-8 file holds).
texts = st.lists(_fragment, max_size=24).map("".join)
# Text that may hold lone surrogates (surrogateescape bytes and others).
surrogate_texts = st.lists(
    st.one_of(
        _fragment, st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3)
    ),
    max_size=16,
).map("".join)


def _encodings(text: str) -> st.SearchStrategy[bytes]:
    encoded = [text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8")]
    for codec in ("utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252"):
        with contextlib.suppress(UnicodeEncodeError):
            encoded.append(text.encode(codec))
    return st.sampled_from(encoded)


raw_bytes = st.one_of(
    st.binary(max_size=300),
    texts.flatmap(_encodings),
    st.tuples(texts, st.binary(max_size=8), texts).map(
        lambda t: t[0].encode() + t[1] + t[2].encode()
    ),
)


# -- terminates, no exception --------------------------------------------------------


def _never_raises(doc: Document, codes: list[str]) -> None:
    for code in codes:
        try:
            diags = run_rule(code, doc)
        except Exception as exc:  # the message names the rule and the input
            raise AssertionError(
                f"{code} raised {type(exc).__name__}: {exc} on {doc.text!r}"
            ) from exc
        for d in diags:
            _assert_well_formed(d, doc)


@budget(150)
@given(text=texts)
def test_rules_never_raise_on_text(text: str) -> None:
    _never_raises(Document.from_text("001_0123456789abcdef.txt", text), ALL_CODES)


@budget(100)
@given(raw=raw_bytes)
def test_rules_never_raise_on_bytes(raw: bytes) -> None:
    _never_raises(Document.from_bytes("odd name.txt", raw), ALL_CODES)


@budget(60)
@given(text=surrogate_texts)
def test_rules_never_raise_on_surrogates(text: str) -> None:
    """Text holding lone surrogates, given to every rule as if it were valid text.

    The runner never does this (a file that is not UTF-8 is not text), but a rule
    must not depend on that: plugins and tests call rules on any ``str``.
    """
    raw = text.encode("utf-8", "surrogatepass")
    _never_raises(Document("x.txt", raw, text, size=len(raw)), ALL_CODES)
    _never_raises(Document.from_bytes("x.txt", raw), ALL_CODES)  # the same as bytes (not UTF-8)


def _assert_well_formed(d: Diagnostic, doc: Document) -> None:
    n = len(doc.text)
    where = f"{d.code} on {doc.text!r}"
    assert d.severity in Severity, where
    if d.span is not None:
        assert 0 <= d.span.start <= d.span.end <= n, where
        assert d.location == doc.line_index.location(d.span.start), where
        assert d.end_location == doc.line_index.location(d.span.end), where
    if d.fix is not None:
        assert d.fix.edits, f"{where}: a fix without edits"
        edits = sorted(d.fix.edits, key=lambda e: (e.span.start, e.span.end))
        for e in edits:
            assert e.span.end <= n, f"{where}: edit {e.span} past the end ({n})"
        for a, b in itertools.pairwise(edits):
            assert not a.span.overlaps(b.span), f"{where}: edits {a.span} and {b.span} overlap"


# -- line:col ------------------------------------------------------------------------


def _location_by_hand(text: str, offset: int) -> Location:
    """Row and column counted directly: CRLF, CR and LF each end a line."""
    starts = [0]
    i = 0
    while i < len(text):
        if text[i] == "\r" and text[i + 1 : i + 2] == "\n":
            i += 2
            starts.append(i)
            continue
        if text[i] in "\r\n":
            starts.append(i + 1)
        i += 1
    row = max(r for r, start in enumerate(starts, 1) if start <= offset)
    return Location(row, offset - starts[row - 1] + 1)


@budget(200)
@given(text=st.text(st.sampled_from("ab\r\n\u2028é😀"), max_size=40), data=st.data())
def test_line_col_round_trips(text: str, data: st.DataObject) -> None:
    index = LineIndex(text)
    offset = data.draw(st.integers(0, len(text)))
    loc = index.location(offset)
    assert index.offset(loc) == offset
    assert loc == _location_by_hand(text, offset)
    assert 1 <= loc.row <= index.line_count


# -- fixes -----------------------------------------------------------------------------


def _apply_by_hand(text: str, edits: tuple[Edit, ...]) -> str:
    out, pos = [], 0
    for e in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        out += [text[pos : e.span.start], e.content]
        pos = e.span.end
    return "".join(out) + text[pos:]


def _outside_is_unchanged(text: str, fixed: str, edits: tuple[Edit, ...]) -> None:
    """Text between the edits is carried over unchanged, in order."""
    pos = 0
    cursor = 0
    for e in sorted(edits, key=lambda e: (e.span.start, e.span.end)):
        kept = text[pos : e.span.start]
        assert fixed[cursor : cursor + len(kept)] == kept
        cursor += len(kept) + len(e.content)
        pos = e.span.end
    assert fixed[cursor:] == text[pos:]


def _removed_outside_span(text: str, d: Diagnostic) -> str:
    """Non-blank characters a fix removes outside the span of its finding."""
    if d.span is None or d.fix is None:
        return ""
    lost = []
    for e in d.fix.edits:
        for i in range(e.span.start, e.span.end):
            if not (d.span.start <= i < d.span.end) and not text[i].isspace():
                lost.append(text[i])
    # a replacement that keeps a removed character (e.g. rewriting around it) loses nothing
    kept = "".join(e.content for e in d.fix.edits)
    return "".join(ch for ch in lost if ch not in kept)


@pytest.mark.parametrize("code", fixable_codes())
@budget(40)
@given(text=texts)
def test_each_fix_changes_only_its_edits(code: str, text: str) -> None:
    doc = Document.from_text("001_0123456789abcdef.txt", text)
    assume(doc.fixable)
    for d in run_rule(code, doc):
        if d.fix is None:
            continue
        fixed, applied = apply_fixes(text, [d.fix])
        assert applied == [d.fix], f"{code}: a fix that cannot be applied: {d.fix}"
        assert fixed == _apply_by_hand(text, d.fix.edits)
        _outside_is_unchanged(text, fixed, d.fix.edits)
        lost = _removed_outside_span(text, d)
        assert not lost, f"{code}: fix removes {lost!r}, outside the finding {d.span} of {text!r}"


@pytest.mark.parametrize("code", fixable_codes())
@budget(40)
@given(text=texts)
def test_fixing_is_idempotent(code: str, text: str) -> None:
    doc = Document.from_text("001_0123456789abcdef.txt", text)
    assume(doc.fixable)

    def check(t: str) -> list[Diagnostic]:
        return run_rule(code, Document.from_text(doc.path, t))

    for unsafe in (False, True):
        first = fix_until_stable(text, check, unsafe=unsafe)
        assert first.converged, f"{code}: the fixer did not converge on {text!r}"
        again = fix_until_stable(first.text, check, unsafe=unsafe)
        assert again.text == first.text, f"{code}: fixing {first.text!r} again changed it"
        _lines_lost_were_named(text, first.text, check, unsafe)


_FILE_LINES = re.compile(r"\r\n|\r|\n")


def _lines_lost_were_named(text, fixed, check, unsafe) -> None:
    """Every non-blank line that a fix removed was inside a finding's span."""
    # lines as a file has them (str.splitlines also breaks at NEL, FF, U+2028, ...,
    # which fixes may legitimately replace inside a line)
    kept = {line.strip() for line in _FILE_LINES.split(fixed)}
    lost = [line for line in _FILE_LINES.split(text) if line.strip() and line.strip() not in kept]
    if not lost:
        return
    named = []
    current = text
    for _ in range(10):
        diags = [d for d in check(current) if d.fix is not None and d.fix.is_applicable(unsafe)]
        if not diags:
            break
        named += [current[d.span.start : d.span.end] for d in diags if d.span is not None]
        current, applied = apply_fixes(current, [d.fix for d in diags])
        if not applied:
            break
    for line in lost:
        # the pieces of the line between the named spans must each survive
        spans = [n for n in named if n]
        pieces = re.split("|".join(map(re.escape, spans)), line) if spans else [line]
        assert all(p.strip() in fixed for p in pieces) or any(
            line.strip() in n or n.strip() in line for n in named if n.strip()
        ), f"line {line!r} removed but no finding named it"


@pytest.mark.parametrize("code", fixable_codes())
@budget(40)
@given(text=texts)
def test_fixes_of_all_rules_together_are_idempotent(code: str, text: str) -> None:
    """The CLI's fixer runs every rule at once: that loop converges and is idempotent."""
    del code  # parametrised only to spread the examples; see the loop below
    doc = Document.from_text("001_0123456789abcdef.txt", text)
    assume(doc.fixable)
    rules = [rule(c) for c in document_codes()]

    def check(t: str) -> list[Diagnostic]:
        errors: list[str] = []
        out = run_document_rules(Document.from_text(doc.path, t), rules, CTX, errors)
        assert not errors, errors
        return out

    first = fix_until_stable(text, check, unsafe=True)
    assert first.converged, f"all rules: the fixer did not converge on {text!r}"
    assert fix_until_stable(first.text, check, unsafe=True).text == first.text


# Rules whose safe fix may reveal a new finding of the same code, so that one pass of
# the fixer cannot leave none; the fixer's loop must converge for them instead.
FIX_NEEDS_LOOP: dict[str, str] = {}


@pytest.mark.parametrize("code", fixable_codes())
@budget(40)
@given(text=texts)
def test_safe_fix_leaves_no_finding_of_its_code(code: str, text: str) -> None:
    doc = Document.from_text("001_0123456789abcdef.txt", text)
    assume(doc.fixable)

    def check(t: str) -> list[Diagnostic]:
        return run_rule(code, Document.from_text(doc.path, t))

    def safe(diags: list[Diagnostic]) -> list[Diagnostic]:
        return [d for d in diags if d.fix is not None and d.fix.applicability is Applicability.SAFE]

    found = safe(check(text))
    if not found:
        return
    if code in FIX_NEEDS_LOOP:
        outcome = fix_until_stable(text, check, unsafe=False)
        assert outcome.converged
        assert not safe(check(outcome.text)), f"{code}: safe findings left after the loop"
        return
    fixed, applied = apply_fixes(text, [d.fix for d in found])
    if len(applied) < len(found):
        return  # overlapping fixes wait for the next pass (checked by the idempotence test)
    left = safe(check(fixed))
    assert not left, f"{code}: after one pass over {text!r} -> {fixed!r}: {left}"


# -- JSON output -----------------------------------------------------------------------

_json_text = st.text(st.characters(codec="utf-8") | st.sampled_from('\udcff\ud800\x00\n"'))
_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | _json_text
    | st.binary(max_size=8)
    | st.frozensets(st.integers(), max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_json_text, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def diagnostics(draw) -> Diagnostic:
    text = draw(texts)
    doc = Document.from_text(draw(_json_text) or "x.txt", text)
    a = draw(st.integers(0, len(text)))
    b = draw(st.integers(a, len(text)))
    span = draw(st.sampled_from([None, Span(a, b)]))
    fix = None
    if draw(st.booleans()):
        fix = Fix(
            (Edit(Span(a, b), draw(_json_text)),),
            draw(st.sampled_from(list(Applicability))),
            draw(st.none() | _json_text),
        )
    d = Diagnostic(
        code=draw(st.sampled_from(ALL_CODES)),
        name="some-rule",
        message=draw(_json_text),
        severity=draw(st.sampled_from(list(Severity))),
        path=doc.path,
        span=span,
        fix=fix,
        data=draw(st.dictionaries(_json_text, _values, max_size=4)),
    )
    return d.resolve(doc)


def _emit_and_parse(diags: list[Diagnostic], fmt: str) -> list[dict]:
    stream = io.StringIO()
    ctx = EmitContext(format=fmt, rules={c: REGISTRY.by_code[c] for c in ALL_CODES}, files=1)
    get_emitter(fmt).emit(diags, ctx, stream)
    out = stream.getvalue()
    out.encode("utf-8")  # writable as UTF-8: no lone surrogate left
    if fmt == "json":
        return json.loads(out)
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@budget(100)
@given(diags=st.lists(diagnostics(), max_size=4))
def test_json_output_parses_for_any_finding(fmt: str, diags: list[Diagnostic]) -> None:
    parsed = _emit_and_parse(diags, fmt)
    assert len(parsed) == len(diags)
    for d, obj in zip(diags, parsed):
        assert obj["code"] == d.code
        assert obj["location"] == {"row": d.location.row, "column": d.location.column}


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
@budget(60)
@given(text=texts)
def test_json_output_parses_for_real_findings(fmt: str, text: str) -> None:
    doc = Document.from_text("001_0123456789abcdef.txt", text)
    diags = [d for code in document_codes() for d in run_rule(code, doc)]
    parsed = _emit_and_parse(diags, fmt)
    assert [o["code"] for o in parsed] == [d.code for d in diags]


# -- corpus rules, through the real CLI ------------------------------------------------

_corpus_docs = st.lists(
    st.one_of(texts, st.sampled_from(fixture_lines()).map(lambda s: s + "\n")),
    min_size=1,
    max_size=4,
)


def _corpus_codes() -> list[str]:
    codes = [r.code for r in REGISTRY.rules if issubclass(r, CorpusRule)]
    usable = []
    for code in codes:
        try:
            REGISTRY.by_code[code]()
        except CorpuslintError:
            continue
        usable.append(code)
    return usable


@budget(25)
@given(docs=_corpus_docs, data=st.data())
@pytest.mark.slow
def test_corpus_rules_through_the_cli(docs: list[str], data: st.DataObject) -> None:
    """Every corpus rule on a small corpus (copies and shared lines included): no error,
    JSON parses, ``--fix --unsafe-fixes`` converges and a second run changes nothing."""
    # copies of a document make exact and near duplicates, and repeated lines
    docs = docs + data.draw(st.lists(st.sampled_from(docs), max_size=3))
    select = ",".join(_corpus_codes() + document_codes())
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "c").mkdir()
        for i, text in enumerate(docs):
            (root / "c" / f"{i:03d}_{i:016x}.txt").write_bytes(text.encode("utf-8"))
        args = ("check", "c", "--isolated", "--no-cache", "--select", select)
        first = run_cli(*args, "--output-format", "json", cwd=root)
        assert first.code in (0, 1), first.err
        assert "error" not in first.err, first.err
        json.loads(first.out)
        fixed = run_cli(*args, "--fix", "--unsafe-fixes", cwd=root)
        assert fixed.code in (0, 1), fixed.err
        after = {p.name: p.read_bytes() for p in (root / "c").iterdir()}
        again = run_cli(*args, "--fix", "--unsafe-fixes", cwd=root)
        assert again.code in (0, 1), again.err
        assert {p.name: p.read_bytes() for p in (root / "c").iterdir()} == after


def test_every_rule_is_covered() -> None:
    """The registry drives the tests above: every installed rule is in them."""
    assert set(ALL_CODES) == {r.code for r in REGISTRY.rules}
    assert set(fixable_codes()) | set(_corpus_codes()) | set(document_codes()) <= set(ALL_CODES)
    assert len(fixture_lines()) > 100
    assert sys.version_info >= (3, 10)


# -- the fixer's overlap test ------------------------------------------------------------


def _apply_pairwise(text: str, fixes: list[Fix]) -> tuple[str, list[Fix]]:
    """The fixer's contract, written the obvious (quadratic) way."""
    applied: list[Fix] = []
    taken: list[Edit] = []
    for fix in sorted(fixes, key=lambda f: (f.span.start, f.span.end)):
        edits = sorted(fix.edits, key=lambda e: (e.span.start, e.span.end))
        if any(e.span.end > len(text) for e in edits):
            continue
        if any(e.span.overlaps(t.span) for e in edits for t in taken):
            continue
        if any(a.span.overlaps(b.span) for a, b in itertools.pairwise(edits)):
            continue
        taken += edits
        applied.append(fix)
    return _apply_by_hand(text, tuple(taken)), applied


_spans = st.tuples(st.integers(0, 12), st.integers(0, 4)).map(lambda t: Span(t[0], t[0] + t[1]))
_fixes = st.lists(
    st.lists(st.builds(Edit, _spans, st.sampled_from(["", "x", "yz"])), min_size=1, max_size=3).map(
        lambda edits: Fix.safe(*edits)
    ),
    max_size=8,
)


@budget(300)
@given(fixes=_fixes)
def test_apply_fixes_matches_the_pairwise_definition(fixes: list[Fix]) -> None:
    """apply_fixes finds overlaps by bisection (linear in the number of fixes); it must
    accept exactly the fixes that the pairwise definition accepts."""
    text = "abcdefghijklm"[:12]
    assert apply_fixes(text, fixes) == _apply_pairwise(text, fixes)
