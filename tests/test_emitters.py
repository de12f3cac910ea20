"""Output formats: golden files, parsers and the odd cases of each format.

The golden tests render one fixed list of findings (built here, resolved against
small documents) in every format and compare with ``tests/golden/emitters/``.
``CORPUSLINT_UPDATE_GOLDEN=1`` rewrites the golden files: review the diff by eye.
"""

from __future__ import annotations

import io
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corpuslint import __version__
from corpuslint.document import Document
from corpuslint.emitters import FORMATS, EmitContext, get_emitter
from corpuslint.emitters.common import dumps, fingerprints, jsonable, printable
from corpuslint.emitters.full import MAX_WIDTH, _diff_text, _split_lines, format_diagnostic
from corpuslint.emitters.github import escape_data, escape_property
from corpuslint.emitters.sarif import artifact_uri, docs_sections
from corpuslint.model import (
    FIX_EDITS_SHOWN,
    KEEP_WHOLE_LINE,
    Diagnostic,
    Edit,
    Fix,
    FixAvailability,
    Severity,
    Span,
)
from corpuslint.rule import DocumentRule

GOLDEN = Path(__file__).parent / "golden" / "emitters"
SARIF_SCHEMA = Path(__file__).parent / "data" / "sarif-schema-2.1.0.json"
UPDATE = bool(os.environ.get("CORPUSLINT_UPDATE_GOLDEN"))

# -- the fixed findings -------------------------------------------------------------------


class FileName(DocumentRule):
    """File name does not match the corpus naming pattern.

    ## What it does
    Checks the file name against a pattern.

    ## Why it matters
    Ids come from file names.

    ## Example
    `Article 4.txt`

    ## Fix safety
    No fix.
    """

    code = "TST001"
    name = "file-name"
    severity = Severity.ERROR


class Trailing(DocumentRule):
    """Trailing whitespace.

    ## What it does
    Finds spaces before a line end.
    """

    code = "TST002"
    name = "trailing-whitespace"
    fix_availability = FixAvailability.ALWAYS


class AdMarker(DocumentRule):
    """Ad marker line (docs without sections)."""

    code = "TST003"
    name = "ad-marker"
    fix_availability = FixAvailability.ALWAYS


class MixedScript(DocumentRule):
    """Mixed scripts in a word."""

    code = "TST004"
    name = "mixed-script"
    severity = Severity.INFO


class Repeated(DocumentRule):
    """Repeated paragraph."""

    code = "TST005"
    name = "repeated-paragraph"
    fix_availability = FixAvailability.SOMETIMES


class Control(DocumentRule):
    """Control character."""

    code = "TST006"
    name = "control-character"


class FinalNewline(DocumentRule):
    """Missing final newline."""

    code = "TST007"
    name = "final-newline"


RULES = {r.code: r for r in (FileName, Trailing, AdMarker, MixedScript, Repeated, Control)}
# TST007 is deliberately left out of RULES: an emitter must cope with a code it has no class for.

PATH_A = "corpus/news, 2024/001_a.txt"
TEXT_A = (
    "date: 2024-03-20\n"  # 1
    "Café Zürich — 東京 report\x07 ends.  \n"  # 2: non-ASCII, a control character, trailing spaces
    "Advertisment\n"  # 3
    "Repeated paragraph, first line\n"  # 4
    "and its second line.\n"  # 5
    "Last line without newline"  # 6
)
PATH_B = "corpus/b.txt"
TEXT_B = "Only line  \n"
PATH_CLEAN = "corpus/clean.txt"


def _diag(rule: type[DocumentRule], path: str, span, message: str, **kw) -> Diagnostic:
    return Diagnostic(
        rule.code,
        rule.name,
        message,
        kw.pop("severity", rule.severity),
        path,
        Span(*span) if span else None,
        **kw,
    )


