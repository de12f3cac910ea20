"""Reliability through the real console script: hostile files and file names (issue 8).

Each test is a row of the table in docs/reliability.md. Every run here goes through
``corpuslint`` as a subprocess, in a temp project whose config names the corpus (so
the corpus index is synced and the corpus rules run), and is held to the same
contract (``assert_contract``): exit code 0/1/2 as documented, no traceback, every
line on stderr a one-line ``corpuslint: error|warning: ...``, no file modified by a
check without ``--fix``. Runs with ``--fix`` are also held to "no lost line": a line
of the original that is not in the fixed file must lie on a row a fixable finding
named.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEEDS, CliResult, run_subprocess

ARTICLE = (SEEDS / "003_16c9ff96592fdde8.txt").read_bytes()
GOOD_NAME = "100_0123456789abcdef.txt"


def make_project(tmp_path: Path, files: dict[str, bytes], config: str = "") -> Path:
    """A project whose corpus is ``c/``, holding a seed article and ``files``."""
    project = tmp_path / "project"
    corpus = project / "c"
    corpus.mkdir(parents=True)
    (corpus / GOOD_NAME).write_bytes(ARTICLE)
    for name, data in files.items():
        (corpus / name).write_bytes(data)
    (project / "corpuslint.toml").write_text('corpus = ["c"]\n' + config)
    return project


def snapshot(root: Path) -> dict[bytes, bytes]:
    """Every regular file under ``root`` (names as bytes: some are not UTF-8)."""
    out = {}
    for dirpath, _dirs, files in os.walk(os.fsencode(root)):
        if b"/.corpuslint" in dirpath:
            continue
        for name in files:
            path = os.path.join(dirpath, name)
            if os.path.isfile(path) and not os.path.islink(path):
                with open(path, "rb") as fh:
                    out[os.path.relpath(path, os.fsencode(root))] = fh.read()
    return out


def assert_contract(result: CliResult, codes: set[int]) -> None:
    assert result.code in codes, (result.code, result.err[-2000:])
    assert "Traceback" not in result.err, result.err[-2000:]
    for line in result.err.splitlines():
        assert line.startswith(
            ("corpuslint: error: ", "corpuslint: warning: ", "corpuslint: interrupted")
        ), line


def check_json(project: Path, *args: str) -> tuple[CliResult, list[dict]]:
    result = run_subprocess("check", *args, "--output-format", "json", "--no-cache", cwd=project)
    findings = json.loads(result.out) if result.out.strip() else []
    return result, findings


def assert_no_lost_line(before: bytes, after: bytes, findings: list[dict], path: str) -> None:
    """Every line of ``before`` missing from ``after`` lies on a row a fixable finding
    of ``path`` named."""
    old = before.decode("utf-8", "surrogateescape").splitlines()
    kept = {line.strip() for line in after.decode("utf-8", "surrogateescape").splitlines()}
    fixed_rows = set()
    for f in findings:
        if f["filename"] == path and f["fix"] is not None:
            fixed_rows.update(range(f["location"]["row"], f["end_location"]["row"] + 1))
    for row, line in enumerate(old, start=1):
        if line.strip() and line.strip() not in kept:
            assert row in fixed_rows, f"{path}:{row}: line lost without a finding: {line!r}"


# -- hostile content -----------------------------------------------------------------

# case -> (file content, codes that must be among its findings)
CONTENT: dict[str, tuple[bytes, set[str]]] = {
    "empty": (b"", {"FMT013"}),
    "whitespace-only": (b"  \n\t\n\r\n   \n", {"FMT013"}),
    "nul-bytes": (ARTICLE.replace(b". ", b".\x00 ", 3), {"FMT006"}),
    "utf16-bom": (ARTICLE.decode().encode("utf-16"), {"FMT003"}),
    "surrogates-on-disk": (b"Caf\xed\xb3\xa9 and \xed\xa0\x80 " + ARTICLE, {"FMT003"}),
}


@pytest.mark.parametrize("case", CONTENT)
def test_hostile_content_through_the_cli(tmp_path: Path, case: str) -> None:
    """The file's own finding, exit 1; then ``--fix`` loses no line no finding named."""
    data, codes = CONTENT[case]
    project = make_project(tmp_path, {f"{case}.txt": data})
    before = snapshot(project)
    result, findings = check_json(project)
    assert_contract(result, {1})
    assert snapshot(project) == before, "a check without --fix modified a file"
    path = f"c/{case}.txt"
    assert codes <= {f["code"] for f in findings if f["filename"] == path}
    fixed = run_subprocess("check", "--fix", "--no-cache", "-q", cwd=project)
    assert_contract(fixed, {0, 1})
    after = (project / path).read_bytes()
    assert_no_lost_line(data, after, findings, path)


