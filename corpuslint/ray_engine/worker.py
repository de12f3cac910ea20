"""Task bodies of the Ray engine (plain functions; ``runner`` wraps them as Ray tasks).

They run in Ray worker processes and reuse the local engine's code: a shard's files
go through ``corpuslint.runner.check_source`` (targets: document rules and corpus
summaries) or ``summarise_entry`` (other corpus files: summaries only); candidate
pairs are verified with ``corpuslint.rules.dup.graph.Graph.jaccard`` (the exact
Jaccard of the shingle sets read from the files), LSH buckets are paired by
``bucket_pairs``; BP010's findings come from the rule's ``target_findings``.

The run's ``Job`` reaches a worker once per run: tasks get it as a reference inside
a list (so Ray does not fetch it per task) and keep it keyed by the run's token.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from corpuslint import runner as local
from corpuslint.model import Diagnostic
from corpuslint.ray_engine import stages
from corpuslint.ray_engine.plan import Item
from corpuslint.ray_engine.stages import CorpusSpec, Part
from corpuslint.rule import Target
from corpuslint.runner import FileResult, Job

_run: tuple[str, Job] | None = None


def job_of(token: str, holder: list[Any]) -> Job:
    """The run's job, fetched once per worker process and run."""
    global _run
    if _run is None or _run[0] != token:
        import ray

        job = ray.get(holder[0])
        local._init_worker(job)
        _run = (token, job)
    local._init_worker(_run[1])  # another run's task may have run here since
    return _run[1]


# -- stage 1: per-document check and summaries, emitted by partition ----------------


@dataclass
class ShardMeta:
    """What a shard sends back to the driver (small)."""

    results: list[tuple[int, FileResult]]  # targets' results (without summaries)
    corpus_files: int = 0  # files the local index would hold (read without error)
    prefixes: dict[int, str] = field(default_factory=dict)  # targets' FMT002 prefixes
    # Fallback rules: item -> (content key, size, mtime, {code: summary})
    fallback: dict[int, tuple[str, int, int, dict[str, Any]]] = field(default_factory=dict)


@dataclass
class ShardKeys:
    """Content keys of a shard's files (None: unreadable), kept in the object store."""

    keys: list[str | None]
    indexed: list[bool]  # counted as a corpus file (the local index would hold it)


def _read(item: Item) -> tuple[FileResult | None, Any]:
    """(the target's result or None, (key, size, mtime, summaries) or None)."""
    if item.target:
        result = local.check_source(item.source)
        ok = result.error is None and result.key is not None
        summaries, result.summaries, result.cache_put = result.summaries, {}, None
        info = (result.key, result.size, result.mtime_ns, summaries) if ok else None
        return result, info
    got = local.summarise_entry(item.source.entry)
    return None, (None if got is None else (got.key, got.size, got.mtime_ns, got.summaries))