def sample_diagnostics() -> list[Diagnostic]:
    a, b = Document.from_text(PATH_A, TEXT_A), Document.from_text(PATH_B, TEXT_B)
    row2 = TEXT_A.index("Café")
    tokyo = TEXT_A.index("東京")
    bell = TEXT_A.index("\x07")
    trail = TEXT_A.index("  \n")
    ad = TEXT_A.index("Advertisment")
    para = TEXT_A.index("Repeated")
    para_end = TEXT_A.index("Last line")
    end = len(TEXT_A)
    found = [
        (a, _diag(FileName, PATH_A, None, "File name '001_a.txt' does not match '^\\d{3}_\\w+$'")),
        (
            a,
            _diag(
                Trailing,
                PATH_A,
                (trail, trail + 2),
                "Trailing whitespace (space)",
                fix=Fix.safe(Edit.delete(trail, trail + 2), message="Remove trailing whitespace"),
            ),
        ),
        (
            a,
            _diag(
                AdMarker,
                PATH_A,
                (ad, ad + 12),
                'Ad marker line "Advertisment"',
                fix=Fix.unsafe(Edit.delete(ad, ad + 13), message="Delete the ad marker line"),
            ),
        ),
        (
            a,
            _diag(
                MixedScript,
                PATH_A,
                (tokyo, tokyo + 2),
                "Han word '東京' in Latin text (column counts code points)",
            ),
        ),
        (
            a,
            _diag(
                Repeated,
                PATH_A,
                (para, para_end - 1),
                'Paragraph repeats 50% of corpus/b.txt: <it> & "that",\nreally',
                data={"jaccard": 0.5, "other": "corpus/b.txt", "rows": (4, 5), "none": None},
                fix=Fix.display_only(
                    Edit.delete(para, para_end), message="Delete the repeated paragraph"
                ),
            ),
        ),
        (
            a,
            _diag(
                Control,
                PATH_A,
                (bell, bell + 1),
                "Control character U+0007 in text",
                fix=Fix.safe(Edit.delete(bell, bell + 1), message="Delete U+0007"),
            ),
        ),
        (
            a,
            _diag(
                FinalNewline,
                PATH_A,
                (end, end),
                "No newline at end of file",
                fix=Fix.safe(Edit.insert(end, "\n"), message="Add a final newline"),
            ),
        ),
        (
            b,
            _diag(
                Trailing,
                PATH_B,
                (9, 11),
                "Trailing whitespace (space)",
                fix=Fix.safe(Edit.delete(9, 11), message="Remove trailing whitespace"),
            ),
        ),
    ]
    assert row2 < tokyo < bell < trail  # the positions the golden files show
    out = [d.resolve(doc) for doc, d in found]
    out.sort(key=Diagnostic.sort_key)
    return out


def render(fmt: str, diagnostics: list[Diagnostic] | None = None, **ctx_kw) -> str:
    diagnostics = sample_diagnostics() if diagnostics is None else diagnostics
    ctx_kw.setdefault("rules", RULES)
    ctx_kw.setdefault("paths", [PATH_A, PATH_B, PATH_CLEAN])
    ctx_kw.setdefault("files", 3)
    ctx = EmitContext(format=fmt, **ctx_kw)
    out = io.StringIO()
    get_emitter(fmt).emit(diagnostics, ctx, out)
    return out.getvalue()


def sarif_schema() -> dict:
    """The official SARIF 2.1.0 schema, as a validator must use it.

    This copy keeps the log object under ``definitions/Root`` and nothing at the top
    level, so validating against the file as it is would accept anything: point the
    root at ``Root`` (``test_sarif_schema_check_is_not_vacuous`` guards this).
    """
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    if "properties" not in schema and "Root" in schema.get("definitions", {}):
        schema = {**schema, "$ref": "#/definitions/Root"}
    return schema


# -- golden files --------------------------------------------------------------------------------

GOLDEN_CASES = [
    ("concise", "concise.out", {}),
    ("concise", "concise-unsafe-fixes.out", {"unsafe_fixes": True}),
    ("full", "full.out", {}),
    ("full", "full-color.out", {"color": True}),
    ("json", "json.json", {}),
    ("jsonl", "jsonl.jsonl", {}),
    ("github", "github.out", {}),
    ("sarif", "sarif.json", {}),
    ("junit", "junit.xml", {}),
    ("gitlab", "gitlab.json", {}),
]


