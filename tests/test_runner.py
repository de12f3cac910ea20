"""The runner: parallel determinism, the result cache, the corpus index."""

from __future__ import annotations

import pickle
import random
import sqlite3
from pathlib import Path

from corpuslint.model import Diagnostic, Severity
from tests.conftest import build_test_session, run_cli

WORDS = [
    "tehran",
    "moscow",
    "drone",
    "sanctions",
    "oil",
    "ties",
    "talks",
    "leader",
    "summit",
    "war",
    "trade",
    "railway",
    "minister",
    "agreement",
    "cooperation",
    "energy",
]


def _make_corpus(root: Path, n: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(5, 80))]
        text = " ".join(words).capitalize() + "."
        flaw = i % 5
        if flaw == 0:
            text = f" date 2024-01-0{1 + i % 9} {text}"
        elif flaw == 1:
            text += "  \n\n\n\nMore text here."
        elif flaw == 2:
            text = text.replace(" ", "\r\n", 3)
        elif flaw == 3:
            text += "\n"
        name = f"{i % 150:03d}_{rng.getrandbits(64):016x}.txt"
        (root / name).write_text(text, newline="")


def test_parallel_output_is_identical_to_serial(tmp_path: Path) -> None:
    _make_corpus(tmp_path / "c", 300)
    serial = run_cli("check", "c", "--isolated", "--no-cache", "--jobs", "1", cwd=tmp_path)
    parallel = run_cli("check", "c", "--isolated", "--no-cache", "--jobs", "2", cwd=tmp_path)
    assert serial.code == parallel.code == 1
    assert serial.out == parallel.out
    assert serial.out.count("FMT002") > 0  # the corpus rule ran over the generated clashes


def _poison_cache(cache_dir: Path) -> int:
    """Replace every cached result with a sentinel finding; returns the rows changed."""
    sentinel = Diagnostic(
        "FMT013", "too-short", "sentinel from the cache", Severity.WARNING, "x.txt"
    )
    n = 0
    for db in cache_dir.glob("results-*.sqlite"):
        conn = sqlite3.connect(db)
        with conn:
            for (key,) in conn.execute("SELECT key FROM results").fetchall():
                conn.execute(
                    "UPDATE results SET blob = ? WHERE key = ?",
                    (pickle.dumps(([sentinel], {})), key),
                )
                n += 1
        conn.close()
    return n


def test_cache_is_used_and_keyed_by_content_and_config(tmp_path: Path) -> None:
    _make_corpus(tmp_path / "c", 20)
    (tmp_path / "corpuslint.toml").write_text("corpus = ['c']\n")
    first = run_cli("check", "c", cwd=tmp_path)
    assert _poison_cache(tmp_path / ".corpuslint" / "cache") == 20
    cached = run_cli("check", "c", cwd=tmp_path)
    assert cached.out.count("sentinel from the cache") == 20
    assert "sentinel" not in run_cli("check", "c", "--no-cache", cwd=tmp_path).out
    # a changed file is re-checked
    victim = sorted((tmp_path / "c").iterdir())[0]
    victim.write_text(victim.read_text() + " changed")
    assert run_cli("check", "c", cwd=tmp_path).out.count("sentinel from the cache") == 19
    # a changed rule option changes the fingerprint: nothing is reused
    (tmp_path / "corpuslint.toml").write_text("corpus = ['c']\n[rules.too-short]\nmin-words = 3\n")
    assert "sentinel" not in run_cli("check", "c", cwd=tmp_path).out
    assert first.code == 1


