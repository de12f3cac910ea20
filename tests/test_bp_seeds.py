"""End to end: the BP family on the user's seeds, through the installed ``corpuslint`` CLI.

The acceptance of issue 3, exactly: 001's two ``Advertisment`` lines; 002's caption line
and its whole Previous/Next footer with the linked headlines; 003's contact line and
comment-policy line; 000's inline caption-and-credit span; nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"

EXPECTED = {
    ("000_107d2fae691fd477.txt", 9, "BP009"),
    ("001_0975571770d3a3b0.txt", 3, "BP001"),
    ("001_0975571770d3a3b0.txt", 11, "BP001"),
    ("002_bd49319368a8fcf5.txt", 3, "BP006"),
    ("002_bd49319368a8fcf5.txt", 21, "BP002"),
    ("002_bd49319368a8fcf5.txt", 22, "BP002"),
    ("002_bd49319368a8fcf5.txt", 24, "BP002"),
    ("002_bd49319368a8fcf5.txt", 26, "BP002"),
    ("002_bd49319368a8fcf5.txt", 27, "BP002"),
    ("002_bd49319368a8fcf5.txt", 29, "BP002"),
    ("003_16c9ff96592fdde8.txt", 11, "BP005"),
    ("003_16c9ff96592fdde8.txt", 12, "BP004"),
}


def _corpuslint(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[dict]]:
    project = tmp_path_factory.mktemp("bp_seeds")
    shutil.copytree(SEEDS, project / "seeds")
    (project / "corpuslint.toml").write_text('corpus = ["seeds"]\n')
    proc = _corpuslint("check", "seeds/", "--select", "BP", "--output-format", "json", cwd=project)
    assert proc.returncode == 1, proc.stderr.decode()
    assert not proc.stderr.strip(), proc.stderr.decode()
    return project, json.loads(proc.stdout)


def test_exactly_the_acceptance_findings(report):
    _project, findings = report
    got = {(Path(f["filename"]).name, f["location"]["row"], f["code"]) for f in findings}
    assert got == EXPECTED
    assert len(findings) == len(EXPECTED)  # one finding per line, no double reporting


def _span_text(project: Path, finding: dict) -> str:
    lines = (project / finding["filename"]).read_text(encoding="utf-8").split("\n")
    start, end = finding["location"], finding["end_location"]
    assert start["row"] == end["row"]
    return lines[start["row"] - 1][start["column"] - 1 : end["column"] - 1]


def test_inline_credit_span_is_the_caption_sentence(report):
    project, findings = report
    (inline,) = [f for f in findings if f["code"] == "BP009"]
    text = _span_text(project, inline)
    assert text.startswith("A drone is seen during a military exercise")
    assert text.endswith("(credit: IRANIAN ARMY/WANA (WEST ASIA NEWS AGENCY) VIA REUTERS)")
    assert "Fars News noted" not in text


@pytest.mark.parametrize(
    ("name", "row", "line"),
    [
        ("001_0975571770d3a3b0.txt", 3, "Advertisment"),
        ("002_bd49319368a8fcf5.txt", 24, "U.S. Launches Another Strike on Houthis"),
        ("002_bd49319368a8fcf5.txt", 29, "Return to Autocracy: The end of the Arab Spring"),
        ("003_16c9ff96592fdde8.txt", 11, "Guy Taylor can be reached at"),
        ("003_16c9ff96592fdde8.txt", 12, "Please read our comment policy"),
    ],
)
def test_whole_line_findings_cover_their_line(report, name, row, line):
    project, findings = report
    (finding,) = [
        f for f in findings if f["filename"].endswith(name) and f["location"]["row"] == row
    ]
    assert finding["location"]["column"] == 1
    assert line in _span_text(project, finding)


def test_safe_fixes_only_for_the_ad_markers(report):
    _project, findings = report
    safe = {
        (Path(f["filename"]).name, f["location"]["row"])
        for f in findings
        if f["fix"] and f["fix"]["applicability"] == "safe"
    }
    assert safe == {("001_0975571770d3a3b0.txt", 3), ("001_0975571770d3a3b0.txt", 11)}
    assert all(f["fix"] for f in findings)