@pytest.mark.parametrize(("fmt", "name", "ctx_kw"), GOLDEN_CASES, ids=[c[1] for c in GOLDEN_CASES])
def test_golden(fmt: str, name: str, ctx_kw: dict) -> None:
    text = render(fmt, **ctx_kw)
    if fmt == "sarif":  # keep the golden file valid across releases
        text = text.replace(f'"version": "{__version__}"', '"version": "<version>"')
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"missing golden file {path}: run with CORPUSLINT_UPDATE_GOLDEN=1"
    assert text == path.read_bytes().decode("utf-8"), (
        f"{name} differs from the golden file (CORPUSLINT_UPDATE_GOLDEN=1 rewrites it)"
    )


def test_every_format_has_a_golden_file() -> None:
    assert {fmt for fmt, _name, _kw in GOLDEN_CASES} == set(FORMATS)


# -- parse the machine-readable formats back ----------------------------------------------------


def test_json_fields_follow_ruff() -> None:
    diagnostics = sample_diagnostics()
    items = json.loads(render("json", diagnostics))
    assert len(items) == len(diagnostics)
    for item, d in zip(items, diagnostics):
        assert set(item) == {
            "code",
            "name",
            "message",
            "severity",
            "filename",
            "location",
            "end_location",
            "fix",
            "url",
            "data",
        }
        assert (item["code"], item["filename"], item["message"]) == (d.code, d.path, d.message)
        assert item["location"] == {"row": d.location.row, "column": d.location.column}
        assert item["url"].startswith("https://") and d.code.lower() in item["url"]
        if d.fix is None:
            assert item["fix"] is None
        else:
            assert item["fix"]["applicability"] == d.fix.applicability.value
            assert item["fix"]["message"] == d.fix.message
            for edit, e in zip(item["fix"]["edits"], d.fix.edits):
                assert set(edit) == {"content", "location", "end_location"}
                assert edit["content"] == e.content
                assert edit["location"] == {"row": e.location.row, "column": e.location.column}
    by_code = {i["code"]: i for i in items}
    assert by_code["TST001"]["location"] == {"row": 1, "column": 1}  # file-level
    assert by_code["TST004"]["location"] == {"row": 2, "column": 15}  # after é, ü, —
    assert by_code["TST005"]["data"] == {
        "jaccard": 0.5,
        "other": "corpus/b.txt",
        "rows": [4, 5],
        "none": None,
    }
    lines = render("jsonl", diagnostics).splitlines()
    assert [json.loads(line) for line in lines] == items


def test_sarif_validates_against_the_official_schema() -> None:
    log = json.loads(render("sarif"))
    jsonschema.validate(log, sarif_schema())
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    driver = run["tool"]["driver"]
    assert driver["name"] == "corpuslint" and driver["version"] == __version__
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == sorted(rule_ids) and "TST007" in rule_ids  # known from findings only
    for res in run["results"]:
        assert driver["rules"][res["ruleIndex"]]["id"] == res["ruleId"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert rules["TST001"]["fullDescription"]["text"] == "Checks the file name against a pattern."
    assert rules["TST001"]["shortDescription"]["text"].startswith("File name does not match")
    assert rules["TST001"]["defaultConfiguration"]["level"] == "error"
    assert rules["TST004"]["defaultConfiguration"]["level"] == "note"
    by_rule = {
        r["ruleId"]: r
        for r in run["results"]
        if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].startswith(
            "corpus/news"
        )
    }
    assert by_rule["TST001"]["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}
    assert by_rule["TST004"]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 2,
        "startColumn": 15,
        "endLine": 2,
        "endColumn": 17,
    }
    assert by_rule["TST004"]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "corpus/news,%202024/001_a.txt"
    )
    replacement = by_rule["TST007"]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement == {
        "deletedRegion": {"startLine": 6, "startColumn": 26, "endLine": 6, "endColumn": 26},
        "insertedContent": {"text": "\n"},
    }
    assert by_rule["TST005"]["properties"]["data"]["jaccard"] == 0.5
    assert by_rule["TST003"]["fixes"][0]["properties"]["applicability"] == "unsafe"


