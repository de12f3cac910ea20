"""Train the garble model: ``python -m corpuslint.rules.mt.train [--data DIR] [--out FILE]``.

Data (``../shared/data/mlqe-pe`` by default, or ``$CORPUSLINT_MLQE_DIR``):

* ``train.jsonl`` (MLQE-PE, CC0): machine-translated English with human DA
  scores. Garbled = DA < 30, clean = DA >= 70 (the annotation guidelines' bands);
  the middle is left out. Split by source article (``doc``) into five folds:
  fold 0 (the holdout) chooses the regularisation; out-of-fold scores of every
  labelled sentence (each from a model fitted without its article's fold)
  calibrate the thresholds; the shipped model is then fitted on all five.
* ``english-source.jsonl`` (Wikipedia, CC0): human-written English. The
  ``en-de/train`` part joins the clean side (weight ``HUMAN_WEIGHT``), the
  ``en-de/dev`` part calibrates false alarms on human text, and the ``en-zh``
  part is never used here: ``benchmarks/mt_eval.py`` reports on it.
* ``dev.jsonl`` is never read by this script.

The model is a logistic regression over hashed class, word and character
n-grams and a few dense measures (see ``features.py``), fitted by L-BFGS
(numpy; scipy's sparse matrices at training time only) with L2; the regularisation is chosen on the
holdout. Everything is deterministic (no sampling in the fit; the one random
draw, the pseudo documents of the calibration, has a fixed seed), and the file
is written with fixed zip timestamps, so a re-run writes the same bytes:
``rules/mt/model.npz`` holds float16 weights plus JSON metadata.
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
from corpuslint.rules.mt.model import FORMAT, MODEL_PATH

GARBLED_BELOW = 30.0
CLEAN_FROM = 70.0
L2_GRID = (1e-5, 3e-5, 1e-4)
HUMAN_WEIGHT = 0.25
MAX_ITERATIONS = 300
CHUNK = 500  # sentences featurised per batch
SEED = 20240320
FOLDS = 5
CLEAN_FLAG_RATE = 0.10  # most share of held-out clean MT sentences above the sentence threshold
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


def fold_of(doc: str) -> int:
    """Stable fold (0 to FOLDS - 1) of a source article; fold 0 is the holdout."""
    return hashlib.blake2b(doc.encode(), digest_size=4).digest()[0] % FOLDS


def in_holdout(doc: str) -> bool:
    """Stable 20% split by source article."""
    return fold_of(doc) == 0


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
    """Feature rows of many sentences as a sparse matrix (scipy, training only)."""

    def __init__(self, texts: list[str], featurizer: features.Featurizer) -> None:
        from scipy import sparse

        rows, cols, vals = [], [], []
        for k in range(0, len(texts), CHUNK):
            r, c, v = featurizer.batch(texts[k : k + CHUNK])
            rows.append(r + k)
            cols.append(c)
            vals.append(v)
        dim = features.N_DENSE + features.N_BUCKETS
        self.m = sparse.csr_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(len(texts), dim),
        )
        self.m.sum_duplicates()
        self.n = len(texts)

    def dot(self, w: np.ndarray) -> np.ndarray:
        return self.m @ w


def fit(x: Matrix, y: np.ndarray, weight: np.ndarray, l2: float) -> np.ndarray:
    """Weighted logistic regression with L2 (not on the bias), by L-BFGS.

    Only the columns some training row uses are optimised (the others stay 0,
    which is their optimum under L2).
    """
    used = np.unique(x.m.indices)
    m = x.m[:, used].tocsr()
    mt = m.T.tocsr()
    share = weight / weight.sum()
    penalised = np.ones(len(used))
    penalised[used == 0] = 0.0  # the bias

    def loss_and_grad(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = m @ w
        # log(1 + e^z) - y z, computed stably
        loss = float(share @ (np.logaddexp(0.0, z) - y * z))
        g = mt @ (share * (sigmoid(z) - y))
        pw = penalised * w
        return loss + 0.5 * l2 * float(pw @ pw), g + l2 * pw

    w_used, iterations, loss = lbfgs(loss_and_grad, np.zeros(len(used)), MAX_ITERATIONS)
    print(f"  L-BFGS: {iterations} iterations, loss {loss:.6f}", file=sys.stderr)
    w = np.zeros(features.N_DENSE + features.N_BUCKETS)
    w[used] = w_used
    return w


def lbfgs(f, x: np.ndarray, max_iterations: int, memory: int = 10, tol: float = 1e-9):
    """Minimise a smooth convex ``f`` (returning value and gradient) by L-BFGS.

    Two-loop recursion and a backtracking (Armijo) line search; plain numpy,
    deterministic. Returns (x, iterations, value).
    """
    fx, g = f(x)
    history: list[tuple[np.ndarray, np.ndarray, float]] = []
    iterations = 0
    while iterations < max_iterations:
        iterations += 1
        q = g.copy()
        alphas = []
        for s, yv, rho in reversed(history):
            a = rho * float(s @ q)
            q -= a * yv
            alphas.append(a)
        if history:
            s, yv, _rho = history[-1]
            q *= float(s @ yv) / float(yv @ yv)
        else:
            q /= max(1.0, float(np.sqrt(g @ g)))
        for (s, yv, rho), a in zip(history, reversed(alphas)):
            q += s * (a - rho * float(yv @ q))
        d = -q
        slope = float(g @ d)
        if slope >= 0:  # not a descent direction: restart from the gradient
            history.clear()
            d = -g
            slope = float(g @ d)
        step = 1.0
        while True:
            x_new = x + step * d
            f_new, g_new = f(x_new)
            if f_new <= fx + 1e-4 * step * slope or step < 1e-10:
                break
            step *= 0.5
        s_new, y_new = x_new - x, g_new - g
        sy = float(s_new @ y_new)
        if sy > 1e-12:
            history.append((s_new, y_new, 1.0 / sy))
            if len(history) > memory:
                history.pop(0)
        done = fx - f_new <= tol * max(1.0, abs(fx))
        x, fx, g = x_new, f_new, g_new
        if done:
            break
    return x, iterations, fx


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


def write_npz(path: Path, **arrays: np.ndarray) -> None:
    """``np.savez_compressed`` with fixed zip timestamps (the same bytes on every run)."""
    import zipfile

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, value in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(value), allow_pickle=False)


class Data:
    """The training data: labelled MT rows (by fold) and the human text."""

    def __init__(self, folder: Path) -> None:
        self.rows = read_jsonl(folder / "train.jsonl")
        human = read_jsonl(folder / "english-source.jsonl")
        self.labelled = [
            r for r in self.rows if r["da_mean"] < GARBLED_BELOW or r["da_mean"] >= CLEAN_FROM
        ]
        self.y = np.array([1.0 if r["da_mean"] < GARBLED_BELOW else 0.0 for r in self.labelled])
        self.folds = np.array([fold_of(r["doc"]) for r in self.labelled])
        self.human_train = [r["text"] for r in human if r["source"] == "en-de/train"]
        self.human_calib = [r["text"] for r in human if r["source"] == "en-de/dev"]

    def model_for(self, held_out: int | None, l2: float) -> tuple[np.ndarray, features.Featurizer]:
        """Weights fitted without fold ``held_out`` (None: on everything), and the featurizer.

        The general vocabulary comes from the same rows (every DA band), so a fold
        model never sees its held-out articles, not even through the vocabulary.
        """
        keep = self.folds != held_out
        vocab = general_vocabulary(
            [r for r in self.rows if fold_of(r["doc"]) != held_out], self.human_train
        )
        featurizer = features.Featurizer(vocab)
        mt = [r["text"] for r, k in zip(self.labelled, keep) if k]
        y_mt = self.y[keep]
        n_g, n_c = y_mt.sum(), len(y_mt) - y_mt.sum()
        # balance the classes; a human sentence counts HUMAN_WEIGHT of a clean MT one
        weight = np.concatenate(
            [
                np.where(y_mt == 1, 0.5 / n_g, 0.5 / n_c),
                np.full(len(self.human_train), HUMAN_WEIGHT * 0.5 / n_c),
            ]
        )
        x = Matrix(mt + self.human_train, featurizer)
        y = np.concatenate([y_mt, np.zeros(len(self.human_train))])
        t0 = time.time()
        w = fit(x, y, weight, l2)
        print(
            f"  fit without fold {held_out}, l2={l2:g}: {len(mt)} MT + "
            f"{len(self.human_train)} human sentences, {time.time() - t0:.0f} s",
            file=sys.stderr,
        )
        return w, featurizer

    def held_out_scores(self, fold: int, w: np.ndarray, fz: features.Featurizer) -> np.ndarray:
        texts = [r["text"] for r, f in zip(self.labelled, self.folds) if f == fold]
        return Matrix(texts, fz).dot(w)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--data", type=Path, default=None, help="the mlqe-pe folder")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="model file to write")
    args = ap.parse_args(argv)
    t0 = time.time()
    data = Data(args.data or default_data_dir())
    print(
        f"{len(data.labelled)} labelled MT sentences ({int(data.y.sum())} garbled) in "
        f"{FOLDS} folds by article; {len(data.human_train)} human sentences",
        file=sys.stderr,
    )
    # 1. the regularisation: the best AUROC on the holdout (fold 0)
    y0 = data.y[data.folds == 0]
    best = None
    for l2 in L2_GRID:
        w, fz = data.model_for(0, l2)
        a = auroc(data.held_out_scores(0, w, fz), y0)
        print(f"l2={l2:g}: holdout AUROC {a:.4f}", file=sys.stderr)
        if best is None or a > best[0]:
            best = (a, l2, w, fz)
    assert best is not None
    hold_auc, l2, w0, fz0 = best
    # 2. out-of-fold scores of every labelled sentence (each from a model that never
    #    saw its article), for the thresholds
    oof = np.zeros(len(data.labelled))
    oof[data.folds == 0] = data.held_out_scores(0, w0, fz0)
    for fold in range(1, FOLDS):
        w, fz = data.model_for(fold, l2)
        oof[data.folds == fold] = data.held_out_scores(fold, w, fz)
    fold_auc = [auroc(oof[data.folds == f], data.y[data.folds == f]) for f in range(FOLDS)]
    print("out-of-fold AUROC by fold: " + " ".join(f"{a:.4f}" for a in fold_auc), file=sys.stderr)
    # 3. the shipped model: every labelled sentence, the chosen regularisation
    w, fz = data.model_for(None, l2)
    w16 = w.astype(np.float16)
    w = w16.astype(np.float64)  # calibrate with the weights as shipped

    p_oof = sigmoid(oof)
    clean = data.y == 0
    # the threshold keeps every fold's clean sentences at most CLEAN_FLAG_RATE flagged
    sentence_threshold = float(
        max(
            np.quantile(p_oof[clean & (data.folds == f)], 1 - CLEAN_FLAG_RATE) for f in range(FOLDS)
        )
    )
    p_human = sigmoid(Matrix(data.human_calib, fz).dot(w))
    strict_threshold = float(
        max(np.quantile(p_human, 1 - STRICT_HUMAN_RATE), np.quantile(p_oof[clean], 0.98))
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
        "format": FORMAT,
        "n_buckets": features.N_BUCKETS,
        "n_dense": features.N_DENSE,
        "layout_fingerprint": features.layout_fingerprint(),
        "class_order": features.CLASS_ORDER,
        "word_order": features.WORD_ORDER,
        "char_orders": list(features.CHAR_ORDERS),
        "l2": l2,
        "max_iterations": MAX_ITERATIONS,
        "human_weight": HUMAN_WEIGHT,
        "vocabulary": len(fz.vocab),
        "min_documents": MIN_DOCUMENTS,
        "min_language_pairs": MIN_LANGUAGE_PAIRS,
        "sentence_threshold": sentence_threshold,
        "strict_threshold": strict_threshold,
        "doc_share_low": doc_share_low,
        "doc_share_high": doc_share_high,
        "holdout_auroc": hold_auc,
        "out_of_fold_auroc": auroc(oof, data.y),
        "out_of_fold_auroc_by_fold": fold_auc,
        "out_of_fold_clean_flagged": float((p_oof[clean] >= sentence_threshold).mean()),
        "out_of_fold_garbled_flagged": float((p_oof[~clean] >= sentence_threshold).mean()),
        "human_calibration_flagged": base_rate,
        "training_data": "MLQE-PE train.jsonl (CC0) + english-source en-de/train (CC0)",
    }
    # rounded so that a re-run writes the same bytes (last-bit float noise)
    meta = {k: _rounded(v) for k, v in meta.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_npz(
        args.out,
        weights=w16,
        vocab=np.array("\n".join(sorted(fz.vocab))),
        meta=np.array(json.dumps(meta, sort_keys=True)),
    )
    print(json.dumps(meta, indent=2, sort_keys=True))
    print(
        f"wrote {args.out} ({args.out.stat().st_size} bytes) in {time.time() - t0:.0f} s",
        file=sys.stderr,
    )
    return 0


def _rounded(v):
    if isinstance(v, float):
        return round(v, 6)
    if isinstance(v, list):
        return [_rounded(x) for x in v]
    return v


if __name__ == "__main__":
    sys.exit(main())