@pytest.mark.slow
def test_twenty_megabyte_single_line_with_the_default_size_limit(tmp_path: Path) -> None:
    """A 20 MB file that is one line (under the default 32 MB limit): checked, with
    findings, in bounded time; not modified."""
    words = ARTICLE.decode().split()
    line = " ".join(words[i % len(words)] for i in range(3_300_000))[:20_000_000]
    project = make_project(tmp_path, {"big.txt": line.encode()})
    before = snapshot(project)
    result, findings = check_json(project)
    assert_contract(result, {1})
    assert snapshot(project) == before
    assert "FMT009" in {f["code"] for f in findings if f["filename"] == "c/big.txt"}


@pytest.mark.slow
def test_two_hundred_thousand_short_lines(tmp_path: Path) -> None:
    """200,000 short lines: every default rule runs (about 20 s on 2 cores), exit 1,
    the file is not modified."""
    data = b"".join(b"Line %d of a long list.\n" % i for i in range(200_000))
    project = make_project(tmp_path, {"many.txt": data})
    before = snapshot(project)
    result, findings = check_json(project)
    assert_contract(result, {1})
    assert snapshot(project) == before
    assert "FMT001" in {f["code"] for f in findings if f["filename"] == "c/many.txt"}


def test_file_larger_than_the_size_limit(tmp_path: Path) -> None:
    """Over ``max-file-size``: FMT015 names it, no other rule reads it, exit 1."""
    project = make_project(tmp_path, {"large.txt": ARTICLE * 10}, "max-file-size = 4096\n")
    result, findings = check_json(project)
    assert_contract(result, {1})
    mine = [f for f in findings if f["filename"] == "c/large.txt"]
    assert "FMT015" in {f["code"] for f in mine}
    assert {f["code"] for f in mine} <= {"FMT001", "FMT015"}


# -- non-regular files and odd names ----------------------------------------------------


def _fifo(corpus: Path) -> None:
    os.mkfifo(corpus / "pipe.txt")


def _directory(corpus: Path) -> None:
    (corpus / "dir.txt").mkdir()
    (corpus / "dir.txt" / "inner.txt").write_bytes(ARTICLE)


def _symlink_loops(corpus: Path) -> None:
    (corpus / "loop").symlink_to(".")  # a directory loop
    (corpus / "a.txt").symlink_to("b.txt")  # a file loop
    (corpus / "b.txt").symlink_to("a.txt")
    (corpus / "dangling.txt").symlink_to("missing.txt")