def map_shard(token: str, holder: list[Any], spec: CorpusSpec, start: int, items: list[Item]):
    """Check a shard; returns ``(meta, keys, bp010 summaries of targets, *parts)``."""
    job = job_of(token, holder)
    rules = job.corpus_rules
    meta = ShardMeta([])
    keys = ShardKeys([None] * len(items), [False] * len(items))
    line_targets: dict[int, Any] = {}
    exact_ids: list[int] = []
    exact_hashes: list[bytes] = []
    near_ids: list[int] = []
    near_summaries: list[Any] = []
    lines: list[int] = []
    wanted: list[int] = []
    prefixes: list[tuple[str, str]] = []
    exact_code = rules[spec.exact].code if spec.exact is not None else None
    near_code = rules[spec.near].code if spec.near is not None else None
    lines_code = rules[spec.lines].code if spec.lines is not None else None
    prefix_code = rules[spec.prefix].code if spec.prefix is not None else None
    fallback_codes = [rules[p].code for p in spec.fallback]
    near_width = rules[spec.near].options.num_perm * 4 if spec.near is not None else 0
    for k, item in enumerate(items):
        idx = start + k
        result, info = _read(item)
        if result is not None:
            meta.results.append((idx, result))
        if info is None:
            continue
        key, size, mtime, summaries = info
        keys.keys[k] = key
        keys.indexed[k] = item.in_corpus
        meta.corpus_files += item.in_corpus
        member = item.target or not item.shadowed  # a node of the DUP rules
        if fallback_codes:
            meta.fallback[idx] = (key, size, mtime, {c: summaries.get(c) for c in fallback_codes})
        if exact_code is not None and member:
            summary = summaries.get(exact_code)
            if summary is not None:
                exact_ids.append(idx)
                exact_hashes.append(summary)
        if near_code is not None and member:
            summary = summaries.get(near_code)
            if summary is not None and len(summary.signature) == near_width:
                near_ids.append(idx)
                near_summaries.append(summary)
        if lines_code is not None:
            summary = summaries.get(lines_code)
            if summary:
                if item.in_corpus:
                    lines.extend(summary[0])
                if item.target:
                    line_targets[idx] = summary
                    wanted.extend(c[0] for c in summary[1])
        if prefix_code is not None:
            summary = summaries.get(prefix_code)
            if summary is not None:
                if item.target:
                    meta.prefixes[idx] = summary
                    prefixes.append((summary, item.display))
                if item.in_corpus and not (item.target and item.corpus_display == item.display):
                    prefixes.append((summary, item.corpus_display))  # as the index names it
    parts = [Part() for _ in range(spec.partitions)]
    if exact_code is not None:
        _emit_exact(parts, "exact", exact_hashes, exact_ids)
    if near_code is not None:
        _emit_near(parts, rules[spec.near], near_summaries, near_ids)
    if lines_code is not None:
        _emit_lines(parts, lines, wanted)
    for prefix, display in prefixes:
        parts[stages.partition_of_text(prefix, spec.partitions)].prefix.append((prefix, display))
    return (meta, keys, line_targets, *parts)


def _emit_exact(parts: list[Part], name: str, hashes: list[bytes], ids: list[int]) -> None:
    rows = stages.hashes_to_rows(hashes)
    owners = np.array(ids, dtype=np.int64)
    which = stages.partition_of(rows[:, 0].copy(), len(parts))
    for part, got in zip(parts, stages.split(which, len(parts), rows, owners)):
        setattr(part, name, got)


def _emit_near(parts: list[Part], rule: Any, summaries: list[Any], ids: list[int]) -> None:
    from corpuslint.rules.dup.bands import FILE_MASK

    _emit_exact(parts, "near_exact", [s.exact for s in summaries], ids)
    if summaries:
        matrix = rule.band_keys(summaries) & np.int64(~FILE_MASK)
        keys = matrix.ravel()
        owners = np.repeat(np.array(ids, dtype=np.int64), matrix.shape[1])
    else:
        keys = owners = np.zeros(0, dtype=np.int64)
    which = stages.partition_of(keys, len(parts))
    for part, got in zip(parts, stages.split(which, len(parts), keys, owners)):
        part.near = got


def _emit_lines(parts: list[Part], lines: list[int], wanted: list[int]) -> None:
    values = np.array(lines, dtype=np.int64)
    asked = np.unique(np.array(wanted, dtype=np.int64))
    line_parts = stages.split(stages.partition_of(values, len(parts)), len(parts), values)
    wanted_parts = stages.split(stages.partition_of(asked, len(parts)), len(parts), asked)
    for part, (v,), (w,) in zip(parts, line_parts, wanted_parts):
        part.lines, part.wanted = v, w


# -- stage 2: the reduce side of the shuffle ------------------------------------------


def reduce_partition(spec: CorpusSpec, min_line_count: int, *parts: Part):
    """Group one partition's rows; returns ``(groups, *candidate pairs by bucket)``."""
    out: dict[str, Any] = {}
    buckets: list[Any] = []
    if spec.exact is not None:
        out["exact"] = stages.groups_of(*stages.concat([p.exact for p in parts], 2))
    if spec.near is not None:
        from corpuslint.rules.dup.graph import bucket_pairs

        out["near_exact"] = stages.groups_of(*stages.concat([p.near_exact for p in parts], 2))
        keys, owners = stages.concat([p.near for p in parts], 2)
        # owners ascend within each bucket (shards are contiguous ranges, each in node
        # order): the order the local engine's bucketing sees
        pairs = bucket_pairs(np, keys, owners)
        buckets = stages.pair_buckets(pairs, spec.buckets, spec.items)
    if spec.lines is not None:
        lines = np.concatenate([p.lines for p in parts])
        wanted = np.unique(np.concatenate([p.wanted for p in parts]))
        out["lines"] = stages.line_counts(lines, wanted, min_line_count)
    if spec.prefix is not None:
        out["prefix"] = stages.prefix_groups([row for p in parts for row in p.prefix])
    return (out, *buckets) if spec.near is not None else out


