"""What the Ray engine's corpus stages emit per document, and what that makes at scale.

Runs the Ray engine's own task bodies in this process, without Ray: ``build_plan``
(the driver's file list), ``worker.map_shard`` (per-document check, summaries, rows
split into shuffle partitions) and ``worker.reduce_partition`` (the reduce side), on
a sample of a corpus of real-sized files, and measures:

* the shuffle rows per document of each corpus stage (numpy ``nbytes`` of what
  ``map_shard`` puts in its ``Part`` objects: DUP001 exact hashes, DUP002 band keys
  and exact hashes, BP010 line hashes and wanted hashes, FMT002 prefixes) and the
  pickled size of all parts (what Ray's object store holds);
* the reduce task's peak memory per byte of its input (``tracemalloc``: numpy
  registers its buffers with it);
* the driver's memory per file: the plan's items, and the targets' results
  (``ShardMeta``: findings of the document rules) as they arrive unpickled.

Then it projects, from those per-document figures, the shuffle volume and memory per
node for ``--docs`` documents (default 100 million) on ``--nodes`` nodes of
``--cpus-per-node`` CPUs, with the shards and partitions the engine would choose
(``shard_ranges``; ``corpus_spec``: a partition per CPU, fewer where parts would be
small). The projection is arithmetic, not a measurement; docs/scaling.md shows it
worked out.

Usage::

    python benchmarks/ray_volumes.py                       # benchmarks/data/dup-20k
    python benchmarks/ray_volumes.py --data DIR --sample 2000 --nodes 10,100

``--data`` is a corpus directory (``*.txt`` under it; ``dup_generate.py`` makes
``benchmarks/data/dup-20k``, about 3.3 KB a file). Results go to
``benchmarks/out/ray_volumes-<corpus>.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import pickle
import sys
import tracemalloc
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
GB = 1e9
# Ray returns task results up to this size to the caller's own memory (the driver's
# in-process store) instead of the node's shared object store.
RAY_INLINE_BYTES = 100 * 1024


def _session(data: Path, select: str | None):
    from corpuslint.session import build_session

    args = argparse.Namespace(
        paths=[str(data)],
        stdin_filename=None,
        jobs=None,
        select=select.split(",") if select else None,
        extend_select=[],
        ignore=[],
        force_exclude=False,
        config=None,
        isolated=True,
        no_cache=True,
        engine=None,
        ray_address=None,
    )
    return build_session(args)


def _traced(func, *args):
    """``(result, bytes it still holds, peak bytes while it ran)``."""
    gc.collect()
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result = func(*args)
    gc.collect()
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, current - base, peak - base


def _rows_bytes(parts) -> dict[str, int]:
    """Bytes of each kind of shuffle row in a shard's parts."""
    out = {"exact": 0, "near": 0, "near_exact": 0, "lines": 0, "wanted": 0, "prefix": 0}
    counts = {k: 0 for k in out}
    for part in parts:
        for name in ("exact", "near", "near_exact"):
            got = getattr(part, name)
            if got is not None:
                out[name] += sum(a.nbytes for a in got)
                counts[name] += len(got[1])
        for name in ("lines", "wanted"):
            got = getattr(part, name)
            if got is not None:
                out[name] += got.nbytes
                counts[name] += len(got)
        out["prefix"] += sum(len(p.encode()) + len(d.encode()) for p, d in part.prefix)
        counts["prefix"] += len(part.prefix)
    return {"bytes": out, "rows": counts}


def _cluster_bytes(plan) -> float:
    """The driver's DUP002 bookkeeping per file in a near-duplicate cluster: the final
    forest's clusters (``stages.components``) and each member's original
    (``findings.originals``), for every file of the plan in clusters of 2 to 5."""
    import numpy as np

    from corpuslint.ray_engine import findings, stages

    n = len(plan.items)
    edges = []
    start = 0
    while start + 1 < n:
        size = min(2 + start % 4, n - start)
        edges += [(start + k, start) for k in range(1, size)]
        start += size
    forest = np.array(edges, dtype=np.int64).reshape(-1, 2)

    def build():
        clusters = stages.components(forest)
        return clusters, findings.originals(plan, clusters)

    _, held, _ = _traced(build)
    return round(held / max(1, start), 1)


