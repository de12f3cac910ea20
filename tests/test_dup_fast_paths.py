"""The fast paths of the DUP rules give exactly what the reference paths give.

* the C kernels (exact text + paragraph screening, word buffers, shingle sets,
  intersections, band keys) against the Python / numpy definitions;
* candidate pairs verified in worker processes against verification in the main
  process (findings byte for byte);
* the index written while results stream in (batches, commits, another process
  writing in between) against a plain sync.
"""

from __future__ import annotations

import json
import random
import sqlite3
import string
from pathlib import Path

import numpy as np
import pytest
from corpuslint.rules.dup import normalize
from corpuslint.rules.dup.minhash import Sketcher
from corpuslint.rules.dup.normalize import WORD, fold
from corpuslint.rules.dup.paragraphs import ParagraphOptions, RepeatedParagraph
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import build_test_session, run_cli, run_subprocess
from tests.test_dup import TEXTS, article, edited, write_corpus

native = pytest.mark.skipif(
    normalize.exact_paragraphs is None, reason="the C kernels are not built"
)

# Characters that decide how DUP003 splits paragraphs and how text folds: line breaks
# (CR, LF, CRLF), blanks, Unicode spaces, letters that fold to several, combining
# marks, digits of other scripts, lone surrogates.
PIECES = [
    "a", "B", "é", "É", "ß", "_", "1", "٣", "ﬁ", "İ", "e\u0301", "’", "-", "x y",
    " ", "\t", "\n", "\r", "\r\n", "\n \n", "\r\n\t\r\n", "\n\n",
    "\xa0", "\u2028", "\u3000", "\x0b", "\x1c", "\x85", "\udc80",
]  # fmt: skip


def reference(text: str, min_words: int) -> tuple[bytes, bool, bytes]:
    folded = fold(text)
    exact = " ".join(folded.split()).encode("utf-8", "surrogatepass")
    repeat = RepeatedParagraph(ParagraphOptions(min_words=min_words))._has_repeat(text)
    words = " ".join(WORD.findall(folded)).encode("utf-8", "surrogatepass")
    return exact, repeat, words


def kernels(text: str, min_words: int) -> tuple[bytes, bool, bytes]:
    folded = fold(text)
    exact, repeat = normalize.exact_paragraphs(folded, min_words, True)
    return exact, repeat, normalize.word_bytes(folded, False)


@native
@pytest.mark.parametrize(
    "text",
    [
        *TEXTS,
        "one two three\n\none two three\n",
        "One Two  three\n \t\nONE two\tthree",
        "a b c\r\na b c\r\n",  # CRLF: the regex splits at each lone CR
        "a b c\r\rA B C",
        "a b c\n\n\n",
        "\n\n  a b c  \n\na  b c",
        "a\xa0b c\n\na b c",  # NBSP is str.split() whitespace
        "straße x\n\nSTRASSE x",  # equal once case folded
        "caf\u00e9 x\n\ncafe\u0301 x",  # equal once NFC
        "no blank line here\nno blank line here",
    ],
)
@pytest.mark.parametrize("min_words", [1, 3, 8])
def test_text_kernels_equal_the_python_definitions(text: str, min_words: int) -> None:
    assert kernels(text, min_words) == reference(text, min_words)


@native
@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30), st.integers(1, 3))
def test_text_kernels_on_generated_text(pieces: list[str], min_words: int) -> None:
    text = "".join(pieces)
    assert kernels(text, min_words) == reference(text, min_words)


@native
@pytest.mark.parametrize("text", ["a b\n\na b", "Ab cd\n\nab CD", "x" * 5000])
def test_ascii_text_is_lowercased_by_the_kernel(text: str) -> None:
    assert normalize.exact_paragraphs(text, 2, True) == normalize.exact_paragraphs(
        fold(text), 2, True
    )


@pytest.mark.parametrize("text", TEXTS)
def test_repeated_paragraph_screening_matches_the_full_check(text: str) -> None:
    rule = RepeatedParagraph(ParagraphOptions(min_words=2))
    doubled = text + "\n\n" + text
    for t in (text, doubled):
        assert rule.may_repeat(t) == rule._has_repeat(t)