# -- stage 3: exact verification of candidate pairs -----------------------------------


def verify_pairs(
    token: str,
    holder: list[Any],
    spec: CorpusSpec,
    nodes: list[tuple[int, str, str | None]],
    keep_all: bool,
    pairs: Any,
):
    """Exact Jaccard of candidate pairs; returns ``(pairs, jaccards)`` of the pairs at or
    above the threshold (all of them with ``keep_all``). ``nodes`` lists, for each file
    of the pairs, ``(node id, absolute path, content key)``: a target is verified
    against the content that was checked (its key), other corpus files are read as
    they are (no key), as the local engine does."""
    from corpuslint.rules.dup.graph import Graph, Node

    if not len(pairs):
        return stages.EMPTY_PAIRS, np.zeros(0)
    job = job_of(token, holder)
    rule = job.corpus_rules[spec.near]
    threshold = rule.options.threshold
    graph = Graph(rule.sketcher, None, threshold, job.settings.max_file_size)
    where = {
        idx: graph.add(Node(str(idx), path, None, None, key=key, target=True))
        for idx, path, key in nodes
    }
    graph.prefetch(list(where.values()), 1)
    keep = []
    values = []
    for i, j in pairs.tolist():
        jac = graph.jaccard(where[i], where[j])
        if keep_all or jac >= threshold:
            keep.append((i, j))
            values.append(jac)
    kept = np.array(keep, dtype=np.int64).reshape(-1, 2)
    return kept, np.array(values, dtype=np.float64)


def merge_forests(*forests: Any) -> Any:
    """Union-find over edge lists (or forests): a forest of their components."""
    return stages.spanning_forest(list(forests))


def present_keys(keys: ShardKeys, wanted: set[str]) -> set[str]:
    """Which of ``wanted`` content keys a shard's corpus files have."""
    return {k for k, counted in zip(keys.keys, keys.indexed) if counted and k in wanted}


# -- stage 4: BP010's findings, then resolving every corpus finding -------------------


def finish_shard(
    token: str,
    holder: list[Any],
    spec: CorpusSpec,
    start: int,
    items: list[Item],
    keys: ShardKeys,
    line_targets: dict[int, Any],
    line_counts: dict[int, int],
    corpus_files: int,
    indexed_outside: set[int],
    given: list[tuple[int, tuple, int, Diagnostic]],
) -> list[tuple[int, tuple, Diagnostic]]:
    """BP010's findings of the shard's targets, and every corpus finding of them
    resolved against the file (as the local runner does: a file that cannot be read
    any more loses its corpus findings). Returns ``(rule position, order, finding)``."""
    job = job_of(token, holder)
    found = list(given)
    if spec.lines is not None and line_targets:
        rule = job.corpus_rules[spec.lines]
        for idx in sorted(line_targets):
            item = items[idx - start]
            target = Target(item.display, keys.keys[idx - start], line_targets[idx])
            indexed = item.in_corpus or idx in indexed_outside
            for seq, d in enumerate(
                rule.target_findings(target, line_counts, corpus_files, indexed)
            ):
                found.append((spec.lines, (idx, seq), idx, d))
    # the local runner's own resolving (it reads a file only for findings with a span
    # or a fix, and drops those of a file it cannot read any more)
    resolver = local.Runner(job, jobs=1)
    by_path = {item.display: item.source for item in items if item.target}
    out = []
    for pos, order, _idx, d in sorted(found, key=lambda f: (f[0], f[1])):
        out.extend((pos, order, r) for r in resolver._resolve([d], by_path))
    return out


# -- fixing ------------------------------------------------------------------------------


def fix_items(token: str, holder: list[Any], items: list[tuple]) -> list[local.FixResult]:
    job_of(token, holder)
    return [local.fix_source(item) for item in items]


def without_cache(job: Job) -> Job:
    """The job as Ray tasks run it: no result cache (nodes share no cache directory)."""
    return replace(job, use_cache=False)