# case -> (how to make it, display paths that must have findings, paths that must not)
ODD_FILES = {
    "fifo": (_fifo, set(), {"c/pipe.txt"}),
    "directory-named-txt": (_directory, {"c/dir.txt/inner.txt"}, {"c/dir.txt"}),
    "symlink-loops": (
        _symlink_loops,
        set(),
        {"c/a.txt", "c/b.txt", "c/dangling.txt", "c/loop/" + GOOD_NAME},
    ),
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
@pytest.mark.parametrize("case", ODD_FILES)
def test_non_regular_files_are_skipped_when_walking(tmp_path: Path, case: str) -> None:
    """Walking the corpus skips FIFOs (never opened: the run cannot hang), directories
    named *.txt (their files are checked) and symlink loops; exit as for the rest."""
    make, present, absent = ODD_FILES[case]
    project = make_project(tmp_path, {})
    make(project / "c")
    result, findings = check_json(project, "c")  # subprocess timeout: a hang fails
    assert_contract(result, {1})
    paths = {f["filename"] for f in findings}
    assert f"c/{GOOD_NAME}" in paths
    assert present <= paths
    assert not (absent & paths)


# named path -> message expected on stderr
NAMED_ODD = {
    "pipe.txt": "not a regular file or directory",
    "a.txt": "Too many levels of symbolic links",
    "dangling.txt": "no such file or directory",
}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
@pytest.mark.parametrize("name", NAMED_ODD)
def test_non_regular_file_named_on_the_command_line(tmp_path: Path, name: str) -> None:
    """Named explicitly, a FIFO or a symlink loop is one clear error line, exit 2."""
    project = make_project(tmp_path, {})
    _fifo(project / "c")
    _symlink_loops(project / "c")
    result = run_subprocess("check", f"c/{name}", cwd=project)
    assert_contract(result, {2})
    assert len(result.err.splitlines()) == 1
    assert NAMED_ODD[name] in result.err and f"c/{name}" in result.err


NAMES = ["with spaces in it.txt", "ünïcödé – 日本語.txt", "  leading and trailing  .txt"]


def test_names_with_spaces_and_non_ascii(tmp_path: Path) -> None:
    """Such names are checked and shown as they are (JSON ``filename``), and a copy of
    an article under such a name is found as its duplicate."""
    project = make_project(tmp_path, {name: ARTICLE for name in NAMES})
    result, findings = check_json(project)
    assert_contract(result, {1})
    for name in NAMES:
        assert "FMT001" in {f["code"] for f in findings if f["filename"] == f"c/{name}"}
    # four copies of one article: all but the first (by path) are its duplicates
    copies = sorted(f"c/{n}" for n in [*NAMES, GOOD_NAME])
    flagged = sorted(f["filename"] for f in findings if f["code"] == "DUP001")
    assert flagged == copies[1:]


def test_file_name_that_is_not_utf8(tmp_path: Path) -> None:
    """A file name with undecodable bytes, with the corpus rules selected (they sync the
    index, which once crashed with UnicodeEncodeError): findings name the file (its
    bytes escaped), duplicates are found in both directions, a second run (quick sync
    over the stored name) gives the same findings, and ``--fix`` writes the file."""
    project = make_project(tmp_path, {})
    corpus = os.fsencode(project / "c")
    weird = os.path.join(corpus, b"caf\xe9 \xff.txt")
    with open(weird, "wb") as fh:
        fh.write(ARTICLE + b"  \n")
    os.mkdir(os.path.join(corpus, b"d\xfer"))
    with open(os.path.join(corpus, b"d\xfer", b"x.txt"), "wb") as fh:
        fh.write(ARTICLE.replace(b"Guy", b"Gus"))
    shown = "c/caf\\xe9 \\xff.txt"
    first, findings = check_json(project, "--select", "DUP,BP010,FMT001,FMT002,FMT007")
    assert_contract(first, {1})
    by_file = {}
    for f in findings:
        by_file.setdefault(f["filename"], set()).add(f["code"])
    assert {"FMT001", "FMT007"} <= by_file[shown]
    assert "DUP002" in by_file["c/d\\xfer/x.txt"] or "DUP002" in by_file[shown]
    again, findings_again = check_json(project, "--select", "DUP,BP010,FMT001,FMT002,FMT007")
    assert_contract(again, {1})
    assert findings_again == findings
    named, _ = check_json(project, os.fsdecode(weird), "--select", "DUP,FMT001")
    assert_contract(named, {1})
    fixed = run_subprocess("check", "--fix", "-q", "--select", "FMT007", cwd=project)
    assert_contract(fixed, {0})
    with open(weird, "rb") as fh:
        assert fh.read() == ARTICLE + b"\n"


def test_fifo_does_not_hang_a_run_over_the_corpus(tmp_path: Path) -> None:
    """A FIFO in the corpus with nobody writing to it: the run ends (bounded wait)."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("POSIX only")
    project = make_project(tmp_path, {})
    _fifo(project / "c")
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    proc = subprocess.run(
        [exe, "index", "update"], cwd=project, capture_output=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    assert b"Traceback" not in proc.stderr