@pytest.mark.parametrize("ngram", [1, 5])
def test_native_sets_intersections_and_band_keys_equal_numpy(ngram: int) -> None:
    fast, ref = Sketcher(ngram=ngram), Sketcher(ngram=ngram)
    ref.native = None
    if fast.native is None:
        pytest.skip("the C kernels are not built")
    texts = [*TEXTS, article(3), edited(article(3), 5, 1)]
    sets = []
    for text in texts:
        got = fast.shingle_set(text)
        assert np.array_equal(got, ref.shingle_set(text))
        assert np.all(got[1:] > got[:-1])  # sorted, no repeats
        sets.append(got)
    for a in sets:
        for b in sets:
            want = len(np.intersect1d(a, b, assume_unique=True))
            assert fast.native.intersect_count(a, b) == want
    sigs = np.stack([fast.signature(t) for t in texts])
    assert np.array_equal(fast.band_keys_matrix(sigs), ref.band_keys_matrix(sigs))
    # long documents take the radix sort (short ones an insertion sort)
    words = np.random.default_rng(1).integers(0, 300, 5000).tolist()
    long_text = " ".join(f"w{w}" for w in words)
    raw = fast.native.shingle_set(long_text.encode(), fast.ngram)
    assert np.array_equal(np.frombuffer(raw, dtype=np.uint64), ref.shingle_set(long_text))


# -- verification in worker processes --------------------------------------------------


def clustered_corpus(seed: int) -> dict[str, str]:
    """60 documents: near-copies at several edit rates, chains, exact copies."""
    rng = random.Random(seed)
    docs: dict[str, str] = {}
    for i in range(60):
        if i and rng.random() < 0.6:
            source = docs[rng.choice(sorted(docs))]
            docs[f"{i:02d}.txt"] = edited(source, rng.choice([0, 1, 3, 8, 20]), i)
        else:
            docs[f"{i:02d}.txt"] = article(7000 + 100 * seed + i, rng.randint(60, 300))
    return docs


@pytest.mark.parametrize(("seed", "threshold"), [(1, 0.8), (2, 0.5), (3, 0.9)])
def test_workers_verify_exactly_as_the_main_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, threshold: float
) -> None:
    from corpuslint.rules.dup import graph

    root = write_corpus(
        tmp_path, clustered_corpus(seed), f"[rules.near-duplicate]\nthreshold = {threshold}\n"
    )
    args = ("check", "docs", "--select", "DUP", "--no-cache", "--output-format", "json")
    serial = run_cli(*args, "--jobs", "1", cwd=root)
    calls = []
    monkeypatch.setattr(graph, "WORKERS_MIN_PAIRS", 1)
    real = graph.verify_in_workers
    monkeypatch.setattr(
        graph, "verify_in_workers", lambda *a: calls.append(1) or real(*a), raising=True
    )
    parallel = run_cli(*args, "--jobs", "2", cwd=root)
    assert calls, "the pairs were not verified in the workers"
    assert serial.code == parallel.code == 1
    assert parallel.out == serial.out
    assert any(d["code"] == "DUP002" for d in json.loads(serial.out))


def test_verify_group_reports_unreadable_files_and_all_needed_values(tmp_path: Path) -> None:
    from corpuslint.rules.dup.graph import verify_group

    a = article(20)
    b, c = edited(a, 4, 3), edited(edited(a, 4, 3), 4, 4)
    paths = []
    for name, text in (("a", a), ("b", b), ("c", c)):
        (tmp_path / name).write_text(text)
        paths.append(str(tmp_path / name))
    sk = Sketcher()
    nodes = [("a", paths[0], None, True), ("b", paths[1], None, True), ("c", paths[2], None, True)]
    nodes.append(("gone", str(tmp_path / "missing"), None, True))
    values, verified, unreadable = verify_group(
        sk, 0.5, 1 << 20, nodes, [(0, 1), (1, 2), (0, 2), (2, 3)]
    )
    got = {(x, y): v for x, y, v in values}
    assert unreadable == [3] and got[(2, 3)] == 0.0
    assert (0, 1) in verified and (1, 2) in verified
    assert (0, 2) not in verified  # already joined through b: skipped, as in the main process
    for (x, y), v in got.items():
        if y < 3:
            sx, sy = sk.shingle_set((a, b, c)[x]), sk.shingle_set((a, b, c)[y])
            inter = len(np.intersect1d(sx, sy))
            assert v == inter / (len(sx) + len(sy) - inter)