def test_sarif_schema_check_is_not_vacuous() -> None:
    log = json.loads(render("sarif"))
    log["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(log, sarif_schema())


def test_sarif_without_findings() -> None:
    log = json.loads(render("sarif", []))
    jsonschema.validate(log, sarif_schema())
    assert log["runs"][0]["results"] == []
    assert [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]] == sorted(RULES)


def test_junit_structure() -> None:
    root = ET.fromstring(render("junit"))
    assert root.tag == "testsuites"
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {PATH_A, PATH_B, PATH_CLEAN}
    assert root.get("tests") == "9" and root.get("failures") == "8"
    clean = suites[PATH_CLEAN].findall("testcase")
    assert len(clean) == 1 and clean[0].find("failure") is None
    cases = suites[PATH_A].findall("testcase")
    assert len(cases) == 7 and all(c.find("failure") is not None for c in cases)
    repeated = next(c for c in cases if c.get("name").startswith("TST005"))
    assert repeated.find("failure").get("message") == (
        'Paragraph repeats 50% of corpus/b.txt: <it> & "that",\nreally'
    )


def test_gitlab_structure() -> None:
    diagnostics = sample_diagnostics()
    issues = json.loads(render("gitlab", diagnostics))
    assert len(issues) == len(diagnostics)
    for issue in issues:
        assert {"description", "check_name", "fingerprint", "severity", "location"} <= set(issue)
        assert issue["severity"] in {"info", "minor", "major", "critical", "blocker"}
        loc = issue["location"]
        assert "begin" in loc.get("lines", {}) or "line" in loc["positions"]["begin"]
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    severities = {i["check_name"]: i["severity"] for i in issues}
    assert (severities["TST001"], severities["TST002"], severities["TST004"]) == (
        "major",
        "minor",
        "info",
    )


def test_fingerprints_are_stable_when_lines_move() -> None:
    doc = Document.from_text("a.txt", "x  \n")
    moved = Document.from_text("a.txt", "new line\nx  \n")
    d1 = Diagnostic("TST002", "trailing-whitespace", "m", Severity.WARNING, "a.txt", Span(1, 3))
    d2 = Diagnostic("TST002", "trailing-whitespace", "m", Severity.WARNING, "a.txt", Span(10, 12))
    assert fingerprints([d1.resolve(doc)]) == fingerprints([d2.resolve(moved)])
    twice = fingerprints([d1.resolve(doc), d1.resolve(doc)])
    assert twice[0] != twice[1]  # identical findings stay distinct


# -- escaping -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("plain", "plain", "plain"),
        ("50% done", "50%25 done", "50%25 done"),
        ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
        ("k: v, w", "k: v, w", "k%3A v%2C w"),
        ("%0A", "%250A", "%250A"),
    ],
)
def test_github_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_github_lines() -> None:
    lines = render("github").splitlines()
    assert len(lines) == len(sample_diagnostics())
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    file_level = next(line for line in lines if "TST001" in line)
    assert file_level.startswith(
        "::error file=corpus/news%2C 2024/001_a.txt,line=1,title=TST001 file-name::File name"
    )
    multi = next(line for line in lines if "TST005" in line)  # several lines: no columns
    assert ",line=4,endLine=5,title=" in multi and "col=" not in multi
    assert '50%25 of corpus/b.txt: <it> & "that",%0Areally' in multi
    info = next(line for line in lines if "TST004" in line)
    assert info.startswith("::notice ") and "col=15,endLine=2,endColumn=17" in info


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("bell \x07 nul \x00", "bell \\x07 nul \\x00"),
        ("bad byte \udcff", "bad byte \\xff"),
        ("lone \ud800", "lone \\ud800"),
        ("nonchar \uffff", "nonchar \\uffff"),
        ("tab\tok <&>", "tab\tok <&>"),
    ],
)
def test_junit_replaces_what_xml_cannot_hold(text: str, shown: str) -> None:
    d = Diagnostic("TST006", "control-character", text, Severity.WARNING, "a.txt", Span(0, 1))
    d = d.resolve(Document.from_text("a.txt", "x\n"))
    xml = render("junit", [d], paths=["a.txt"])
    xml.encode("utf-8")  # no lone surrogate survives
    failure = ET.fromstring(xml).find("testsuite/testcase/failure")
    assert failure.get("message") == shown