def measure(data: Path, sample: int, select: str | None, partitions: int):
    from corpuslint.ray_engine import worker
    from corpuslint.ray_engine.plan import build_plan
    from corpuslint.ray_engine.runner import corpus_spec
    from corpuslint.ray_engine.stages import CorpusSpec

    session = _session(data, select)
    job = worker.without_cache(session.job)
    sources = session.sources
    # the driver: the plan of the whole run (every file a target)
    plan, plan_bytes, plan_peak = _traced(build_plan, job, sources, 1)
    n_items = len(plan.items)
    items = plan.items[: min(sample, n_items)]
    spec = corpus_spec(job, n_items, partitions)
    spec = CorpusSpec(**{**spec.__dict__, "partitions": partitions, "buckets": partitions})
    token = uuid.uuid4().hex
    worker._run = (token, job)  # what job_of would fetch from the object store
    worker.local._init_worker(job)
    out = worker.map_shard(token, [None], spec, 0, items)
    meta, keys, line_targets, parts = out[0], out[1], out[2], out[3:]
    rows = _rows_bytes(parts)
    docs = len(items)
    pickled_parts = sum(len(pickle.dumps(p, protocol=5)) for p in parts)
    empty_part = len(pickle.dumps(type(parts[0])(), protocol=5))
    # the driver receives the shard's meta (targets' results) and unpickles it
    meta_blob = pickle.dumps(meta, protocol=5)
    _, meta_bytes, _ = _traced(pickle.loads, meta_blob)
    findings = sum(len(r.diagnostics) for _i, r in meta.results)
    for _i, r in meta.results:
        r.diagnostics = []
    _, bare_bytes, _ = _traced(pickle.loads, pickle.dumps(meta, protocol=5))
    # the reduce side: one partition's input is every shard's part for it; here the
    # sample's parts are merged into one reduce call (the same rows, fewer objects)
    in_bytes = pickled_parts
    _, _, reduce_peak = _traced(worker.reduce_partition, spec, 2, *parts)
    sizes = [os.path.getsize(item.source.entry.abspath) for item in items]
    clustered = _cluster_bytes(plan)
    lines_code = job.corpus_rules[spec.lines].code if spec.lines is not None else None
    return {
        "corpus": str(data),
        "files_in_corpus": n_items,
        "sample_files": docs,
        "mean_file_bytes": round(sum(sizes) / docs, 1),
        "select": select or "default rules",
        "corpus_rules": [r.code for r in job.corpus_rules],
        "fallback_rules": [job.corpus_rules[p].code for p in spec.fallback],
        "rows_per_doc": {k: round(v / docs, 2) for k, v in rows["rows"].items()},
        "shuffle_bytes_per_doc": {k: round(v / docs, 1) for k, v in rows["bytes"].items()},
        "shuffle_bytes_per_doc_total": round(sum(rows["bytes"].values()) / docs, 1),
        "pickled_parts_bytes_per_doc": round(pickled_parts / docs, 1),
        "empty_part_pickled_bytes": empty_part,
        "bp010_line_hashes_per_doc": (
            round(sum(len(s[0]) for s in line_targets.values()) / docs, 2) if lines_code else 0
        ),
        "reduce_peak_per_input_byte": round(reduce_peak / max(1, in_bytes), 2),
        "driver_plan_bytes_per_file": round(plan_bytes / n_items, 1),
        # while planning: the corpus listing too (the discovered sources are not counted)
        "driver_plan_peak_bytes_per_file": round(plan_peak / n_items, 1),
        "driver_results_bytes_per_target": round(meta_bytes / docs, 1),
        "driver_result_bytes_per_target_without_findings": round(bare_bytes / docs, 1),
        "driver_bytes_per_finding": round((meta_bytes - bare_bytes) / max(1, findings), 1),
        # what else is in the object stores: the shard's items (put by the driver, kept
        # for the run), its targets' results (until the driver has fetched them), content
        # keys and BP010 target summaries (kept for the finish tasks)
        "pickled_items_bytes_per_file": round(len(pickle.dumps(items, protocol=5)) / docs, 1),
        "pickled_results_bytes_per_target": round(len(meta_blob) / docs, 1),
        "pickled_keys_bytes_per_file": round(len(pickle.dumps(keys, protocol=5)) / docs, 1),
        "pickled_bp010_summaries_bytes_per_target": round(
            len(pickle.dumps(line_targets, protocol=5)) / docs, 1
        ),
        "findings_per_target": round(findings / docs, 3),
        "driver_bytes_per_clustered_file": clustered,
        "partitions_used": partitions,
    }, job


