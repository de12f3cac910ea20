"""Every ``--output-format`` through the real CLI on a copy of the seeds.

Each format's stdout must parse as a whole (so no human summary line slipped in),
agree with the concise findings, and give the documented exit codes; ``-o``
writes the same report atomically and leaves stdout empty.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from corpuslint.emitters import FORMATS
from tests.conftest import SEEDS, run_cli, run_subprocess
from tests.test_emitters import sarif_schema

CONCISE = re.compile(r"^(?P<path>[^:]+):(?P<row>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d{3}) ")
# The human summary lines of concise / full output (never in machine-readable output).
SUMMARY = re.compile(
    r"^(Found \d+ finding|\[\*\] \d+ fixable|All checks passed!|No fixes available)", re.M
)
SEED_NAMES = [
    "000_107d2fae691fd477.txt",
    "001_0975571770d3a3b0.txt",
    "002_bd49319368a8fcf5.txt",
    "003_16c9ff96592fdde8.txt",
    "004_4e425b7157766a74.txt",
]


def _findings(project: Path, *extra: str) -> list[tuple[str, int, int, str]]:
    """(path, row, column, code) of every finding, from the concise output."""
    result = run_cli("check", "seeds", "--output-format", "concise", *extra, cwd=project)
    out = []
    for line in result.out.splitlines():
        m = CONCISE.match(line)
        if m:
            out.append((m["path"], int(m["row"]), int(m["col"]), m["code"]))
    return out


def parse(fmt: str, text: str) -> list[tuple[str, int, int, str]]:
    """Parse a whole report; return its findings as (path, row, column, code)."""
    if fmt == "concise":
        lines = text.splitlines()
        summary = [line for line in lines if not CONCISE.match(line)]
        assert all(
            line.startswith(("Found ", "[*] ", "No fixes", "All checks")) for line in summary
        )
        return [
            (m["path"], int(m["row"]), int(m["col"]), m["code"])
            for m in map(CONCISE.match, lines)
            if m
        ]
    if fmt == "full":
        headers = [CONCISE.match(line) for line in text.splitlines()]
        return [(m["path"], int(m["row"]), int(m["col"]), m["code"]) for m in headers if m]
    if fmt in ("json", "jsonl"):
        items = (
            json.loads(text)
            if fmt == "json"
            else [json.loads(line) for line in text.splitlines() if line]
        )
        return [
            (i["filename"], i["location"]["row"], i["location"]["column"], i["code"]) for i in items
        ]
    if fmt == "github":
        out = []
        for line in text.splitlines():
            m = re.match(r"^::(error|warning|notice) (?P<props>[^:]*)::", line)
            assert m, line
            props = dict(p.split("=", 1) for p in m["props"].split(","))
            code = props["title"].split()[0]
            out.append((props["file"], int(props["line"]), int(props.get("col", 1)), code))
        return out
    if fmt == "sarif":
        log = json.loads(text)
        jsonschema.validate(log, sarif_schema())
        out = []
        for r in log["runs"][0]["results"]:
            loc = r["locations"][0]["physicalLocation"]
            region = loc["region"]
            where = (region["startLine"], region.get("startColumn", 1))
            out.append((loc["artifactLocation"]["uri"], *where, r["ruleId"]))
        return out
    if fmt == "junit":
        root = ET.fromstring(text)
        out = []
        for case in root.iter("testcase"):
            failure = case.find("failure")
            if failure is not None:
                row, col = int(case.get("line", 1)), int(case.get("column", 1))
                out.append((case.get("file"), row, col, failure.get("type")))
        return out
    if fmt == "gitlab":
        out = []
        for issue in json.loads(text):
            loc = issue["location"]
            begin = loc["positions"]["begin"] if "positions" in loc else {"line": 1, "column": 1}
            out.append((loc["path"], begin["line"], begin["column"], issue["check_name"]))
        return out
    raise AssertionError(fmt)


def _make_project(root: Path) -> Path:
    project = root / "project"
    shutil.copytree(SEEDS, project / "seeds")
    (project / "corpuslint.toml").write_text('corpus = ["seeds"]\n')
    run_cli("check", "seeds", cwd=project)  # warm the cache: the runs below are quick
    return project


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project the read-only tests share (nothing may write into it)."""
    return _make_project(tmp_path_factory.mktemp("shared"))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project of one's own, for tests that fix files or write reports."""
    return _make_project(tmp_path)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_parses_and_agrees(shared: Path, fmt: str) -> None:
    expected = _findings(shared)
    assert len(expected) >= 13  # the seeds' FMT findings at least
    result = run_cli("check", "seeds", "--output-format", fmt, cwd=shared)
    assert result.code == 1, result.err
    assert result.err == ""
    assert sorted(parse(fmt, result.out)) == sorted(expected)


