"""The CLI contract: exit codes, one-line errors, fixes, diff, stdin, baseline, statistics."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.conftest import SEEDS, run_cli, run_subprocess

PARA = (
    "Iranian President Ebrahim Raisi spoke with Russian President Vladimir Putin this week "
    "and called for closer ties between Tehran and Moscow. The countries already have warm ties."
)


def _fmt(result) -> list[str]:
    """The FMT codes reported, as (file name, row, code) strings."""
    out = []
    for line in result.out.splitlines():
        parts = line.split(":")
        if len(parts) >= 4 and parts[3].strip().startswith("FMT"):
            out.append(f"{Path(parts[0]).name}:{parts[1]}:{parts[3].split()[0]}")
    return out


def test_seeds_fmt_findings(seeds_copy: Path) -> None:
    result = run_cli("check", "seeds", "--select", "FMT", cwd=seeds_copy)
    assert result.code == 1
    found = _fmt(result)
    # glued headers on line 1 of 000 and 001
    assert "000_107d2fae691fd477.txt:1:FMT011" in found
    assert "001_0975571770d3a3b0.txt:1:FMT011" in found
    # missing final newline in all five
    assert sum(1 for f in found if f.endswith("FMT009")) == 5
    # trailing (no-break) spaces in 002
    assert {f for f in found if f.endswith("FMT007")} == {
        f"002_bd49319368a8fcf5.txt:{row}:FMT007" for row in (7, 11, 15, 19)
    }
    for line in result.out.splitlines()[:-2]:
        path, row, col, rest = line.split(":", 3)
        assert path.startswith("seeds/") and row.isdigit() and col.isdigit()
        assert rest.startswith(" FMT")


def test_fix_then_clean_then_idempotent(seeds_copy: Path) -> None:
    first = run_cli("check", "seeds", "--select", "FMT", "--fix", cwd=seeds_copy)
    assert first.code == 0, first.out + first.err
    assert "fixed" in first.out
    snapshot = {p.name: p.read_bytes() for p in (seeds_copy / "seeds").iterdir()}
    again = run_cli("check", "seeds", "--select", "FMT", "--fix", cwd=seeds_copy)
    assert again.code == 0
    assert snapshot == {p.name: p.read_bytes() for p in (seeds_copy / "seeds").iterdir()}
    fixed = (seeds_copy / "seeds" / "000_107d2fae691fd477.txt").read_text()
    original = (SEEDS / "000_107d2fae691fd477.txt").read_text()
    assert fixed.startswith("date: 2024-03-20\nIranian President Ebrahim Raisi")
    # the body is untouched: only the header and the final newline changed
    assert fixed == "date: 2024-03-20\n" + original[len(" date 2024-03-20 ") :] + "\n"


def test_fix_keeps_file_mode(seeds_copy: Path) -> None:
    target = seeds_copy / "seeds" / "003_16c9ff96592fdde8.txt"
    os.chmod(target, 0o640)
    run_cli("check", "seeds", "--select", "FMT009", "--fix", cwd=seeds_copy)
    assert target.read_bytes().endswith(b"\n")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_diff_writes_nothing(seeds_copy: Path) -> None:
    before = {p.name: p.read_bytes() for p in (seeds_copy / "seeds").iterdir()}
    result = run_cli("check", "seeds", "--select", "FMT", "--diff", cwd=seeds_copy)
    assert result.code == 1
    assert "--- a/seeds/000_107d2fae691fd477.txt" in result.out
    assert "+date: 2024-03-20" in result.out
    assert before == {p.name: p.read_bytes() for p in (seeds_copy / "seeds").iterdir()}


def test_unsafe_fixes_only_when_asked(tmp_path: Path) -> None:
    doc = tmp_path / "001_0123456789abcdef.txt"
    doc.write_bytes(f"{PARA}\x08 more\n".encode())
    safe = run_cli("check", ".", "--isolated", "--select", "FMT006", "--fix", cwd=tmp_path)
    assert safe.code == 1 and b"\x08" in doc.read_bytes()
    unsafe = run_cli(
        "check", ".", "--isolated", "--select", "FMT006", "--fix", "--unsafe-fixes", cwd=tmp_path
    )
    assert unsafe.code == 0 and b"\x08" not in doc.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("001_0000000000000001.txt", b"caf\xe9 " + PARA.encode() + b"\n", "FMT003"),
        ("001_0000000000000002.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "FMT014"),
        ("001_0000000000000003.txt", PARA.encode() + b"\x00\x00  \n\n\n", "FMT006"),
        (
            "001_0000000000000004.txt",
            "\ufeff".encode("utf-16-le") + PARA.encode("utf-16-le"),
            "FMT003",
        ),
    ],
    ids=["invalid-utf8", "binary", "nul-bytes", "utf16"],
)
def test_bad_bytes_reported_never_rewritten(
    tmp_path: Path, name: str, content: bytes, code: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    result = run_subprocess(
        "check", ".", "--isolated", "--fix", "--unsafe-fixes", "--no-cache", cwd=tmp_path
    )
    assert result.code == 1, result.err
    assert f" {code} " in result.out
    assert "Traceback" not in result.err
    assert path.read_bytes() == content


@pytest.mark.parametrize(
    ("args", "config", "message"),
    [
        (["check", "missing/"], None, "missing/: no such file or directory"),
        (["check", "."], "select = [", "invalid TOML"),
        (["check", "."], 'select = ["XYZ"]', "select: unknown rule code or prefix 'XYZ'"),
        (["check", ".", "--select", "NOPE1"], None, "--select: unknown rule code or prefix"),
        (["check", "."], "colour = true", "colour: unknown key"),
        (["check", "."], "fail-level = 3", "fail-level: expected a string"),
        (
            ["check", "."],
            '[rules.header-line]\npattern = "(["',
            "rules.header-line.pattern: invalid regular expression",
        ),
        (["check", "."], "[rules.no-such-rule]\nx = 1", "rules.no-such-rule: unknown rule name"),
        (
            ["check", "."],
            '[rules.too-short]\nmin-words = "ten"',
            "rules.too-short.min-words: expected an integer",
        ),
        (["check", "."], "[rules.too-short]\nmax-words = 3", "rules.too-short.max-words: unknown"),
        (["check", "."], '[per-file-ignores]\n"x/*.txt" = ["QQQ"]', "unknown rule code"),
        (["check", ".", "--output-format", "xml"], None, "invalid choice"),
        (["check", ".", "--config", "nope.toml"], None, "no such configuration file"),
        (["check", ".", "--baseline", "nope.json"], None, "baseline file not found"),
        (["frobnicate"], None, "invalid choice"),
        (["rule", "ZZZ999"], None, "unknown rule 'ZZZ999'"),
    ],
)
def test_errors_are_one_line_exit_2(
    tmp_path: Path, args: list[str], config: str | None, message: str
) -> None:
    (tmp_path / "001_0123456789abcdef.txt").write_text(PARA + "\n")
    if config is not None:
        (tmp_path / "corpuslint.toml").write_text(config + "\n")
    result = run_cli(*args, cwd=tmp_path)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("corpuslint: error: ")
    assert message in lines[0]
    if config is not None and "--config" not in args and "TOML" not in message:
        assert "corpuslint.toml" in lines[0]  # the error names the file


def test_errors_have_no_traceback_in_subprocess(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.corpuslint]\nselect = 'FMT'\nbogus = 1\n")
    result = run_subprocess("check", ".", cwd=tmp_path)
    assert result.code == 2
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "pyproject.toml: bogus: unknown key" in result.err


def test_stdin(tmp_path: Path) -> None:
    text = (" date 2024-03-20 " + PARA).encode()
    result = run_cli(
        "check",
        "--isolated",
        "--select",
        "FMT",
        "--stdin-filename",
        "001_0123456789abcdef.txt",
        "-",
        cwd=tmp_path,
        stdin=text,
    )
    assert result.code == 1
    assert "001_0123456789abcdef.txt:1:1: FMT011" in result.out
    fixed = run_cli(
        "check", "--isolated", "--select", "FMT", "--fix", "-", cwd=tmp_path, stdin=text
    )
    assert fixed.out == "date: 2024-03-20\n" + PARA + "\n"
    assert fixed.code == 0


def test_exit_zero_and_fail_level(seeds_copy: Path) -> None:
    assert run_cli("check", "seeds", "--exit-zero", cwd=seeds_copy).code == 0
    # FMT findings on the seeds are warnings: fail-level error lets them pass
    result = run_cli("check", "seeds", "--select", "FMT", "--fail-level", "error", cwd=seeds_copy)
    assert result.code == 0 and "FMT009" in result.out


def test_statistics(seeds_copy: Path) -> None:
    result = run_cli("check", "seeds", "--select", "FMT", "--statistics", cwd=seeds_copy)
    assert result.code == 1
    rows = [line.split("\t") for line in result.out.splitlines()]
    assert ["5", "FMT009", "[*] missing-final-newline"] in rows
    assert ["4", "FMT007", "[*] trailing-whitespace"] in rows


def test_baseline_accepts_old_and_fails_on_new(seeds_copy: Path) -> None:
    baseline = seeds_copy / "baseline.json"
    wrote = run_cli(
        "check", "seeds", "--select", "FMT", "--write-baseline", str(baseline), cwd=seeds_copy
    )
    assert wrote.code == 0
    assert len(json.loads(baseline.read_text())["findings"]) == 13
    ok = run_cli("check", "seeds", "--select", "FMT", "--baseline", str(baseline), cwd=seeds_copy)
    assert ok.code == 0, ok.out
    # a new finding (a new trailing space in 004) fails; the old ones stay accepted
    target = seeds_copy / "seeds" / "004_4e425b7157766a74.txt"
    target.write_text("  \n" + target.read_text())  # line numbers shift by one
    new = run_cli("check", "seeds", "--select", "FMT", "--baseline", str(baseline), cwd=seeds_copy)
    assert new.code == 1
    findings = [line for line in new.out.splitlines() if ": FMT" in line]
    assert {f.split(" ")[1] for f in findings} == {"FMT008", "FMT007"}


def test_per_file_ignores_and_extend_select(seeds_copy: Path) -> None:
    (seeds_copy / "corpuslint.toml").write_text(
        'corpus = ["seeds"]\nselect = ["FMT009"]\nextend-select = ["FMT007"]\n'
        '[per-file-ignores]\n"seeds/00[0-2]_*.txt" = ["FMT009"]\n'
    )
    result = run_cli("check", "seeds", cwd=seeds_copy)
    codes = sorted(
        (Path(line.split(":")[0]).name[:3], line.split(" ")[1])
        for line in result.out.splitlines()
        if ": FMT" in line
    )
    assert codes == [("002", "FMT007")] * 4 + [("003", "FMT009"), ("004", "FMT009")]


def test_isolated_ignores_config(seeds_copy: Path) -> None:
    (seeds_copy / "corpuslint.toml").write_text('corpus = ["seeds"]\nselect = ["FMT004"]\n')
    assert run_cli("check", "seeds", cwd=seeds_copy).code == 0
    assert run_cli("check", "seeds", "--isolated", "--select", "FMT", cwd=seeds_copy).code == 1


def test_output_file(seeds_copy: Path) -> None:
    out = seeds_copy / "report.json"
    result = run_cli(
        "check",
        "seeds",
        "--select",
        "FMT",
        "--output-format",
        "json",
        "-o",
        str(out),
        cwd=seeds_copy,
    )
    assert result.code == 1 and result.out == ""
    data = json.loads(out.read_text())
    assert {d["code"] for d in data} == {"FMT007", "FMT008", "FMT009", "FMT011"}
    first = data[0]
    assert set(first) >= {
        "code",
        "message",
        "filename",
        "location",
        "end_location",
        "fix",
        "url",
        "severity",
        "data",
    }


def test_version_and_rules() -> None:
    from corpuslint import __version__

    assert run_cli("--version").out.strip() == f"corpuslint {__version__}"
    listing = run_cli("rules")
    assert listing.code == 0 and "FMT011" in listing.out and "header-line" in listing.out
    docs = run_cli("rule", "FMT011")
    assert docs.code == 0
    for section in ("## What it does", "## Why it matters", "## Example", "## Fix safety"):
        assert section in docs.out
    assert run_cli("rule", "header-line").out == docs.out