def test_text_with_undecodable_bytes_is_writable_in_every_format() -> None:
    raw = b"caf\xe9 ok  \n"
    doc = Document.from_bytes("bad\udce9.txt", raw)
    d = Diagnostic(
        "TST002",
        "trailing-whitespace",
        "Trailing \udce9",
        Severity.WARNING,
        "bad\udce9.txt",
        Span(6, 8),
        data={"text": "caf\udce9"},
    ).resolve(doc)
    for fmt in FORMATS:
        text = render(fmt, [d], paths=[d.path])
        text.encode("utf-8")  # would raise on a lone surrogate
        if fmt in ("concise", "full", "github", "junit"):
            assert "bad\\xe9.txt" in text, fmt
    item = json.loads(render("json", [d]))[0]
    assert (item["filename"], item["message"], item["data"]) == (
        "bad\\xe9.txt",
        "Trailing \\xe9",
        {"text": "caf\\xe9"},
    )
    assert json.loads(render("jsonl", [d]))["filename"] == "bad\\xe9.txt"
    assert json.loads(render("gitlab", [d]))[0]["location"]["path"] == "bad\\xe9.txt"
    result = json.loads(render("sarif", [d]))["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "bad%E9.txt"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"x": float("nan")}, {"x": "nan"}),
        ({"s": {3, 1}}, {"s": [1, 3]}),
        ({1: (Path("a/b"), b"\x01")}, {"1": ["a/b", "01"]}),
        ({"sev": Severity.INFO}, {"sev": "info"}),
    ],
)
def test_data_is_made_json_safe(value, expected) -> None:
    assert jsonable(value) == expected
    assert json.loads(dumps(jsonable(value))) == expected


def test_printable_keeps_ordinary_text() -> None:
    assert printable("Zürich 東京 😀") == "Zürich 東京 😀"


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        ("seeds/001_a.txt", "seeds/001_a.txt"),
        ("a b/c#d?.txt", "a%20b/c%23d%3F.txt"),
        ("x:y.txt", "x%3Ay.txt"),
        ("Zürich.txt", "Z%C3%BCrich.txt"),
        ("/abs/a.txt", "file:///abs/a.txt"),
    ],
)
def test_sarif_uris(path: str, uri: str) -> None:
    assert artifact_uri(path) == uri


def test_docs_sections() -> None:
    summary, sections = docs_sections(FileName.docs())
    assert summary == "File name does not match the corpus naming pattern."
    assert list(sections) == ["What it does", "Why it matters", "Example", "Fix safety"]
    assert sections["Example"] == "`Article 4.txt`"


# -- full output: the snippet ------------------------------------------------------------------


def _one(text: str, span: tuple[int, int] | None, fix: Fix | None = None, **ctx) -> list[str]:
    doc = Document.from_text("a.txt", text)
    d = Diagnostic(
        "TST002",
        "trailing-whitespace",
        "msg",
        Severity.WARNING,
        "a.txt",
        Span(*span) if span else None,
        fix=fix,
    ).resolve(doc)
    return format_diagnostic(d, EmitContext(format="full", **ctx))


def test_full_file_level_finding_has_no_snippet() -> None:
    assert _one("text\n", None) == ["a.txt:1:1: TST002 msg"]


def test_full_caret_under_wide_and_combining_characters() -> None:
    # 東京 takes two cells each; the combining acute adds none.
    text = "東京 cafe\u0301 x\n"
    lines = _one(text, (text.index("x"), text.index("x") + 1))
    assert lines[2] == "1 | 東京 cafe\u0301 x"
    assert lines[3] == "  |           ^ TST002"  # 4 + 1 + 4 + 0 + 1 cells before x


def test_full_shows_control_characters_as_pictures() -> None:
    text = "a\x1b[31mred\tz\u202e\n"
    lines = _one(text, (1, 2))
    assert lines[2] == "1 | a␛[31mred    z\ufffd"
    assert "\x1b" not in "\n".join(lines)
    assert lines[3] == "  |  ^ TST002"