@pytest.mark.parametrize("fmt", sorted(set(FORMATS) - {"concise", "full"}))
def test_machine_formats_have_no_summary_even_after_fixes(project: Path, fmt: str) -> None:
    result = run_cli("check", "seeds", "--fix", "--output-format", fmt, cwd=project)
    assert not SUMMARY.search(result.out), result.out
    assert sorted(parse(fmt, result.out)) == sorted(_findings(project))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_clean_files_exit_zero_and_still_parse(shared: Path, fmt: str) -> None:
    result = run_cli(
        "check",
        "seeds/003_16c9ff96592fdde8.txt",
        "--select",
        "FMT007",
        "--output-format",
        fmt,
        cwd=shared,
    )
    assert result.code == 0, result.out + result.err
    assert parse(fmt, result.out) == []
    if fmt == "junit":
        suite = ET.fromstring(result.out).find("testsuite")
        assert suite.get("name") == "seeds/003_16c9ff96592fdde8.txt"
        assert len(suite.findall("testcase")) == 1 and suite.get("failures") == "0"


def test_junit_lists_every_checked_file(shared: Path) -> None:
    result = run_cli("check", "seeds", "--select", "FMT007", "--output-format", "junit", cwd=shared)
    assert result.code == 1
    suites = ET.fromstring(result.out).findall("testsuite")
    assert [s.get("name") for s in suites] == [f"seeds/{n}" for n in SEED_NAMES]
    assert [s.get("failures") for s in suites] == ["0", "0", "4", "0", "0"]


@pytest.mark.parametrize("fmt", ["sarif", "junit", "full"])
def test_exit_zero(shared: Path, fmt: str) -> None:
    result = run_cli("check", "seeds", "--exit-zero", "--output-format", fmt, cwd=shared)
    assert result.code == 0
    assert len(parse(fmt, result.out)) == len(_findings(shared))


@pytest.mark.parametrize("fmt", ["sarif", "junit", "gitlab"])
def test_output_file_is_written_atomically(project: Path, fmt: str) -> None:
    target = project / "reports" / f"report.{fmt}"
    target.parent.mkdir()
    target.write_text("old report\n")
    result = run_cli("check", "seeds", "--output-format", fmt, "-o", str(target), cwd=project)
    assert result.code == 1 and result.out == ""
    assert sorted(parse(fmt, target.read_text(encoding="utf-8"))) == sorted(_findings(project))
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temp file left


def test_output_file_in_a_missing_directory_is_one_clear_error(project: Path) -> None:
    target = project / "missing" / "report.sarif"
    result = run_cli("check", "seeds", "--output-format", "sarif", "-o", str(target), cwd=project)
    assert result.code == 2
    assert "Traceback" not in result.err and len(result.err.strip().splitlines()) == 1
    assert "report.sarif" in result.err and not target.parent.exists()


def test_full_format_shows_snippet_and_diff(shared: Path) -> None:
    result = run_cli("check", "seeds", "--select", "FMT011", "--output-format", "full", cwd=shared)
    assert result.code == 1
    out = result.out
    assert "seeds/000_107d2fae691fd477.txt:1:1: FMT011 [*] Header" in out
    assert "1 |  date 2024-03-20 Iranian President" in out
    assert "  | ^^^^^^^^^^^^^^^^ FMT011" in out
    assert "ℹ Safe fix" in out and "  1 |+date: 2024-03-20" in out
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) < 200  # the long paragraphs are cut


def test_console_script_writes_undecodable_names_as_utf8(tmp_path: Path) -> None:
    # A file name that is not UTF-8 (Linux allows any bytes): every format must still
    # write valid UTF-8 instead of failing on the lone surrogate Python decodes it to.
    name = os.fsdecode(b"bad\xff.txt")
    try:
        (tmp_path / name).write_bytes(b"text  \n")
    except (OSError, UnicodeEncodeError):
        pytest.skip("the file system does not take non-UTF-8 names")
    for fmt in ("concise", "json", "sarif"):
        result = run_subprocess(
            "check",
            ".",
            "--isolated",
            "--no-cache",
            "--select",
            "FMT007",
            "--output-format",
            fmt,
            cwd=tmp_path,
            env={"PYTHONIOENCODING": "utf-8"},
        )
        assert result.code == 1, result.err
        assert "\ufffd" not in result.out  # the run_subprocess decoder found no bad bytes
        shown = {
            "concise": lambda out: out.split(":")[0],
            "json": lambda out: json.loads(out)[0]["filename"],
            "sarif": lambda out: json.loads(out)["runs"][0]["results"][0]["locations"][0][
                "physicalLocation"
            ]["artifactLocation"]["uri"],
        }[fmt](result.out)
        assert shown == ("bad%FF.txt" if fmt == "sarif" else "bad\\xff.txt")


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_statistics_in_json(shared: Path, fmt: str) -> None:
    text = run_cli("check", "seeds", "--statistics", cwd=shared)
    result = run_cli("check", "seeds", "--statistics", "--output-format", fmt, cwd=shared)
    assert result.code == text.code == 1
    rows = (
        json.loads(result.out)
        if fmt == "json"
        else [json.loads(line) for line in result.out.splitlines()]
    )
    table = []
    for line in text.out.splitlines():  # "6\tBP002\t[ ] navigation"
        m = re.fullmatch(r"(\d+)\t(\S+)\t\[([* ])\] (\S+)", line)
        assert m, line
        table.append({"code": m[2], "name": m[4], "count": int(m[1]), "fixable": m[3] == "*"})
    assert rows == table and sum(r["count"] for r in rows) == len(_findings(shared))
