"""Corpus rules without a distributed stage, checked in the driver through an index.

Any corpus rule the Ray engine has no stage for (DUP004, a plugin's rule) still runs:
the shards send its summaries of every file to the driver, which fills a temporary
index (``Corpus.sync`` in a temporary directory, never the project's index) and
calls the rule's own ``check_corpus`` with the run's targets, as the local engine
does. That costs the driver memory in proportion to the corpus; see docs/scaling.md.
"""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpuslint import runner as local
from corpuslint.corpus import Corpus, Summarised
from corpuslint.model import Diagnostic
from corpuslint.ray_engine.plan import Plan
from corpuslint.rule import Target
from corpuslint.runner import FileResult, Job

# Summaries per item: (content key, size, mtime, {code: summary})
Summaries = dict[int, tuple[str, int, int, dict[str, Any]]]


def fallback_findings(
    job: Job,
    plan: Plan,
    positions: tuple[int, ...],
    summaries: Summaries,
    results: dict[int, FileResult],
    errors: list[str],
) -> list[tuple[int, tuple[int, int], Diagnostic]]:
    """``(rule position, order, finding)`` of each fallback rule (unresolved)."""
    rules = [job.corpus_rules[p] for p in positions]
    out: list[tuple[int, tuple[int, int], Diagnostic]] = []
    with tempfile.TemporaryDirectory(prefix="corpuslint-ray-") as tmp:
        settings = replace(job.settings, index_path=Path(tmp) / "index.sqlite")
        corpus = Corpus(settings, rules)
        try:
            known = {}
            by_relpath: dict[str, Summarised] = {}
            for idx, (key, size, mtime, sums) in summaries.items():
                item = plan.items[idx]
                got = Summarised(item.source.entry, key, size, mtime, sums)
                if item.target and item.source.stdin is None:
                    known[item.source.entry.abspath] = got
                elif item.in_corpus:
                    by_relpath[item.relpath] = got

            def summarise(entries: list) -> list[Summarised | None]:
                # files listed now but not when the run was planned are read here
                missing = [e for e in entries if e.relpath not in by_relpath]
                if missing:
                    local._init_worker(replace(job, rules=rules, use_cache=False))
                fresh = {e.relpath: local.summarise_entry(e) for e in missing}
                return [by_relpath.get(e.relpath) or fresh.get(e.relpath) for e in entries]

            corpus.sync(known, summarise, full=True)
            for pos, rule in zip(positions, rules):
                targets = [
                    Target(results[idx].display, results[idx].key, summaries[idx][3].get(rule.code))
                    for idx in sorted(results)
                    if idx in summaries
                ]
                try:
                    found = list(rule.check_corpus(targets, corpus, job.ctx))
                except Exception as exc:
                    errors.append(
                        f"rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}"
                    )
                    continue
                out.extend((pos, (0, seq), d) for seq, d in enumerate(found))
        finally:
            corpus.close()
    return out