def test_full_cuts_a_huge_line_around_the_span() -> None:
    text = "word " * 4_000_000 + "end"  # a 20 MB single line
    start = 10_000_000  # a "word"
    lines = _one(text, (start, start + 4), Fix.safe(Edit.replace(start, start + 4, "WORD")))
    shown, carets = lines[2], lines[3]
    assert shown.startswith("1 | …") and shown.endswith("…")
    assert len(shown) == len("1 | ") + MAX_WIDTH + 2  # the window and two cut marks
    caret = carets.index("^")
    assert caret == len("1 | …") + 40 and shown[caret : caret + 5] == "word "
    assert carets[caret:] == "^^^^ TST002"
    before = next(line for line in lines if line.startswith("1   |-"))
    after = next(line for line in lines if line.startswith("  1 |+"))
    before, after = before[len("1   |-") :], after[len("  1 |+") :]
    k = len("…") + 40  # the diff too is cut 40 characters before the change
    assert before[k : k + 5] == "word " and after == before[:k] + "WORD" + before[k + 4 :]
    assert "No newline at end of file" not in "\n".join(lines)  # the window is cut, not the file


def test_resolve_keeps_only_a_window_of_a_long_line() -> None:
    text = "x" * 100_000 + "  \n"
    doc = Document.from_text("a.txt", text)
    d = Diagnostic(
        "TST002",
        "t",
        "m",
        Severity.WARNING,
        "a.txt",
        Span(100_000, 100_002),
        fix=Fix.safe(Edit.delete(100_000, 100_002)),
    ).resolve(doc)
    assert len(d.source_lines) == 1 and len(d.source_line) < KEEP_WHOLE_LINE
    sl = d.source_lines[0]
    assert sl.clipped_start and not sl.clipped_end and sl.length == 100_002
    assert text[sl.column - 1 : sl.column - 1 + len(sl.text)] == sl.text == d.source_line
    lines = format_diagnostic(d, EmitContext(format="full"))
    assert lines[2] == "1 | …" + "x" * (MAX_WIDTH - 2) + "  "
    assert lines[-2:] == [
        "1   |-…" + "x" * (MAX_WIDTH - 3) + "  ",
        "  1 |+…" + "x" * (MAX_WIDTH - 3),
    ]


def test_full_multiline_span_shows_each_line_and_elides_the_middle() -> None:
    text = "".join(f"line {i}\n" for i in range(1, 21))
    lines = _one(text, (text.index("line 2"), text.index("line 18") + 7))
    body = "\n".join(lines)
    assert " 2 | line 2" in body and "18 | line 18" in body
    assert " 4 | line 4" in body and " 5 | line 5" not in body
    assert " … |" in body  # the elided rows
    assert lines[-2].endswith("^^^^^^^ TST002")  # the label under the last row only
    assert body.count("TST002") == 2  # header and label


def test_full_diff_of_line_ending_fix_shows_the_cr() -> None:
    text = "one\r\ntwo\r\n"
    fix = Fix.safe(Edit.replace(3, 5, "\n"), Edit.replace(8, 10, "\n"), message="Use LF")
    lines = _one(text, (3, 5), fix)
    body = "\n".join(lines)
    assert "= help: Use LF" in body and "ℹ Safe fix" in body
    assert "1   |-one␍" in body and "  1 |+one" in body
    assert "2   |-two␍" in body and "  2 |+two" in body


def test_full_diff_of_inserted_lines_renumbers() -> None:
    text = "date 2024-03-20 Body text.\nnext\n"
    fix = Fix.safe(Edit.replace(0, 16, "date: 2024-03-20\n\n"), message="Split the header")
    lines = _one(text, (0, 15), fix)
    assert lines[-4:] == [
        "1   |-date 2024-03-20 Body text.",
        "  1 |+date: 2024-03-20",
        "  2 |+",
        "  3 |+Body text.",
    ]


