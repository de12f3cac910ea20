"""One analysis of a document, shared by every MT rule and by ``corpuslint signals``.

``analyze(text, engine)`` splits the text into sentences, runs the sentence
detectors (``checks.py``), scores every sentence with the garble model (loaded
lazily, numpy only) and, with the LanguageTool engine, counts grammar errors.
The verdict combines them:

* rule evidence ``r``: sentence findings beyond the first, per sentence
  (``min(1, (k - 1) / max(3, 0.08 n))``), halved when they are all of one code;
* model evidence ``m``: the share of sentences the model calls garbled, scaled
  between what good human text reaches by chance (``doc_share_low``) and
  ``doc_share_high`` (both calibrated by the training script);
* grammar evidence ``g`` (LanguageTool only): errors per 100 words above 2;
* score = ``1 - (1 - r)(1 - m)(1 - g)``; MT001 when score >= ``threshold``
  and the document has at least ``min-sentences`` sentences.

The last analysis is cached per process: the MT rules run one after another on
the same document in a worker, and each needs the same analysis.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from corpuslint.rules.mt.checks import Signal, all_signals
from corpuslint.rules.mt.sentences import Paragraph, Sentence, sentences, word_count

MIN_WORDS_SCORED = 3
PRIOR_SENTENCES = 10  # weight of the human base rate in the shrunk share


def shrunk_share(flagged: int, n: int, base_rate: float) -> float:
    """``(flagged + PRIOR_SENTENCES * base) / (n + PRIOR_SENTENCES)``."""
    return (flagged + PRIOR_SENTENCES * base_rate) / (n + PRIOR_SENTENCES)


@dataclass(frozen=True)
class EngineConfig:
    engine: str = "builtin"
    languagetool_url: str = ""
    languagetool_memory: str = "512m"
    language: str = "en-US"


@dataclass
class Analysis:
    paragraphs: list[Paragraph]
    sentences: list[Sentence]
    signals: list[Signal]
    scores: list[float | None]  # garble probability per sentence (None: too short to score)
    words: int
    grammar_errors: int | None = None
    grammar: list[int] = field(default_factory=list)  # errors per sentence (LanguageTool)
    sentence_threshold: float = 0.5
    strict_threshold: float = 0.9
    doc_share_low: float = 0.2
    doc_share_high: float = 0.5
    human_base_rate: float = 0.05

    @property
    def scored(self) -> list[float]:
        return [s for s in self.scores if s is not None]

    @property
    def garbled_share(self) -> float:
        scored = self.scored
        if not scored:
            return 0.0
        return sum(1 for s in scored if s >= self.sentence_threshold) / len(scored)

    @property
    def mean_score(self) -> float:
        scored = self.scored
        return sum(scored) / len(scored) if scored else 0.0

    @property
    def rule_evidence(self) -> float:
        k = len(self.signals)
        if k <= 1:
            return 0.0
        r = min(1.0, (k - 1) / max(3.0, 0.08 * len(self.sentences)))
        if len({s.code for s in self.signals}) < 2:
            r *= 0.5
        return r

    @property
    def shrunk_garbled_share(self) -> float:
        """Garbled share pulled toward the human base rate (few sentences, little evidence)."""
        return shrunk_share(
            sum(1 for s in self.scored if s >= self.sentence_threshold),
            len(self.scored),
            self.human_base_rate,
        )

    @property
    def model_evidence(self) -> float:
        lo, hi = self.doc_share_low, self.doc_share_high
        if len(self.scored) < 5:
            return 0.0
        return min(1.0, max(0.0, (self.shrunk_garbled_share - lo) / max(1e-9, hi - lo)))

    @property
    def grammar_density(self) -> float | None:
        if self.grammar_errors is None:
            return None
        return 100.0 * self.grammar_errors / max(1, self.words)

    @property
    def grammar_evidence(self) -> float:
        d = self.grammar_density
        if d is None:
            return 0.0
        return min(1.0, max(0.0, (d - 2.0) / 4.0))

    @property
    def doc_score(self) -> float:
        keep = (1 - self.rule_evidence) * (1 - self.model_evidence) * (1 - self.grammar_evidence)
        return 1.0 - keep

    def worst(self, n: int = 3) -> list[dict]:
        ranked = sorted(
            (i for i, s in enumerate(self.scores) if s is not None),
            key=lambda i: -(self.scores[i] or 0.0),
        )
        # sentences holding a signal (by bisecting the sorted signal starts: a pairwise
        # test would be quadratic in a long document)
        starts = sorted(g.start for g in self.signals)
        flagged = {
            i
            for i, s in enumerate(self.sentences)
            if (k := bisect_left(starts, s.start)) < len(starts) and starts[k] < s.end
        }
        ranked = sorted(ranked, key=lambda i: (i not in flagged, -(self.scores[i] or 0.0)))
        return [
            {
                "sentence": self.sentences[i].text,
                "score": round(self.scores[i] or 0.0, 3),
                "start": self.sentences[i].start,
                "signals": sorted(
                    {
                        g.code
                        for g in self.signals
                        if self.sentences[i].start <= g.start < self.sentences[i].end
                    }
                ),
            }
            for i in ranked[:n]
        ]


_cache: tuple[str, EngineConfig, Analysis] | None = None
_signals_cache: tuple[str, tuple] | None = None


def sentence_signals(text: str) -> tuple[list[Paragraph], list[Sentence], list[Signal]]:
    """Paragraphs, sentences and detector signals (no model): what MT002-MT008 need."""
    global _signals_cache
    if _signals_cache is not None and (_signals_cache[0] is text or _signals_cache[0] == text):
        return _signals_cache[1]
    paras, sents = sentences(text)
    result = (paras, sents, all_signals(text, paras, sents))
    _signals_cache = (text, result)
    return result


def analyze(text: str, engine: EngineConfig | None = None) -> Analysis:
    global _cache
    engine = engine or EngineConfig()
    if _cache is not None and _cache[1] == engine and (_cache[0] is text or _cache[0] == text):
        return _cache[2]
    result = _analyze(text, engine)
    _cache = (text, engine, result)
    return result


def _analyze(text: str, engine: EngineConfig) -> Analysis:
    from corpuslint.rules.mt import model as model_mod

    paras, sents, signals = sentence_signals(text)
    model = model_mod.load()
    scorable = [i for i, s in enumerate(sents) if word_count(s.text) >= MIN_WORDS_SCORED]
    probs = model.score([sents[i].text for i in scorable])
    scores: list[float | None] = [None] * len(sents)
    for i, p in zip(scorable, probs):
        scores[i] = p
    words = sum(word_count(p.text) for p in paras)
    result = Analysis(
        paras,
        sents,
        signals,
        scores,
        words,
        sentence_threshold=model.sentence_threshold,
        strict_threshold=model.strict_threshold,
        doc_share_low=model.doc_share_low,
        doc_share_high=model.doc_share_high,
        human_base_rate=model.human_base_rate,
    )
    if engine.engine == "languagetool" and paras:
        from corpuslint.rules.mt import languagetool

        per_sentence = languagetool.grammar_errors(text, paras, sents, engine)
        result.grammar = per_sentence
        result.grammar_errors = sum(per_sentence)
    return result
