"""BP pattern tables, classifier, inline spans, fixes and robustness, as tables of cases."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from corpuslint.rules.bp import tables
from corpuslint.rules.bp.analysis import analyse_text
from corpuslint.rules.bp.firstchars import first_chars
from corpuslint.rules.bp.line_rules import AdMarker, InlineBoilerplate, RepeatedLine
from corpuslint.rules.bp.lines import Deleter, core, is_headline_like, normalise, split_lines
from hypothesis import given, settings
from hypothesis import strategies as st

from corpuslint.document import Document
from corpuslint.errors import ConfigError
from corpuslint.fixer import apply_fixes
from corpuslint.options import build_options
from corpuslint.registry import load_registry
from corpuslint.rule import CheckContext, DocumentRule
from corpuslint.runner import run_document_rules

CTX = CheckContext()


def bp_document_rules() -> list[DocumentRule]:
    registry = load_registry()
    return [r() for r in registry.rules if r.code.startswith("BP") and issubclass(r, DocumentRule)]


def findings(text: str, rules=None) -> list[tuple[int, str]]:
    doc = Document.from_text("t.txt", text)
    errors: list[str] = []
    diags = run_document_rules(doc, rules or bp_document_rules(), CTX, errors)
    assert not errors, errors
    return sorted((d.location.row, d.code) for d in diags)


# -- the data tables -------------------------------------------------------------


def _examples():
    for table in tables.line_tables():
        for pattern in table.patterns:
            for example in pattern.examples:
                yield pytest.param(table.code, example, id=f"{table.key}:{pattern.name}:{example}")


def _counterexamples():
    for table in (*tables.line_tables(), tables.inline_table()):
        for text in table.counterexamples:
            yield pytest.param(text, id=f"{table.key}:{text}")


@pytest.mark.parametrize(("code", "example"), list(_examples()))
def test_every_table_example_is_claimed_by_its_category(code, example):
    norm = normalise(example)
    found = tables.classifier().classify(norm, core(norm))
    assert found is not None and found[0].code == code


@pytest.mark.parametrize("text", list(_counterexamples()))
def test_table_counterexamples_are_not_boilerplate(text):
    assert findings(text + "\n") == []


def test_inline_examples_are_found():
    for pattern, regex in tables.inline_table().compiled_entries:
        for example in pattern.examples:
            assert regex.search(example), (pattern.name, example)


def test_unknown_macro_is_a_table_error():
    with pytest.raises(tables.PatternError):
        tables.expand("{NO_SUCH_MACRO}x", tables.macros())


def test_classifier_agrees_with_the_tables_one_by_one():
    """The dispatching classifier answers like trying each table in priority order."""
    lines = [ex for t in tables.line_tables() for p in t.patterns for ex in p.examples]
    lines += [t for table in tables.line_tables() for t in table.counterexamples]
    lines += [line for line, _code in BOILERPLATE] + PROSE
    fixtures = Path(__file__).parent / "fixtures"
    for path in sorted(fixtures.glob("BP0*/**/*.txt")):
        lines += [w for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
    for text in lines:
        norm = normalise(text)
        c = core(norm)
        expected = None
        for table in tables.line_tables():
            candidate = c if table.input == "core" else norm
            if len(candidate) <= table.max_chars and table.match(candidate) is not None:
                expected = table.code
                break
        found = tables.classifier().classify(norm, c)
        assert (found[0].code if found else None) == expected, text


# -- classification of lines (textlint-style valid / invalid tables) ---------------

BOILERPLATE = [
    ("Advertisement", "BP001"),
    ("ADVERTISMENT", "BP001"),
    ("~ Adverstisement ~", "BP001"),
    ("Scroll to continue with content", "BP001"),
    ("« Older posts", "BP002"),
    ("News » Politics » Elections", "BP002"),
    ("ALSO READ | Oil prices climb again", "BP002"),
    ("Subscribe to our YouTube channel", "BP003"),
    ("Get the latest headlines delivered to your inbox", "BP003"),
    ("Listen · 5 min", "BP003"),
    ("Comments are moderated", "BP004"),
    ("Be the first to comment", "BP004"),
    ("Additional reporting by Omar Haddad in Beirut", "BP005"),
    ("Follow him on X @omarhaddad", "BP005"),
    ("Posted by Clara Nilsson", "BP005"),
    ("A man walks past a mural in central Baku (Photo: AFP)", "BP006"),
    ("hide caption", "BP006"),
    ("Atta Kenare/AFP via Getty Images", "BP006"),
    ("Copyright © 2023 The Lantern. All Rights Reserved.", "BP007"),
    ("Republished with permission from Metro Wire.", "BP007"),
    ("Manage cookie settings", "BP008"),
    ("You need to enable JavaScript to run this app.", "BP008"),
]

PROSE = [
    "The company's newsletter reached 2 million readers.",
    "A spokesman said the firm would not comment on advertising spending.",
    "The photograph, credited to an unknown soldier, was dated 1944.",
    "Visitors are asked to accept the terms before entering the archive.",
    "Next year the festival will move to a larger venue.",
    "His column appeared weekly in the newsletter of the trade union.",
    "Reporters were barred from the courtroom during the testimony.",
    "Economic Cooperation and Joint Ventures",
    "Strategic Alignment on Palestine and Regional Interests",
    "Share of Renewables Rises",
    "By Land and Sea: A History of the Port",
]


@pytest.mark.parametrize(("line", "code"), BOILERPLATE)
def test_boilerplate_line_gets_its_code(line, code):
    text = f"The council met on Monday.\n\n{line}\n\nThe vote was postponed.\n"
    assert findings(text) == [(3, code)]


@pytest.mark.parametrize("line", PROSE)
def test_prose_that_mentions_boilerplate_words_is_clean(line):
    text = f"The council met on Monday.\n\n{line}\n\nThe vote was postponed.\n"
    assert findings(text) == []


# -- navigation blocks ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "rows"),
    [
        # a previous/next link takes one headline, not the paragraph after it
        ("Intro.\n\nNext\n\nA Headline Here\n\nPrevious\n\nAnother One\n", [3, 5, 7, 9]),
        # a lone headline-shaped line with the article going on is its own subheading
        ("Intro.\n\nNext\n\nA Headline Here\n\n" + "The article goes on with more. " * 4, [3]),
        # a related block takes the headline list and stops at prose
        ("Intro.\n\nRelated\nFirst headline\nSecond headline\nBody text ends here.\n", [3, 4, 5]),
        # a header with nothing linked under it is still navigation
        ("Intro.\n\nRead more\n\nBody text of the article goes on.\n", [3]),
        # headlines end without a full stop ("U.S." is not a full stop)
        ("Intro.\n\nPrevious\nSanctions Target the U.S.\n", [3, 4]),
    ],
)
def test_navigation_blocks(text, rows):
    assert findings(text) == [(r, "BP002") for r in rows]


def test_header_with_headlines_is_unsafe_but_a_lone_nav_word_is_safe():
    doc = Document.from_text("t.txt", "Intro.\n\nNext\n\nA Headline\n\nBack to top\n")
    rule = load_registry().get("BP002")()
    rows = doc.line_index
    safety = {
        rows.location(d.span.start).row: d.fix.applicability.value for d in rule.check(doc, CTX)
    }
    assert safety == {3: "unsafe", 5: "unsafe", 7: "safe"}


# -- inline boilerplate ------------------------------------------------------------


@pytest.mark.parametrize(
    ("paragraph", "flagged"),
    [
        (
            "Talks resumed. A tanker is seen near the port (Photo: AFP) Officials said more.",
            "A tanker is seen near the port (Photo: AFP)",
        ),
        (
            "Talks resumed. U.S. envoy Mr. Smith arrives in Doha (AP Photo/Jane Roe) Then more.",
            "U.S. envoy Mr. Smith arrives in Doha (AP Photo/Jane Roe)",
        ),
        (
            "Talks resumed. Protesters gather in Tehran. REUTERS/Vahid Salemi The crowd grew.",
            "Protesters gather in Tehran. REUTERS/Vahid Salemi",
        ),
        ("The minister spoke. ADVERTISEMENT The crowd cheered.", "ADVERTISEMENT"),
    ],
)
def test_inline_span_starts_at_the_caption_sentence(paragraph, flagged):
    doc = Document.from_text("t.txt", paragraph + "\n")
    (d,) = InlineBoilerplate().check(doc, CTX)
    assert doc.text[d.span.start : d.span.end] == flagged


def test_a_caption_that_is_the_whole_line_is_a_caption_line_not_inline():
    text = "Intro.\n\nA tanker is seen near the port (Photo: AFP)\n\nMore text.\n"
    assert findings(text) == [(3, "BP006")]


def test_prose_closed_by_a_credit_is_inline_not_a_caption_line():
    text = "First sentence here. Second sentence here. A tanker at sea (Photo: AFP)\n"
    assert findings(text) == [(1, "BP009")]


# -- repeated lines ------------------------------------------------------------------


def test_repeated_line_options():
    text = "Deal Signed\n\nBody text.\n\nDeal Signed\n"
    doc = Document.from_text("t", text)
    assert [doc.line_index.location(d.span.start).row for d in RepeatedLine().check(doc, CTX)] == [
        5
    ]
    opts = build_options(RepeatedLine.Options, {"min-length": 20}, source=None, prefix="x")
    assert list(RepeatedLine(opts).check(Document.from_text("t", text), CTX)) == []


# -- options ---------------------------------------------------------------------------


def test_extra_patterns_add_lines_that_nothing_else_claims():
    opts = build_options(
        AdMarker.Options, {"extra-patterns": [r"brought to you by \w+"]}, source=None, prefix="x"
    )
    text = "Intro.\n\nBrought to you by Acme\n\nAdvertisement\n"
    doc = Document.from_text("t", text)
    rows = [doc.line_index.location(d.span.start).row for d in AdMarker(opts).check(doc, CTX)]
    assert rows == [3, 5]


@pytest.mark.parametrize("bad", ["(unclosed", "(a+)+$"])
def test_extra_patterns_are_validated(bad):
    with pytest.raises(ConfigError, match="extra-patterns"):
        build_options(AdMarker.Options, {"extra-patterns": [bad]}, source="c.toml", prefix="r")


# -- helpers -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "limit", "expected"),
    [
        ("advertisment", "advertisement", 2, True),
        ("adverstisement", "advertisement", 2, True),
        ("advertisement", "advertisement", 0, True),
        ("adventure", "advertisement", 2, False),
        ("adevrtisement", "advertisement", 1, True),  # a swap counts one
        ("advertisements", "advertising", 2, False),
        ("sponsered", "sponsored", 1, True),
        ("sponsor", "sponsored", 1, False),
    ],
)
def test_within_distance(a, b, limit, expected):
    assert tables.within_distance(a, b, limit) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"ads?|advert", set("aA")),
        (r"(?:please\s+)?sign\s+up", set("pPsS")),
        (r"\d+\s+comments", set("0123456789")),
        (r".{0,80}cookies", None),
        (r"[^a]bc", None),
        (r"(?:x)?", None),  # can match the empty string
    ],
)
def test_first_chars(pattern, expected):
    got = first_chars(pattern)
    assert (set(got) if got is not None else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oil Prices Climb as Gulf Tensions Rise", True),
        ("Sanctions Target the U.S.", True),
        ("The talks ended without agreement.", False),
        ("Read this:", False),
        ("", False),
        ("word " * 30, False),
    ],
)
def test_headline_shape(text, expected):
    assert is_headline_like(text) is expected


# -- deletion fixes ----------------------------------------------------------------------

LAYOUT = st.lists(st.sampled_from("cbf"), min_size=1, max_size=14)


def _layout_text(layout: list[str]) -> tuple[str, set[int]]:
    lines = [("" if k == "b" else f"{k}{i}") for i, k in enumerate(layout)]
    return "\n".join(lines) + "\n", {i for i, k in enumerate(layout) if k == "f"}


def _fixes(text: str, flagged: set[int]):
    lines = split_lines(text, Document.from_text("t", text).line_index.starts)
    deleter = Deleter(lines, flagged)
    return [deleter.fix(r, safe=True, message="x") for r in sorted(flagged)]


def _has_blank_run(text: str) -> bool:
    return "\n\n\n" in text or text.startswith("\n") or text.endswith("\n\n")


@given(LAYOUT, st.data())
@settings(max_examples=300, deadline=None)
def test_deleting_any_subset_of_flagged_lines_leaves_no_blank_run(layout, data):
    text, flagged = _layout_text(layout)
    if _has_blank_run(text) or "c" not in layout:
        # a run that was there before is FMT010's; a file of nothing but flagged and blank
        # lines is emptied only when all its fixes are applied
        return
    fixes = _fixes(text, flagged)
    subset = [f for f in fixes if data.draw(st.booleans())]
    fixed, applied = apply_fixes(text, subset)
    assert len(applied) == len(subset)  # the fixes never overlap
    assert not _has_blank_run(fixed)
    content = [w for w in fixed.split("\n") if w]
    assert all(w.startswith(("c", "f")) for w in content)


@given(LAYOUT)
@settings(max_examples=300, deadline=None)
def test_deleting_all_flagged_lines_keeps_one_blank_line_where_there_was_one(layout):
    text, flagged = _layout_text(layout)
    if _has_blank_run(text):
        return
    fixed, _ = apply_fixes(text, _fixes(text, flagged))
    kept = [k for k in layout if k != "f"]
    expected = []
    for k in kept:  # blank lines between kept lines survive, once; none at the ends
        if k == "b" and (not expected or expected[-1] == "b"):
            continue
        expected.append(k)
    while expected and expected[-1] == "b":
        expected.pop()
    got = ["b" if not w else w[0] for w in fixed.split("\n")[:-1]]
    assert got == expected


# -- robustness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t\n",
        "\n\n\n",
        "x",
        "Advertisement",
        "\udcff\udcfe lone surrogates \udc80\n(Photo: \udcff)\n",
        "\u200b\u202e\ufeff\u0000 odd \u00a0 characters\u2028line\u2029para\n",
        "Previous\n" * 50,
        "(" * 5000 + "Photo: x" + ")" * 5000 + "\n",
        "REUTERS/" * 3000 + "\n",
        "Home > " * 2000 + "\n",
    ],
)
def test_rules_never_raise(text):
    findings(text)
    doc = Document.from_text("t", text)
    analyse_text(doc.text, doc.line_index.starts)


def test_a_long_single_line():
    text = ("A tanker is seen near the port (Photo: AFP) and more text. " * 4000) + "\n"
    rows = findings(text)
    assert rows and all(r == (1, "BP009") for r in rows)


@pytest.mark.slow
def test_huge_inputs_stay_linear():
    findings("word " * 4_000_000)  # one 20 MB line
    findings("".join(f"Line {i} of the list\n" for i in range(200_000)))


def test_patterns_compile_without_nested_quantifiers_in_user_options():
    # the table regexes are ours; user regexes go through options.check_regex
    assert re.compile(tables.expand("{NAMES}", tables.macros()))
