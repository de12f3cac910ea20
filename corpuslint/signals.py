"""Per-document quality signals, aggregated from a check run (reusable).

``corpuslint signals`` and the HTML report build on this module: it turns the
findings of a normal check run (``RunOutcome.diagnostics``) plus the MT
analysis of each document into one flat record per document, the way
RedPajama's quality signals let data teams filter and rank:

* ``words``, ``lines``, ``findings`` (count per code);
* ``boilerplate_line_share``: lines with a BP finding / non-empty lines;
* ``mojibake_count`` (ENC findings whose rule name mentions mojibake) and
  ``encoding_findings`` (all ENC findings);
* ``duplicate``: facts from the DUP findings' ``data`` (cluster, matching files);
* ``mt`` (when an MT rule is selected): the document garble score and verdict,
  the share of garbled-looking sentences, and per sentence its offsets, row,
  garble score and MT signal codes.

Nothing here prints; callers decide the format.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from corpuslint.document import Document
from corpuslint.model import Diagnostic

_WORD = re.compile(r"\w+")
# Keys of the DUP findings' ``data`` carried into the record (first finding wins).
_DUP_KEYS = (
    "duplicate_of",
    "original",
    "cluster",
    "cluster_size",
    "group_size",
    "jaccard",
    "others",
)


@dataclass(frozen=True)
class SignalOptions:
    mt: Any = None  # an EngineConfig when MT signals are wanted, else None
    sentences: bool = True  # per-sentence MT records


def document_signals(
    doc: Document, diagnostics: Iterable[Diagnostic], options: SignalOptions
) -> dict[str, Any]:
    """One document's record from its findings (and its text for words and MT)."""
    diags = list(diagnostics)
    text = doc.text if doc.is_text else ""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    counts = Counter(d.code for d in diags)
    bp_rows = {
        d.location.row
        for d in diags
        if d.code.startswith("BP") and d.location is not None and d.span is not None
    }
    whole_file_bp = any(d.code.startswith("BP") and d.span is None for d in diags)
    record: dict[str, Any] = {
        "path": doc.path,
        "bytes": doc.size,
        "words": len(_WORD.findall(text)),
        "lines": len(lines),
        "findings": dict(sorted(counts.items())),
        "boilerplate_line_share": (
            1.0 if whole_file_bp else round(len(bp_rows) / len(lines), 4) if lines else 0.0
        ),
        "mojibake_count": sum(
            1 for d in diags if d.code.startswith("ENC") and "mojibake" in d.name
        ),
        "encoding_findings": sum(1 for d in diags if d.code.startswith("ENC")),
        "duplicate": _duplicate(diags),
    }
    if options.mt is not None:
        record["mt"] = mt_signals(doc, options) if doc.is_text else None
    return record


def _duplicate(diags: list[Diagnostic]) -> dict[str, Any] | None:
    dups = [d for d in diags if d.code.startswith("DUP")]
    if not dups:
        return None
    out: dict[str, Any] = {"codes": sorted({d.code for d in dups})}
    for d in dups:
        for key in _DUP_KEYS:
            if key in d.data and key not in out:
                out[key] = d.data[key]
    return out


def mt_signals(doc: Document, options: SignalOptions) -> dict[str, Any]:
    from corpuslint.rules.mt.analysis import analyze

    a = analyze(doc.text, options.mt)
    rec: dict[str, Any] = {
        "score": round(a.doc_score, 4),
        "sentences": len(a.sentences),
        "scored_sentences": len(a.scored),
        "garbled_share": round(a.garbled_share, 4),
        "mean_sentence_score": round(a.mean_score, 4),
        "sentence_findings": len(a.signals),
        "flagged_sentence_share": round(_flagged_share(a), 4),
        "sentence_threshold": round(a.sentence_threshold, 4),
    }
    if a.grammar_errors is not None:
        rec["grammar_errors"] = a.grammar_errors
        rec["grammar_error_density"] = round(a.grammar_density or 0.0, 3)
    if options.sentences:
        index = doc.line_index
        rows = []
        for i, s in enumerate(a.sentences):
            codes = sorted({g.code for g in a.signals if s.start <= g.start < s.end})
            score = a.scores[i]
            item = {
                "start": s.start,
                "end": s.end,
                "row": index.location(s.start).row,
                "score": None if score is None else round(score, 4),
                "garbled": score is not None and score >= a.sentence_threshold,
                "signals": codes,
            }
            if a.grammar:
                item["grammar_errors"] = a.grammar[i]
            rows.append(item)
        rec["sentence_records"] = rows
    return rec


def _flagged_share(a: Any) -> float:
    """Share of sentences with a signal or a score above the sentence threshold."""
    if not a.sentences:
        return 0.0
    flagged = 0
    for i, s in enumerate(a.sentences):
        score = a.scores[i]
        if (score is not None and score >= a.sentence_threshold) or any(
            s.start <= g.start < s.end for g in a.signals
        ):
            flagged += 1
    return flagged / len(a.sentences)


def corpus_signals(
    documents: Iterable[Document], diagnostics: Iterable[Diagnostic], options: SignalOptions
) -> Iterator[dict[str, Any]]:
    """Records for ``documents`` from the findings of a run over them."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in diagnostics:
        by_path.setdefault(d.path, []).append(d)
    for doc in documents:
        yield document_signals(doc, by_path.get(doc.path, []), options)
