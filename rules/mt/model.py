"""The shipped garble model: loaded lazily, numpy only, once per process.

``model.npz`` holds the weights of a logistic regression over the features of
``features.py`` and the thresholds the training script calibrated. It is
written by ``python -m corpuslint.rules.mt.train``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpuslint.rules.mt import features

MODEL_PATH = Path(__file__).with_name("model.npz")
# Longer "sentences" (a run-on line with no full stop) are scored on their start.
MAX_SENTENCE_CHARS = 2000


@dataclass(frozen=True)
class GarbleModel:
    weights: Any  # numpy float32 array
    vocab: frozenset  # general words kept as themselves (see features.py)
    sentence_threshold: float  # probability at which a sentence counts as garbled
    strict_threshold: float  # probability for a per-sentence finding (MT009)
    doc_share_low: float  # share of garbled sentences human documents stay under
    doc_share_high: float  # share at which the model alone decides the verdict
    human_base_rate: float  # share of human sentences above sentence_threshold
    meta: dict

    def score(self, sentences: list[str]) -> list[float]:
        """Garble probability (0..1) of each sentence."""
        if not sentences:
            return []
        import numpy as np

        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        for i, s in enumerate(sentences):
            idx, v = features.featurize(s[:MAX_SENTENCE_CHARS], self.vocab)
            rows.extend([i] * len(idx))
            cols.extend(idx)
            vals.extend(v)
        w = self.weights
        z = np.bincount(
            np.asarray(rows, dtype=np.intp),
            weights=np.asarray(vals) * w[np.asarray(cols, dtype=np.intp)],
            minlength=len(sentences),
        )
        z = np.clip(z, -30.0, 30.0)
        return (1.0 / (1.0 + np.exp(-z))).tolist()


@lru_cache(maxsize=2)
def load(path: str | None = None) -> GarbleModel:
    import json

    import numpy as np

    with np.load(path or MODEL_PATH, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        if meta.get("n_buckets") != features.N_BUCKETS or meta.get("n_dense") != features.N_DENSE:
            raise ValueError(f"{path or MODEL_PATH}: model does not match the feature layout")
        return GarbleModel(
            weights=z["weights"].astype(np.float64),
            vocab=frozenset(str(z["vocab"]).split()),
            sentence_threshold=float(meta["sentence_threshold"]),
            strict_threshold=float(meta["strict_threshold"]),
            doc_share_low=float(meta["doc_share_low"]),
            doc_share_high=float(meta["doc_share_high"]),
            human_base_rate=float(meta["human_calibration_flagged"]),
            meta=meta,
        )


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
