"""MT family: sentence splitting, signals, the verdict on the seeds, robustness, lazy loading."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from corpuslint.rules.mt.analysis import analyze
from corpuslint.rules.mt.model import MODEL_PATH, load
from corpuslint.rules.mt.sentences import Paragraph, content_paragraphs, split_sentences

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


def cli(*args: str, cwd: Path = REPO) -> tuple[int, str, str]:
    from corpuslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


def _split(text: str) -> list[str]:
    return [s.text for s in split_sentences(Paragraph(0, len(text), text, 0))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith left. He came back.", ["Mr. Smith left.", "He came back."]),
        ("The U.S. Army said so. It left.", ["The U.S. Army said so.", "It left."]),
        ("It hit the U.S. The army left.", ["It hit the U.S.", "The army left."]),
        ("On Oct. 7 they came. Then they left.", ["On Oct. 7 they came.", "Then they left."]),
        (
            "Analysts Andrew S. Weiss and Jo Green agreed.",
            ["Analysts Andrew S. Weiss and Jo Green agreed."],
        ),
        ("Growth was 4.5 per cent. Prices rose.", ["Growth was 4.5 per cent.", "Prices rose."]),
        ("He waited... and then left.", ["He waited... and then left."]),
        ("“It is over.” He left.", ["“It is over.”", "He left."]),
        ("He said “no.” Then he went home.", ["He said “no.”", "Then he went home."]),
        ("It ended at 5 p.m. on Friday.", ["It ended at 5 p.m. on Friday."]),
        (
            "Acme Inc. sold it. Acme Inc. and others agreed.",
            ["Acme Inc. sold it.", "Acme Inc. and others agreed."],
        ),
        ("Use the veto to block it. can be done.", ["Use the veto to block it.", "can be done."]),
        ("Ties to come.The Kremlin agreed.", ["Ties to come.", "The Kremlin agreed."]),
        ("See example.com/News.Today for more.", ["See example.com/News.Today for more."]),
        ("Is it true? Yes! It is.", ["Is it true?", "Yes!", "It is."]),
    ],
)
def test_sentence_splitting(text: str, expected: list[str]) -> None:
    assert _split(text) == expected


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (" date 2024-03-20 Iranian President spoke.", ["Iranian President spoke."]),
        ("Advertisment\nThe talks went on for hours.", ["The talks went on for hours."]),
        ("Previous\nNext\nA heading without a stop\nBody text here.", ["Body text here."]),
        ("• Guy Taylor can be reached at gtaylor@example.com.\nReal text.", ["Real text."]),
    ],
)
def test_header_and_boilerplate_left_out(text: str, kept: list[str]) -> None:
    assert [p.text for p in content_paragraphs(text)] == kept


def test_seeds_end_to_end() -> None:
    code, out, err = cli(
        "check", "seeds", "--select", "MT", "--no-cache", "--output-format", "json"
    )
    assert code == 1, err
    found = json.loads(out)
    by_file: dict[str, list[dict]] = {}
    for d in found:
        by_file.setdefault(Path(d["filename"]).name, []).append(d)
    assert set(by_file) == {"004_4e425b7157766a74.txt"}, "seeds 000-003 must get no MT finding"
    seed = by_file["004_4e425b7157766a74.txt"]
    verdicts = [d for d in seed if d["code"] == "MT001"]
    sentence_level = [d for d in seed if d["code"] != "MT001"]
    assert len(verdicts) == 1 and len(sentence_level) >= 5
    assert verdicts[0]["data"]["worst"] and verdicts[0]["data"]["score"] >= 0.5
    text = (SEEDS / "004_4e425b7157766a74.txt").read_text().splitlines()
    lines_with = {text[d["location"]["row"] - 1] for d in sentence_level}
    assert any("can be done." in line for line in lines_with)
    assert any(line.rstrip().endswith("did.") for line in lines_with)
    rows = {(d["code"], d["location"]["row"], d["location"]["column"]) for d in sentence_level}
    assert ("MT002", 11, 219) in rows  # `can be done.`
    assert ("MT002", 16, 324) in rows  # `did.`


def test_signals_command_on_seeds(tmp_path: Path) -> None:
    out_file = tmp_path / "signals.jsonl"
    code, _out, err = cli("signals", "seeds", "--no-cache", "-o", str(out_file))
    assert code == 0, err
    records = [json.loads(line) for line in out_file.read_text().splitlines()]
    assert len(records) == 5
    by_name = {Path(r["path"]).name: r for r in records}
    garbled = by_name["004_4e425b7157766a74.txt"]
    assert garbled["mt"]["score"] >= 0.5
    assert garbled["findings"]["MT001"] == 1
    for name, rec in by_name.items():
        assert rec["words"] > 300
        assert 0.0 <= rec["boilerplate_line_share"] <= 1.0
        assert rec["mojibake_count"] >= 0
        sents = rec["mt"]["sentence_records"]
        assert sents and all(s["score"] is None or 0.0 <= s["score"] <= 1.0 for s in sents)
        if name != "004_4e425b7157766a74.txt":
            assert rec["mt"]["score"] < 0.5
            assert not any(s["signals"] for s in sents)


def test_signals_without_mt_selected() -> None:
    code, out, err = cli("signals", "seeds", "--no-cache", "--select", "FMT", "--no-sentences")
    assert code == 0, err
    rec = json.loads(out.splitlines()[0])
    assert "mt" not in rec and rec["words"] > 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n  ",
        "x",
        "\udcff\udcfe broken bytes. More text.",
        "“" * 1000,
        "a. " * 20000,
        "Word " * 200000,
        "Short line.\n" * 50000,
        "I. We. I. We. said. said.",
        "\u200b\u202e\ufeff odd. Unicode\u0301 here.",
    ],
)
def test_never_raises(text: str) -> None:
    a = analyze(text)
    assert 0.0 <= a.doc_score <= 1.0
    assert len(a.scores) == len(a.sentences)


def test_model_is_small_and_loads_once() -> None:
    assert MODEL_PATH.stat().st_size < 10 * 1024 * 1024
    assert load() is load()
    m = load()
    scores = m.score(["The council approved the budget on Tuesday.", "of of the his her"])
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert m.score(["The council approved the budget on Tuesday."]) == scores[:1]


def test_importing_the_family_loads_no_numpy() -> None:
    code = "import sys, corpuslint.rules.mt, corpuslint.cli; sys.exit('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def test_languagetool_engine_needs_a_server(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("LTP_PATH", raising=False)
    (tmp_path / "corpuslint.toml").write_text(
        '[rules.garbled-translation]\nengine = "languagetool"\n'
    )
    (tmp_path / "a.txt").write_text("A sentence. Another one.\n")
    code, _out, err = cli("check", "a.txt", "--select", "MT001", "--no-cache", cwd=tmp_path)
    assert code == 2
    assert "languagetool-url" in err and "LTP_PATH" in err and "Traceback" not in err


def test_runs_without_mt_never_load_the_model() -> None:
    code = (
        "import sys, contextlib, io\n"
        "from corpuslint.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['check', 'seeds', '--select', 'FMT', '--no-cache'])\n"
        "print('corpuslint.rules.mt.model' in sys.modules)\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['check', 'seeds', '--select', 'MT001', '--no-cache'])\n"
        "print('corpuslint.rules.mt.model' in sys.modules)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert proc.stdout.split() == ["False", "True"], proc.stderr