# -- the index written while results stream in --------------------------------------


def _session(root: Path):
    return build_test_session(root, ["docs"], ["DUP001", "DUP002"], isolated=False)


def _index_content(root: Path) -> dict[str, list]:
    conn = sqlite3.connect(root / ".corpuslint" / "index.sqlite")
    try:
        return {
            "files": conn.execute("SELECT path, size, key FROM files ORDER BY path").fetchall(),
            "exact": conn.execute(
                "SELECT f.path, e.hash FROM dup_exact e JOIN files f ON f.id = e.file_id "
                "ORDER BY f.path"
            ).fetchall(),
            "near": conn.execute(
                "SELECT f.path, k.keys, k.signature FROM dup_near_keys k "
                "JOIN files f ON f.id = k.file_id ORDER BY f.path"
            ).fetchall(),
            "bands": conn.execute(
                "SELECT f.path, count(*) FROM dup_near_bands b "
                "JOIN files f ON f.id = (b.entry & 268435455) GROUP BY f.path ORDER BY f.path"
            ).fetchall(),
            "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
        }
    finally:
        conn.close()


def test_streamed_writes_with_commits_and_another_writer_in_between(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from corpuslint import corpus as corpus_mod
    from corpuslint import runner
    from corpuslint.corpus import Corpus

    docs = {f"{i:02d}.txt": article(400 + i) for i in range(20)}
    docs["20.txt"] = edited(docs["03.txt"], 2, 1)
    plain = write_corpus(tmp_path / "plain", docs)
    streamed = write_corpus(tmp_path / "streamed", docs)
    assert run_cli("index", "build", "--select", "DUP001,DUP002", "-j", "1", cwd=plain).code == 0

    monkeypatch.setattr(corpus_mod, "WRITE_BATCH", 3)
    monkeypatch.setattr(corpus_mod, "COMMIT_SECONDS", 0.0)  # commit after every batch
    session = _session(streamed)
    runner._init_worker(session.job)
    entries = [s.entry for s in session.sources]
    items = [runner.summarise_entry(e) for e in entries]
    corpus = Corpus(session.settings, session.job.corpus_rules, cwd=streamed)
    sync = corpus.begin_sync(entries)
    other = sqlite3.connect(streamed / ".corpuslint" / "index.sqlite", timeout=30)
    for n, item in enumerate(items):
        sync.add(item)
        if n == 7:  # another process indexes a file this sync writes later
            late = items[15]
            other.execute(
                "INSERT INTO files (path, size, mtime_ns, key) VALUES (?, 1, 1, 'stale')",
                (late.entry.relpath,),
            )
            other.commit()
    stats = sync.finish(lambda entries: [runner.summarise_entry(e) for e in entries])
    corpus.close()
    other.close()
    assert stats["added"] + stats["updated"] == len(docs)
    assert _index_content(streamed) == _index_content(plain)
    # and checks against either index agree
    args = ("check", "docs/20.txt", "--select", "DUP002", "--output-format", "json")
    assert run_cli(*args, cwd=streamed).out == run_cli(*args, cwd=plain).out


@pytest.mark.parametrize(
    ("error", "rebuilt"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), True),
        (sqlite3.OperationalError("database is locked"), False),
        (sqlite3.OperationalError("disk I/O error"), False),
    ],
)
def test_a_database_error_while_streaming(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: Exception, rebuilt: bool
) -> None:
    """A damaged index is rebuilt and the check goes on; an error of the moment (another
    process holds the index, the disk fails) is one error line, the index left alone."""
    from corpuslint import corpus as corpus_mod

    root = write_corpus(tmp_path, {f"{i:02d}.txt": article(500 + i) for i in range(60)})
    want = run_cli("check", "docs", "--select", "DUP", "--no-cache", "-j", "1", cwd=root)
    real = corpus_mod.Corpus._write_batch
    failed = []

    def flaky(self, *args):
        if not failed:
            failed.append(1)
            raise error
        return real(self, *args)

    monkeypatch.setattr(corpus_mod.Corpus, "_write_batch", flaky)
    monkeypatch.setattr(corpus_mod, "WRITE_BATCH", 10)
    (root / ".corpuslint" / "index.sqlite").unlink()
    got = run_cli("check", "docs", "--select", "DUP", "--no-cache", "-j", "2", cwd=root)
    assert failed
    assert "Traceback" not in got.err
    if rebuilt:
        assert "rebuilding it" in got.err
        assert (got.code, got.out) == (want.code, want.out)
        assert len(_index_content(root)["files"]) == 60
    else:
        assert got.code == 2 and got.out == ""
        assert got.err.strip().count("\n") == 0 and str(error) in got.err
        assert "rebuilding" not in got.err
    assert _index_content(root)["integrity"] == [("ok",)]