def test_full_diff_mentions_edits_not_shown() -> None:
    text = "".join(f"l{i}\r\n" for i in range(30))
    edits = [
        Edit.replace(
            text.index(f"l{i}\r") + len(f"l{i}"), text.index(f"l{i}\r") + len(f"l{i}") + 2, "\n"
        )
        for i in range(30)
    ]
    lines = _one(text, (2, 4), Fix.safe(*edits, message="Use LF"))
    assert lines[-1].endswith("… (24 more edits not shown)")
    assert sum(1 for line in lines if "|-" in line) == 6


def test_full_color_only_when_asked() -> None:
    plain = render("full")
    colored = render("full", color=True)
    assert "\x1b" not in plain and "\x1b[" in colored
    assert re.sub(r"\x1b\[[0-9;]*m", "", colored) == plain


def test_full_summary_and_quiet() -> None:
    assert (
        render("full")
        .rstrip()
        .endswith(
            "[*] 4 fixable with the `--fix` option (1 hidden fixes can be enabled with the "
            "`--unsafe-fixes` option)."
        )
    )
    assert "Found" not in render("full", quiet=True)


def test_old_cached_diagnostics_without_source_lines_still_render() -> None:
    d = next(d for d in sample_diagnostics() if d.code == "TST004")
    d.source_lines = ()
    lines = format_diagnostic(d, EmitContext(format="full"))
    assert any(line.startswith("2 | ") for line in lines)


# -- full output: any text, any span, any fix ---------------------------------------------------

_DIFF_LINE = re.compile(r"^ *(?P<old>\d+)? +(?P<new>\d+)? \|(?:(?P<sign>[-+ ])(?P<text>.*))?$")


def _random_case(data: st.DataObject, alphabet: str) -> tuple[str, tuple[int, int], list[Edit]]:
    text = data.draw(st.text(alphabet=alphabet, max_size=50))
    assume(Document.from_text("a.txt", text).is_text)  # a text dense in controls is "binary"
    n = len(text)
    start = data.draw(st.integers(0, n))
    end = data.draw(st.integers(start, n))
    points = sorted(data.draw(st.lists(st.integers(0, n), max_size=2 * FIX_EDITS_SHOWN + 2)))
    contents = st.text(alphabet="xy\n", max_size=3)
    edits = [Edit.replace(a, b, data.draw(contents)) for a, b in zip(points[::2], points[1::2])]
    return text, (start, end), edits


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_full_renders_any_finding(data: st.DataObject) -> None:
    text, span, edits = _random_case(data, "ab \n\r\t\x07\x1bé東\u0301\u200b")
    lines = _one(text, span, Fix.safe(*edits, message="fix") if edits else None)
    body = "\n".join(lines)
    assert not any(ch in body for ch in "\x07\x1b\r\t\x00\u200b"), body  # shown as pictures
    assert lines[0].startswith("a.txt:")
    assert sum(1 for line in lines if line.endswith("^ TST002")) == 1  # carets, then the label


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_full_diff_matches_the_fixed_text(data: st.DataObject) -> None:
    # Without CR: an edit that puts "\n" right after a "\r" merges two line ends into one
    # CRLF, which a diff of the touched rows cannot show (the CR row is not kept).
    text, span, edits = _random_case(data, "ab \n\x07é東\u0301")
    assume(edits)
    lines = _one(text, span, Fix.safe(*edits, message="fix"))
    fixed, cursor = [], 0
    for e in edits:
        fixed += [text[cursor : e.span.start], e.content]
        cursor = e.span.end
    fixed_text = "".join(fixed) + text[cursor:]
    old_lines = _split_lines(text)
    new_lines = _split_lines(fixed_text)
    diff = lines[lines.index("ℹ Safe fix") + 1 :]
    changed = 0
    for line in diff:
        m = _DIFF_LINE.match(line)
        assert m, line
        shown = m["text"] or ""
        if m["old"]:
            assert m["sign"] in ("-", " ", None) and shown == _diff_text(
                old_lines[int(m["old"]) - 1], 0
            )
        if m["new"]:
            assert m["sign"] in ("+", " ", None) and shown == _diff_text(
                new_lines[int(m["new"]) - 1], 0
            )
        changed += m["sign"] in ("-", "+")
    assert changed or fixed_text == text or diff[-1].endswith("not shown)")
