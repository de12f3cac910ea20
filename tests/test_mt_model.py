"""The garble model: feature invariants, scoring, and a reproducible training run."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from corpuslint.rules.mt import features, train
from corpuslint.rules.mt.model import FORMAT, MODEL_PATH, load

SENTENCES = [
    "The council approved the budget on Tuesday.",
    "Only 200 metres later, we arrive at the Former Bandy, covered with young rind.",
    "of of the his her",
    "",
    "   ",
    "x",
    "“Quoted,” he said — and left…",
    "\udcff\udcfe broken bytes. More text.",
    "\u200b\u202e\ufeff odd. Unicode\u0301 here.",
    "Ça coûte 4,5 € à Zürich, dit-il.",
    "Москва и Санкт-Петербург.",
    "A" * 5000,
    "word " * 3000,
]


@pytest.fixture(scope="module")
def model():
    return load()


def _rows(featurizer: features.Featurizer, sentences: list[str]) -> list[dict[int, float]]:
    rows, cols, vals = featurizer.batch(sentences)
    out: list[dict[int, float]] = [{} for _ in sentences]
    for r, c, v in zip(rows.tolist(), cols.tolist(), vals.tolist()):
        assert c not in out[r], "a feature appears twice in one row"
        out[r][c] = v
    return out


def test_features_are_in_range_and_finite() -> None:
    fz = features.Featurizer(frozenset({"budget"}))
    rows, cols, vals = fz.batch(SENTENCES)
    assert rows.dtype.kind == "i" and cols.dtype.kind == "i"
    assert rows.min() >= 0 and rows.max() < len(SENTENCES)
    assert cols.min() >= 0 and cols.max() < features.N_DENSE + features.N_BUCKETS
    assert np.isfinite(vals).all()
    assert set(rows.tolist()) == set(range(len(SENTENCES)))  # every row has its bias


@pytest.mark.parametrize("sentence", SENTENCES)
def test_a_sentence_gets_the_same_features_alone_and_in_a_batch(sentence: str) -> None:
    fz = features.Featurizer()
    batch = _rows(fz, SENTENCES)
    alone = _rows(features.Featurizer(), [sentence])[0]
    assert batch[SENTENCES.index(sentence)] == pytest.approx(alone)


@pytest.mark.parametrize(
    "sentence",
    ["The council approved the budget on Tuesday.", "Ashwini Nakshatri means astrologer."],
)
def test_each_hashed_view_has_unit_length(sentence: str) -> None:
    row = _rows(features.Featurizer(), [sentence])[0]
    hashed = [v for c, v in row.items() if c >= features.N_DENSE]
    # three binary views (class, word, character n-grams), each scaled to length 1
    assert sum(v * v for v in hashed) == pytest.approx(3.0, abs=0.05)


def test_names_and_digits_do_not_change_the_word_and_character_views() -> None:
    fz = features.Featurizer()
    a, b = _rows(fz, ["Smith met Jones in 1999 and left.", "Brown met Lopez in 2004 and left."])
    assert a == b


def test_hashing_is_stable_across_featurizers() -> None:
    a = _rows(features.Featurizer(), ["A stable sentence, with words."])[0]
    b = _rows(features.Featurizer(), ["A stable sentence, with words."])[0]
    assert a == b
    assert features.layout_fingerprint() == features.layout_fingerprint()


def test_scores_are_probabilities_and_batch_independent(model) -> None:
    scores = model.score(SENTENCES)
    assert len(scores) == len(SENTENCES)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert [model.score([s])[0] for s in SENTENCES] == pytest.approx(scores)
    assert model.score([]) == []


def test_shipped_model_file(model) -> None:
    assert MODEL_PATH.stat().st_size < 10 * 1024 * 1024
    meta = model.meta
    assert meta["format"] == FORMAT
    assert (meta["n_buckets"], meta["n_dense"]) == (features.N_BUCKETS, features.N_DENSE)
    # the features of the code are the ones the shipped weights were trained on
    assert meta["layout_fingerprint"] == features.layout_fingerprint()
    assert 0.0 < model.sentence_threshold < model.strict_threshold < 1.0
    assert 0.0 <= model.doc_share_low < model.doc_share_high <= 1.0
    assert len(model.weights) == features.N_DENSE + features.N_BUCKETS
    # topic-free vocabulary: lower-case general words, no function words
    assert model.vocab and all(w == w.lower() for w in model.vocab)
    assert not model.vocab & features.FUNCTION_WORDS


def test_garbled_sentences_score_above_clean_ones(model) -> None:
    clean = [
        "The council approved the new budget on Tuesday after a long debate.",
        "Prices rose by three per cent last year, the bank said.",
        "She was born in a small village and moved to the city as a child.",
    ]
    garbled = [
        "In the temple of the gods of the gods was the chief of the chief of the people.",
        "Thio food siya saram, Siya unprotected the of.",
        "Among the third and fourth smoking cowboys in a moment the ship was broken two.",
    ]
    assert sum(model.score(clean)) < sum(model.score(garbled))


# -- training -------------------------------------------------------------------------------

_CLEAN = [
    "The {n} approved the new {m} on {d} after a long debate.",
    "Officials said the {n} would open a new {m} next {d}.",
    "The {m} was built in the town by the {n} many years ago.",
    "Most of the {n} agreed that the {m} should stay open on {d}.",
]
_GARBLED = [
    "of the {n} the {m} his her was {d} of the of.",
    "{m} {m} the {n} in a {d} of the of the gods gods.",
    "The {n} their the {m} {d} is was broken into two the.",
    "And the {m} of {n} rather than {d} sat the his alone of.",
]
_NOUNS = ["council", "village", "bank", "school", "river", "market", "army", "church"]
_DAYS = ["Monday", "Tuesday", "week", "year", "summer"]


def _tiny_data(folder: Path) -> None:
    rng = random.Random(7)

    def fill(template: str) -> str:
        return template.format(n=rng.choice(_NOUNS), m=rng.choice(_NOUNS), d=rng.choice(_DAYS))

    rows = []
    for doc in range(30):
        for lp in ("ro-en", "ne-en"):
            for _ in range(3):
                rows.append(
                    {
                        "text": fill(rng.choice(_CLEAN)),
                        "da_mean": 85.0,
                        "lang_pair": lp,
                        "doc": f"article {doc}",
                    }
                )
                rows.append(
                    {
                        "text": fill(rng.choice(_GARBLED)),
                        "da_mean": 10.0,
                        "lang_pair": lp,
                        "doc": f"article {doc}",
                    }
                )
    human = [
        {"text": fill(rng.choice(_CLEAN)), "source": source}
        for source in ("en-de/train",) * 60 + ("en-de/dev",) * 60
    ]
    for name, records in (("train.jsonl", rows), ("english-source.jsonl", human)):
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in records))


def test_training_is_reproducible_byte_for_byte(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(train, "L2_GRID", (1e-4,))
    monkeypatch.setattr(train, "MAX_ITERATIONS", 40)
    _tiny_data(tmp_path)
    outs = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for out in outs:
        assert train.main(["--data", str(tmp_path), "--out", str(out)]) == 0
    assert outs[0].read_bytes() == outs[1].read_bytes()
    trained = load(str(outs[0]))
    assert trained.meta["holdout_auroc"] > 0.9  # the tiny task is easy
    garbled, clean = trained.score(
        ["of the bank the army his her was week of the of.", "The bank approved the new army."]
    )
    assert garbled > clean