def test_printable_ascii_fast_path_matches_for_random_words() -> None:
    rng = random.Random(5)
    rule = RepeatedParagraph(ParagraphOptions(min_words=3))
    for _ in range(300):
        words = ["".join(rng.choices(string.ascii_letters, k=rng.randint(1, 3))) for _ in range(9)]
        paras = [" ".join(rng.sample(words, 4)) for _ in range(rng.randint(1, 5))]
        text = rng.choice(["\n\n", "\n", "\r\n\r\n"]).join(paras)
        assert rule.may_repeat(text) == rule._has_repeat(text)


def test_without_the_c_kernels_the_findings_are_the_same(tmp_path: Path) -> None:
    """The numpy / Python paths (no compiler at install time) find exactly the same."""
    docs = clustered_corpus(4)
    docs["70.txt"] = "Café “quoted” naïve text, " + docs["01.txt"]  # not ASCII
    docs["71.txt"] = docs["70.txt"].replace("Café", "CAFÉ")
    para = "A paragraph long enough to count as a repeat of itself here.\n\n"
    docs["72.txt"] = para + article(9001) + "\n\n" + para  # DUP003
    root = write_corpus(tmp_path, docs)
    args = ("check", "docs", "--select", "DUP", "--no-cache", "--output-format", "json")
    fast = run_subprocess(*args, cwd=root)
    slow = run_subprocess(*args, cwd=root, env={"CORPUSLINT_NO_NATIVE": "1"})
    assert fast.code == slow.code == 1, slow.err
    assert fast.out == slow.out
    codes = {d["code"] for d in json.loads(fast.out)}
    assert {"DUP001", "DUP002", "DUP003"} <= codes


