"""The shipped garble model: loaded lazily, numpy only, once per process.

``model.npz`` holds the weights of a logistic regression over the features of
``features.py`` (hashed class, word and character n-grams plus a few dense
measures), the general vocabulary the class view keeps as words, and the
thresholds the training script calibrated. It is written by
``python -m corpuslint.rules.mt.train``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from corpuslint.rules.mt import features

MODEL_PATH = Path(__file__).with_name("model.npz")
# Longer "sentences" (a run-on line with no full stop) are scored on their start.
MAX_SENTENCE_CHARS = 2000
BATCH = 512  # sentences featurised together (bounded memory for huge documents)
FORMAT = 2


@dataclass(frozen=True)
class GarbleModel:
    weights: Any  # numpy float64 array: N_DENSE dense weights, then N_BUCKETS hashed ones
    vocab: frozenset  # general words kept as themselves (see features.py)
    sentence_threshold: float  # probability at which a sentence counts as garbled
    strict_threshold: float  # probability for a per-sentence finding (MT009)
    doc_share_low: float  # share of garbled sentences human documents stay under
    doc_share_high: float  # share at which the model alone decides the verdict
    human_base_rate: float  # share of human sentences above sentence_threshold
    meta: dict
    featurizer: features.Featurizer = field(compare=False, repr=False, default=None)

    def logits(self, sentences: list[str]):
        """Raw scores (log-odds) of the sentences, as a numpy array."""
        import numpy as np

        out = []
        for k in range(0, len(sentences), BATCH):
            texts = [s[:MAX_SENTENCE_CHARS] for s in sentences[k : k + BATCH]]
            rows, cols, vals = self.featurizer.batch(texts)
            out.append(np.bincount(rows, weights=vals * self.weights[cols], minlength=len(texts)))
        return np.concatenate(out) if out else np.zeros(0)

    def score(self, sentences: list[str]) -> list[float]:
        """Garble probability (0..1) of each sentence."""
        if not sentences:
            return []
        import numpy as np

        z = np.clip(self.logits(sentences), -30.0, 30.0)
        return (1.0 / (1.0 + np.exp(-z))).tolist()


@lru_cache(maxsize=2)
def load(path: str | None = None) -> GarbleModel:
    import json

    import numpy as np

    with np.load(path or MODEL_PATH, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        layout = (meta.get("format"), meta.get("n_buckets"), meta.get("n_dense"))
        if layout != (FORMAT, features.N_BUCKETS, features.N_DENSE):
            raise ValueError(f"{path or MODEL_PATH}: model does not match the feature layout")
        vocab = frozenset(str(z["vocab"]).split())
        return GarbleModel(
            weights=z["weights"].astype(np.float64),
            vocab=vocab,
            sentence_threshold=float(meta["sentence_threshold"]),
            strict_threshold=float(meta["strict_threshold"]),
            doc_share_low=float(meta["doc_share_low"]),
            doc_share_high=float(meta["doc_share_high"]),
            human_base_rate=float(meta["human_calibration_flagged"]),
            meta=meta,
            featurizer=features.Featurizer(vocab),
        )


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))
