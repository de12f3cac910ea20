"""From a check run to ``ReportFile``s: each file's signals, computed in workers.

The signals record of a file (``corpuslint.signals``: words, boilerplate line
share, mojibake count, DUP facts, the MT garble score when an MT rule is
selected) needs the file's text and all its findings (corpus rules' too), so it
is computed after the check, in worker processes, one file at a time. The MT
part is the expensive one: it is measured during the check itself
(``Job.measure``), right after the MT rules analysed the same text, so the
analysis is reused rather than run twice. Only the records come back; texts are
read again later, and only for the files whose text goes into the page
(``text_loader``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import Any

from corpuslint.corpus import content_key
from corpuslint.document import Document
from corpuslint.model import Diagnostic
from corpuslint.report.model import ReportFile
from corpuslint.runner import Job, Runner, RunOutcome, Source, _map, read_source
from corpuslint.signals import SignalOptions, document_signals, mt_signals


def mt_engine(rules: list) -> Any:
    """The MT engine configuration when an MT rule is selected (MT001's, if it runs)."""
    if not any(r.code.startswith("MT") for r in rules):
        return None
    from corpuslint.rules.mt.analysis import EngineConfig

    for rule in rules:
        if rule.code == "MT001":
            return rule.options.engine_config
    return EngineConfig()


def garble_threshold(rules: list) -> float | None:
    for rule in rules:
        if rule.code == "MT001":
            return float(rule.options.threshold)
    return None


def measuring(job: Job) -> Job:
    """``job`` with its MT figures measured during the check (when an MT rule runs)."""
    engine = mt_engine(job.rules)
    if engine is None:
        return job
    return replace(job, measure=partial(_mt_record, SignalOptions(mt=engine, sentences=False)))


def _mt_record(options: SignalOptions, doc: Document) -> dict | None:
    return mt_signals(doc, options) if doc.is_text else None


def _signals(item: tuple[Source, list[Diagnostic], SignalOptions, int]) -> tuple[dict, str | None]:
    """Worker: one file's signals record (or an error line)."""
    source, diagnostics, options, max_size = item
    try:
        doc = read_source(source, max_size)[0]
    except OSError as exc:
        return {"path": source.entry.display}, f"{source.entry.display}: {exc.strerror or exc}"
    try:
        return document_signals(doc, diagnostics, options), None
    except Exception as exc:  # a record is never worth a traceback; the report notes it
        return (
            {"path": doc.path, "bytes": doc.size},
            f"{doc.path}: signals failed: {type(exc).__name__}: {exc}",
        )


def collect(
    job: Job,
    runner: Runner,
    sources: list[Source],
    outcome: RunOutcome,
    errors: list[str],
    progress: Callable[[str, int], Callable[[int], None] | None] | None = None,
) -> list[ReportFile]:
    """One ``ReportFile`` per source (in source order); failures go to ``errors``."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in outcome.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    options = SignalOptions(mt=None)  # the MT figures come from the check (``measuring``)
    mt = job.measure is not None
    max_size = job.settings.max_file_size
    items = [(s, by_path.get(s.entry.display, []), options, max_size) for s in sources]
    bar = progress("measuring", len(items)) if progress else None
    files = []
    for source, (record, error) in zip(sources, _map(job, _signals, items, runner.jobs, bar)):
        if error:
            errors.append(error)
        display = source.entry.display
        if mt:
            record["mt"] = outcome.measured.get(display)
        files.append(ReportFile(display, record, by_path.pop(display, [])))
    # Findings about paths that are not sources (none today) still count.
    for path, diags in sorted(by_path.items()):
        files.append(ReportFile(path, {"path": path}, diags))
    return files


def text_loader(sources: list[Source], outcome: RunOutcome, max_size: int):
    """A function: display path -> the text the findings' offsets refer to, or None.

    None for binary, oversized and unreadable files, and for a file whose content
    changed since the check (its offsets would point at the wrong characters).
    """
    by_display = {s.entry.display: s for s in sources}

    def load(path: str) -> str | None:
        source = by_display.get(path)
        if source is None:
            return None
        try:
            doc = read_source(source, max_size)[0]
        except OSError:
            return None
        if doc.is_binary or doc.too_large:
            return None
        expected = outcome.keys.get(path)
        if expected is not None and expected != content_key(doc.raw):
            return None
        return doc.text

    return load