def test_corrupt_cache_and_index_are_rebuilt_with_a_warning(tmp_path: Path) -> None:
    _make_corpus(tmp_path / "c", 10)
    (tmp_path / "corpuslint.toml").write_text("corpus = ['c']\n")
    clean = run_cli("check", "c", cwd=tmp_path)
    state = tmp_path / ".corpuslint"
    for db in [state / "index.sqlite", *(state / "cache").glob("results-*.sqlite")]:
        db.write_bytes(b"this is not a database" * 100)
        for suffix in ("-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
    again = run_cli("check", "c", cwd=tmp_path)
    assert again.code == clean.code == 1
    assert again.out == clean.out
    assert "warning: index" in again.err and "rebuilding" in again.err
    assert "Traceback" not in again.err


def test_one_named_file_sees_the_whole_corpus(tmp_path: Path) -> None:
    corpus = tmp_path / "seeds"
    corpus.mkdir()
    text = "Some perfectly ordinary article text that is long enough to be an article here.\n"
    (corpus / "001_0975571770d3a3b0.txt").write_text(text)
    (corpus / "002_bd49319368a8fcf5.txt").write_text(text)
    (tmp_path / "pyproject.toml").write_text("[tool.corpuslint]\ncorpus = ['seeds']\n")
    new = corpus / "001_0123456789abcdef.txt"
    new.write_text(text)
    result = run_cli("check", "seeds/001_0123456789abcdef.txt", "--select", "FMT002", cwd=tmp_path)
    assert result.code == 1
    assert "Numeric prefix 001 is also used by seeds/001_0975571770d3a3b0.txt" in result.out
    # the same answer as checking the whole corpus, for that file
    whole = run_cli("check", "seeds", "--select", "FMT002", cwd=tmp_path)
    line = next(x for x in whole.out.splitlines() if x.startswith("seeds/001_0123"))
    assert line in result.out
    # a deleted file leaves the index
    (corpus / "001_0975571770d3a3b0.txt").unlink()
    after = run_cli("check", "seeds/001_0123456789abcdef.txt", "--select", "FMT002", cwd=tmp_path)
    assert after.code == 0, after.out


def test_fifo_and_directories_named_txt_are_skipped(tmp_path: Path) -> None:
    import os

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "001_0123456789abcdef.txt").write_text("fine text\n")
    os.mkfifo(tmp_path / "c" / "002_0123456789abcdef.txt")
    (tmp_path / "c" / "003_0123456789abcdef.txt").mkdir()
    result = run_cli("check", "c", "--isolated", "--select", "FMT009", cwd=tmp_path)
    assert result.code == 0, result.out + result.err
    named = run_cli("check", "c/002_0123456789abcdef.txt", "--isolated", cwd=tmp_path)
    assert named.code == 2 and "not a regular file" in named.err


def test_reading_stops_at_the_limit_and_otherwise_reads_to_the_end() -> None:
    """``read_fd`` (plain os.read calls): short reads, a file longer than fstat said."""
    import os

    from corpuslint.runner import read_fd

    data = bytes(range(256)) * 1000
    for size_hint in (0, 10, len(data), len(data) + 5):
        r, w = os.pipe()  # a pipe gives short reads
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the writer child
            os.close(r)
            for i in range(0, len(data), 7000):
                os.write(w, data[i : i + 7000])
            os._exit(0)
        os.close(w)
        try:
            assert read_fd(r, None, size_hint) == data
        finally:
            os.close(r)
            os.waitpid(pid, 0)
    r, w = os.pipe()
    os.write(w, data[:50_000])
    os.close(w)
    try:
        assert read_fd(r, 20_000, 0) == data[:20_000]
    finally:
        os.close(r)


def test_the_corpus_stage_on_its_own_gives_what_check_gives(tmp_path: Path) -> None:
    """``Runner._check_corpus`` (results computed elsewhere, e.g. by another engine)
    finds what ``Runner.check`` finds with its index sync overlapping the workers."""
    import os

    from corpuslint import runner as local

    _make_corpus(tmp_path / "c", 200)  # numeric prefixes clash from file 150 on (FMT002)
    session = build_test_session(tmp_path, ["c"], ["FMT002", "DUP001", "DUP002"])
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        whole = local.Runner(session.job).check(session.sources)
        local._init_worker(session.job)
        results = [local.check_source(s) for s in session.sources]
        errors: list[str] = []
        found, stats = local.Runner(session.job)._check_corpus(session.sources, results, errors)
    finally:
        os.chdir(old)
    corpus_codes = {r.code for r in session.job.corpus_rules}
    want = [d for d in whole.diagnostics if d.code in corpus_codes]
    assert want and sorted(found, key=Diagnostic.sort_key) == want
    assert errors == [] and stats["unchanged"] == 200
