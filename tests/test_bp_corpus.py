"""BP010 through the real CLI: corpus-learned boilerplate via the persistent index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

FOOTER = "The Harbour Daily is an independent newsroom serving the east coast."


def _article(i: int, footer: str | None) -> str:
    lines = [
        f"Story number {i} about the harbour",
        "",
        f"The harbour authority published report {i} on Tuesday, covering traffic and repairs.",
        "",
        "Background",
        "",
        f"Officials said figure {i * 7} was higher than last year's.",
    ]
    if footer:
        lines += ["", footer]
    return "\n".join(lines) + "\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """40 files; the footer in 4 of them (10%), the heading "Background" in all."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(40):
        (corpus / f"{i:03d}_x.txt").write_text(_article(i, FOOTER if i % 10 == 0 else None))
    (tmp_path / "corpuslint.toml").write_text('corpus = ["corpus"]\n')
    return tmp_path


def _bp010(project: Path, *paths: str, extra: tuple[str, ...] = ()) -> set[tuple[str, int]]:
    result = run_cli(
        "check", *paths, "--select", "BP010", "--output-format", "json", *extra, cwd=project
    )
    assert result.code in (0, 1), result.err
    return {(Path(f["filename"]).name, f["location"]["row"]) for f in json.loads(result.out)}


def test_recurring_footer_is_flagged_in_every_file_that_has_it(project):
    assert _bp010(project, "corpus") == {(f"{i:03d}_x.txt", 9) for i in (0, 10, 20, 30)}


def test_one_file_gets_the_same_answer_as_the_whole_corpus(project):
    whole = _bp010(project, "corpus")
    for name in ("000_x.txt", "001_x.txt"):
        single = _bp010(project, f"corpus/{name}")
        assert single == {f for f in whole if f[0] == name}


def test_a_fresh_index_on_a_one_file_run_still_knows_the_corpus(project):
    # no earlier run: the index is built from the configured corpus on the first run
    assert _bp010(project, "corpus/020_x.txt") == {("020_x.txt", 9)}


def test_thresholds_follow_the_corpus_as_it_changes(project):
    assert _bp010(project, "corpus/000_x.txt") == {("000_x.txt", 9)}
    for i in (10, 20):  # now only two files carry the footer
        (project / "corpus" / f"{i:03d}_x.txt").unlink()
    assert _bp010(project, "corpus/000_x.txt") == set()


def test_min_share_option(project):
    (project / "corpuslint.toml").write_text(
        'corpus = ["corpus"]\n[rules.corpus-repeated-line]\nmin-share = 0.2\n'
    )
    assert _bp010(project, "corpus") == set()  # 4 of 40 files is 10% < 20%


def test_a_file_outside_the_index_counts_itself(project):
    result = run_cli(
        "check",
        "-",
        "--stdin-filename",
        "corpus/new.txt",
        "--select",
        "BP010",
        "--output-format",
        "json",
        cwd=project,
        stdin=_article(99, FOOTER).encode(),
    )
    (finding,) = json.loads(result.out)
    assert finding["location"]["row"] == 9
    assert finding["data"]["files"] == 5


def test_unsafe_fix_deletes_the_line_and_its_blank_line(project):
    result = run_cli(
        "check", "corpus/000_x.txt", "--select", "BP010", "--fix", "--unsafe-fixes", cwd=project
    )
    assert result.code == 0, result.out + result.err
    assert (project / "corpus" / "000_x.txt").read_text() == _article(0, None)
