"""Train the garble model: ``python -m corpuslint.rules.mt.train [--data DIR] [--out FILE]``.

Data (``../shared/data/mlqe-pe`` by default, or ``$CORPUSLINT_MLQE_DIR``):

* ``train.jsonl`` (MLQE-PE, CC0): machine-translated English with human DA
  scores. Garbled = DA < 30, clean = DA >= 70 (the annotation guidelines' bands);
  the middle is left out. Split by source article (``doc``) into 80% for fitting
  and 20% (``holdout``) for choosing the regularisation and the thresholds.
* ``english-source.jsonl`` (Wikipedia, CC0): human-written English. The
  ``en-de/train`` part joins the clean side (weight ``HUMAN_WEIGHT``), the
  ``en-de/dev`` part calibrates false alarms on human text, and the ``en-zh``
  part is never used here: ``benchmarks/mt_eval.py`` reports on it.
* ``dev.jsonl`` is never read by this script.

The model is a logistic regression over hashed class n-grams (see
``features.py``) fitted by full-batch Adam with L2 (deterministic: no sampling),
written to ``rules/mt/model.npz`` as float16 weights plus JSON metadata.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
from corpuslint.rules.mt import features
from corpuslint.rules.mt.analysis import shrunk_share
from corpuslint.rules.mt.model import MODEL_PATH

GARBLED_BELOW = 30.0
CLEAN_FROM = 70.0
L2_GRID = (1e-6, 3e-6, 1e-5, 3e-5)
HUMAN_WEIGHT = 0.5
ITERATIONS = 400
LEARNING_RATE = 0.05
SEED = 20240320
CLEAN_FLAG_RATE = 0.10  # share of held-out clean MT sentences above the sentence threshold
STRICT_HUMAN_RATE = 0.005  # share of human sentences above the strict threshold
PSEUDO_DOCS = 4000
MIN_DOCUMENTS = 12  # a word in this many different documents is general English
MIN_LANGUAGE_PAIRS = 4  # ... and in the MT output of this many language pairs
HUMAN_DOC_SENTENCES = 20


def default_data_dir() -> Path:
    env = os.environ.get("CORPUSLINT_MLQE_DIR")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        cand = parent.parent / "shared" / "data" / "mlqe-pe"
        if cand.is_dir():
            return cand
    return Path("../shared/data/mlqe-pe")


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def in_holdout(doc: str) -> bool:
    """Stable 20% split by source article."""
    return hashlib.blake2b(doc.encode(), digest_size=4).digest()[0] % 5 == 0


def general_vocabulary(mt_rows: list[dict], human: list[str]) -> frozenset[str]:
    """General English words: kept as themselves by the features (``V:word``).

    A word qualifies when it is usually written in lower case (so not a name:
    ``Nepal``, ``Putin``), appears in the MT output of at least
    MIN_LANGUAGE_PAIRS language pairs and in the human text (so not one
    pair's topic), and in at least MIN_DOCUMENTS different documents. MT rows
    count by source article; human sentences by pseudo documents of
    HUMAN_DOC_SENTENCES in file order.
    """
    docs: dict[str, set] = {}
    pairs: dict[str, set] = {}
    lower: dict[str, int] = {}
    total: dict[str, int] = {}
    in_human: set[str] = set()

    def count(text: str) -> set[str]:
        seen = set()
        for t in features.tokens(text):
            if not t[0].isalpha():
                continue
            w = t.lower()
            total[w] = total.get(w, 0) + 1
            if t == w:
                lower[w] = lower.get(w, 0) + 1
            seen.add(w)
        return seen

    for r in mt_rows:
        key = ("mt", r["lang_pair"], r["doc"])
        for w in count(r["text"]):
            docs.setdefault(w, set()).add(key)
            pairs.setdefault(w, set()).add(r["lang_pair"])
    for i, text in enumerate(human):
        key = ("human", i // HUMAN_DOC_SENTENCES)
        for w in count(text):
            docs.setdefault(w, set()).add(key)
            in_human.add(w)
    return frozenset(
        w
        for w, d in docs.items()
        if len(d) >= MIN_DOCUMENTS
        and w in in_human
        and len(pairs.get(w, ())) >= MIN_LANGUAGE_PAIRS
        and lower.get(w, 0) * 2 >= total[w]
        and w not in features.FUNCTION_WORDS
    )


class Matrix:
    """Sparse rows of hashed features, as flat numpy arrays."""

    def __init__(self, texts: list[str], vocab: frozenset[str]) -> None:
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, t in enumerate(texts):
            idx, v = features.featurize(t, vocab)
            rows.extend([i] * len(idx))
            cols.extend(idx)
            vals.extend(v)
        self.rows = np.asarray(rows, dtype=np.intp)
        self.cols = np.asarray(cols, dtype=np.intp)
        self.vals = np.asarray(vals, dtype=np.float64)
        self.n = len(texts)

    def dot(self, w: np.ndarray) -> np.ndarray:
        return np.bincount(self.rows, weights=self.vals * w[self.cols], minlength=self.n)

    def tdot(self, r: np.ndarray, dim: int) -> np.ndarray:
        return np.bincount(self.cols, weights=self.vals * r[self.rows], minlength=dim)


def fit(x: Matrix, y: np.ndarray, weight: np.ndarray, l2: float) -> np.ndarray:
    dim = features.N_DENSE + features.N_BUCKETS
    w = np.zeros(dim)
    m = np.zeros(dim)
    v = np.zeros(dim)
    total = weight.sum()
    for t in range(1, ITERATIONS + 1):
        p = 1.0 / (1.0 + np.exp(-np.clip(x.dot(w), -30, 30)))
        g = x.tdot((p - y) * weight, dim) / total + l2 * w
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= LEARNING_RATE * (m / (1 - 0.9**t)) / (np.sqrt(v / (1 - 0.999**t)) + 1e-8)
    return w


def auroc(scores: np.ndarray, labels: np.ndarray) -> float:
    """Area under the ROC curve (ties count half), labels 1 = garbled."""
    order = np.argsort(scores, kind="mergesort")
    s = scores[order]
    ranks = np.empty(len(s))
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and s[j + 1] == s[i]:
            j += 1
        ranks[i : j + 1] = (i + j) / 2 + 1
        i = j + 1
    r = np.empty(len(s))
    r[order] = ranks
    pos = labels == 1
    n_pos, n_neg = pos.sum(), (~pos).sum()
    return float((r[pos].sum() - n_pos * (n_pos + 1) / 2) / (n_pos * n_neg))


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=None, help="the mlqe-pe folder")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    args = ap.parse_args(argv)
    data = args.data or default_data_dir()
    t0 = time.time()
    rows = read_jsonl(data / "train.jsonl")
    human = read_jsonl(data / "english-source.jsonl")
    labelled = [r for r in rows if r["da_mean"] < GARBLED_BELOW or r["da_mean"] >= CLEAN_FROM]
    fit_rows = [r for r in labelled if not in_holdout(r["doc"])]
    hold_rows = [r for r in labelled if in_holdout(r["doc"])]
    human_train = [r["text"] for r in human if r["source"] == "en-de/train"]
    human_calib = [r["text"] for r in human if r["source"] == "en-de/dev"]

    texts = [r["text"] for r in fit_rows] + human_train
    y = np.array([1.0 if r["da_mean"] < GARBLED_BELOW else 0.0 for r in fit_rows])
    y = np.concatenate([y, np.zeros(len(human_train))])
    n_g, n_c = y[: len(fit_rows)].sum(), len(fit_rows) - y[: len(fit_rows)].sum()
    # balance the classes; human sentences count HUMAN_WEIGHT of an MT clean one
    weight = np.concatenate(
        [
            np.where(y[: len(fit_rows)] == 1, 0.5 / n_g, 0.5 / n_c),
            np.full(len(human_train), HUMAN_WEIGHT * 0.5 / n_c),
        ]
    )
    all_fit_rows = [r for r in rows if not in_holdout(r["doc"])]
    vocab = general_vocabulary(all_fit_rows, human_train)
    x = Matrix(texts, vocab)
    xh = Matrix([r["text"] for r in hold_rows], vocab)
    yh = np.array([1 if r["da_mean"] < GARBLED_BELOW else 0 for r in hold_rows])
    print(
        f"fit: {len(fit_rows)} MT ({int(n_g)} garbled, {int(n_c)} clean) + "
        f"{len(human_train)} human; holdout: {len(hold_rows)} MT",
        file=sys.stderr,
    )
    best = None
    for l2 in L2_GRID:
        w = fit(x, y, weight, l2)
        a = auroc(xh.dot(w), yh)
        print(f"l2={l2:g}: holdout AUROC {a:.4f}", file=sys.stderr)
        if best is None or a > best[0]:
            best = (a, l2, w)
    assert best is not None
    hold_auc, l2, w = best
    w16 = w.astype(np.float16)
    w = w16.astype(np.float64)  # calibrate with the weights as shipped

    p_hold = sigmoid(xh.dot(w))
    p_human = sigmoid(Matrix(human_calib, vocab).dot(w))
    clean = p_hold[yh == 0]
    sentence_threshold = float(np.quantile(clean, 1 - CLEAN_FLAG_RATE))
    strict_threshold = float(
        max(np.quantile(p_human, 1 - STRICT_HUMAN_RATE), np.quantile(clean, 0.98))
    )
    # Pseudo-documents of human sentences (5 to 40 sentences): how large a
    # (shrunk) share of garbled-looking sentences does good human text reach?
    rng = np.random.default_rng(SEED)
    flagged = (p_human >= sentence_threshold).astype(float)
    base_rate = float(flagged.mean())
    shares = []
    for _ in range(PSEUDO_DOCS):
        n = int(rng.integers(5, 41))
        k = int(flagged[rng.choice(len(flagged), n, replace=False)].sum())
        shares.append(shrunk_share(k, n, base_rate))
    doc_share_low = float(np.quantile(shares, 0.995))
    doc_share_high = float(min(1.0, doc_share_low + 0.25))
    meta = {
        "format": 1,
        "n_buckets": features.N_BUCKETS,
        "n_dense": features.N_DENSE,
        "max_n": features.MAX_N,
        "l2": l2,
        "iterations": ITERATIONS,
        "human_weight": HUMAN_WEIGHT,
        "vocabulary": len(vocab),
        "min_documents": MIN_DOCUMENTS,
        "min_language_pairs": MIN_LANGUAGE_PAIRS,
        "sentence_threshold": sentence_threshold,
        "strict_threshold": strict_threshold,
        "doc_share_low": doc_share_low,
        "doc_share_high": doc_share_high,
        "holdout_auroc": hold_auc,
        "holdout_clean_flagged": float((clean >= sentence_threshold).mean()),
        "holdout_garbled_flagged": float((p_hold[yh == 1] >= sentence_threshold).mean()),
        "human_calibration_flagged": base_rate,
        "training_data": "MLQE-PE train.jsonl (CC0) + english-source en-de/train (CC0)",
    }
    # rounded so that a re-run writes the same bytes (last-bit float noise)
    meta = {k: round(v, 6) if isinstance(v, float) else v for k, v in meta.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as fh:
        np.savez_compressed(
            fh,
            weights=w16,
            vocab=np.array("\n".join(sorted(vocab))),
            meta=np.array(json.dumps(meta, sort_keys=True)),
        )
    print(json.dumps(meta, indent=2, sort_keys=True))
    print(
        f"wrote {args.out} ({args.out.stat().st_size} bytes) in {time.time() - t0:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