def test_an_out_of_date_c_module_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install not rebuilt after an update: numpy takes over, no crash."""
    import sys
    import types

    from corpuslint.rules.dup import minhash

    old = types.ModuleType("corpuslint.rules.dup._minhash")
    old.shingle_ids = lambda buf, n: b""  # the first version had only these two
    old.signature = lambda ids, a, b: b""
    import corpuslint.rules.dup as package

    monkeypatch.setitem(sys.modules, "corpuslint.rules.dup._minhash", old)
    monkeypatch.setattr(package, "_minhash", old, raising=False)
    monkeypatch.delenv("CORPUSLINT_NO_NATIVE", raising=False)
    assert minhash._load_native() is None
    sk = Sketcher()
    assert sk.native is None and len(sk.signature(article(1))) == 128


def test_verification_reads_regular_files_up_to_the_size_limit(tmp_path: Path) -> None:
    import os

    from corpuslint.rules.dup.graph import _read_file

    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 5000)
    assert _read_file(str(big), 5000) == b"x" * 5000
    assert _read_file(str(big), 4999) is None  # over the limit: not verified
    assert _read_file(str(tmp_path / "missing.txt"), 5000) is None
    fifo = tmp_path / "fifo.txt"
    os.mkfifo(fifo)
    assert _read_file(str(fifo), 5000) is None  # never blocks on a FIFO
    assert _read_file(str(tmp_path), 5000) is None  # a directory


def test_shipped_default_permutations_are_numpys_draw() -> None:
    from corpuslint.rules.dup import default_permutations as default

    sk = Sketcher(seed=default.SEED, num_perm=default.NUM_PERM)
    assert (sk.a.tobytes(), sk.b.tobytes()) == (default.A, default.B)
    assert (sk.a_bytes, sk.b_bytes) == (default.A, default.B)
    other = Sketcher(seed=7, num_perm=64)  # not shipped: drawn with numpy
    assert other.a_bytes == other.a.tobytes() and len(other.a_bytes) == 64 * 4


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.8, 128), (0.5, 128), (0.9, 64)])
def test_plain_python_band_keys_equal_the_vectorised_ones(threshold: float, num_perm: int) -> None:
    from corpuslint.rules.dup.minhash import band_keys_of_signature

    sk = Sketcher(threshold=threshold, num_perm=num_perm)
    for seed in range(20):
        sig = sk.signature(article(seed))
        want = sk.band_keys(sig).tolist()
        assert band_keys_of_signature(sig.tobytes(), sk.bands, sk.rows) == want
        assert sk.band_keys_matrix(sig[None, :])[0].tolist() == want


# Run the CLI in one process and say whether numpy was imported.
_NUMPY_PROBE = (
    "import sys; from corpuslint.cli import main; code = main(sys.argv[1:]); "
    "print(code, 'numpy' in sys.modules)"
)


@native
def test_a_new_file_without_near_duplicates_is_checked_without_numpy(tmp_path: Path) -> None:
    """The pre-commit case: one new file against an indexed corpus; numpy (about a
    third of the start-up time) is imported only when a candidate pair turns up."""
    import subprocess
    import sys

    docs = {f"{i:02d}.txt": article(700 + i) for i in range(30)}
    root = write_corpus(tmp_path, docs)
    run_cli("index", "build", "--select", "DUP", cwd=root)

    def probe(name: str) -> list[str]:
        args = ["check", f"docs/{name}", "--select", "DUP", "--output-format", "json"]
        done = subprocess.run(
            [sys.executable, "-c", _NUMPY_PROBE, *args],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout.split()[-2:]

    (root / "docs" / "new.txt").write_text(article(9999))
    assert probe("new.txt") == ["0", "False"]
    (root / "docs" / "copy.txt").write_text(edited(docs["03.txt"], 5, seed=1))
    assert probe("copy.txt") == ["1", "True"]  # a candidate: the full check runs


def _band_rows(root: Path) -> list[tuple[str, int]]:
    """Every (path, band key high bits) of the band table."""
    conn = sqlite3.connect(root / ".corpuslint" / "index.sqlite")
    try:
        return conn.execute(
            "SELECT f.path, b.entry >> 28 FROM dup_near_bands b "
            "JOIN files f ON f.id = (b.entry & 268435455) ORDER BY 1, 2"
        ).fetchall()
    finally:
        conn.close()


def test_index_rows_of_a_few_files_equal_the_bulk_rows(tmp_path: Path) -> None:
    """Files added (and changed) a few at a time take the plain-Python path; the
    index must hold exactly what a bulk build writes."""
    docs = {f"{i:02d}.txt": article(800 + i) for i in range(40)}
    bulk = write_corpus(tmp_path / "bulk", docs)
    few = write_corpus(tmp_path / "few", {})
    changed = edited(docs["07.txt"], 30, seed=2)
    runs = []
    for name, text in docs.items():  # one file per run: the few-files path
        (few / "docs" / name).write_text(text)
        runs.append(run_cli("check", f"docs/{name}", "--select", "DUP", "--no-cache", cwd=few))
    for root in (bulk, few):  # a change: the old rows are removed, new ones written
        (root / "docs" / "07.txt").write_text(changed)
    runs.append(run_cli("check", "docs/07.txt", "--select", "DUP", "--no-cache", cwd=few))
    assert all(r.code == 0 and r.err == "" for r in runs), [r.err for r in runs if r.err]
    run_cli("index", "build", "--select", "DUP", cwd=bulk)
    near_bulk, near_few = _index_content(bulk)["near"], _index_content(few)["near"]
    assert len(near_bulk) == 40 and near_bulk == near_few
    assert _band_rows(bulk) == _band_rows(few)