def project(job, m: dict, docs: int, nodes: int, cpus_per_node: int, doc_bytes: int) -> dict:
    """Shuffle volume and memory per node for ``docs`` documents (arithmetic), with the
    shards and partitions the engine would choose (``shard_ranges``, ``corpus_spec``)."""
    from corpuslint.ray_engine.plan import MAX_SHARD, MIN_SHARD, SHARDS_PER_CPU
    from corpuslint.ray_engine.runner import MAX_PARTITIONS, corpus_spec

    cpus = nodes * cpus_per_node
    shard = max(MIN_SHARD, min(MAX_SHARD, math.ceil(docs / (cpus * SHARDS_PER_CPU))))
    shards = math.ceil(docs / shard)
    partitions = corpus_spec(job, docs, cpus, shards=shards).partitions
    per_doc = m["pickled_parts_bytes_per_doc"]
    total = docs * per_doc
    per_partition = total / partitions
    return {
        "docs": docs,
        "doc_bytes": doc_bytes,
        "nodes": nodes,
        "cpus": cpus,
        "partitions": partitions,
        "verify_tasks": min(cpus, MAX_PARTITIONS),
        "shard_files": shard,
        "shards": shards,
        "shuffle_objects": shards * partitions,
        "mean_object_bytes": round(total / (shards * partitions)),
        "objects_inlined_in_driver": total / (shards * partitions) <= RAY_INLINE_BYTES,
        "corpus_text_gb": round(docs * doc_bytes / GB, 1),
        "shuffle_total_gb": round(total / GB, 1),
        "shuffle_per_node_gb": round(total / nodes / GB, 2),
        "shuffle_over_network_gb_per_node": round(total * (nodes - 1) / nodes / nodes / GB, 2),
        "reduce_input_per_partition_gb": round(per_partition / GB, 2),
        "reduce_peak_per_task_gb": round(per_partition * m["reduce_peak_per_input_byte"] / GB, 2),
        "reduce_tasks_per_node": math.ceil(partitions / nodes),
        # the shard item lists the driver puts (its node's object store, for the run)
        "head_node_items_gb": round(docs * m["pickled_items_bytes_per_file"] / GB, 1),
        # kept on the map nodes for the run: content keys and BP010 target summaries
        "per_node_kept_for_run_gb": round(
            docs
            * (m["pickled_keys_bytes_per_file"] + m["pickled_bp010_summaries_bytes_per_target"])
            / nodes
            / GB,
            2,
        ),
        "driver_plan_gb": round(docs * m["driver_plan_bytes_per_file"] / GB, 1),
        "driver_plan_peak_gb": round(docs * m["driver_plan_peak_bytes_per_file"] / GB, 1),
        "driver_results_gb": round(docs * m["driver_results_bytes_per_target"] / GB, 1),
        "driver_results_without_findings_gb": round(
            docs * m["driver_result_bytes_per_target_without_findings"] / GB, 1
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=HERE / "data" / "dup-20k")
    parser.add_argument("--sample", type=int, default=2000, help="files run through map_shard")
    parser.add_argument("--select", default="", help="rule selection (default: default rules)")
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--docs", type=int, default=100_000_000)
    parser.add_argument("--doc-bytes", type=int, default=3000)
    parser.add_argument("--nodes", default="10,100")
    parser.add_argument("--cpus-per-node", type=int, default=16)
    args = parser.parse_args()
    if not args.data.is_dir():
        raise SystemExit(f"no corpus at {args.data} (python benchmarks/dup_generate.py makes one)")
    m, job = measure(args.data, args.sample, args.select or None, args.partitions)
    result = {
        "measured": m,
        "projected": [
            project(job, m, args.docs, int(n), args.cpus_per_node, args.doc_bytes)
            for n in args.nodes.split(",")
        ],
        "python": sys.version.split()[0],
        "command": " ".join(["python", "benchmarks/ray_volumes.py", *sys.argv[1:]]),
    }
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    tag = (args.select or "default").replace(",", "+")
    (out_dir / f"ray_volumes-{args.data.name}-{tag}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
