"""``RayRunner``: the local ``Runner``'s interface, with the work done by Ray tasks.

Stages (docs/scaling.md has the picture and the volumes):

1. **map** (one task per shard of files): per-document rules on the targets
   (``corpuslint.runner.check_source``), corpus rules' summaries of every file; each
   shard splits its corpus-stage rows into ``P`` partitions by key hash;
2. **reduce** (one task per partition): exact-hash groups (DUP001), LSH buckets ->
   candidate pairs (DUP002; split into ``V`` buckets by first node), line-hash file
   counts (BP010), prefix groups (FMT002);
3. **verify** (one task per pair bucket): exact Jaccard of each candidate pair; the
   driver fetches a bucket's pairs and sends them with the path and content key of
   each of their files (no task needs the whole file list);
4. **components**: a tree of union-find merges of the verified edges;
5. the driver turns the (small) groups, clusters and edges into findings; a second
   verify round measures target-original pairs that were not candidates;
6. **finish** (one task per shard): BP010's findings, then every corpus finding is
   resolved against its file (rows and columns), as the local runner does.

Findings are then filtered, sorted and returned exactly as the local runner does.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

import numpy as np

from corpuslint.errors import CorpuslintError
from corpuslint.model import Diagnostic
from corpuslint.ray_engine import findings as found_mod
from corpuslint.ray_engine import stages, worker
from corpuslint.ray_engine.plan import Plan, build_plan
from corpuslint.ray_engine.stages import CorpusSpec
from corpuslint.runner import (
    FileResult,
    FixResult,
    Job,
    Runner,
    RunOutcome,
    Source,
    fix_items,
)

# Shuffle partitions: one per CPU of the cluster, at most this many (every shard
# emits one object per partition; docs/scaling.md has the volumes).
MAX_PARTITIONS = 256
# Fewer partitions when a shard's part would average less than this: Ray returns a
# task's results of up to 100 KiB to the caller's own memory, so small parts would all
# pass through the driver (docs/scaling.md).
MIN_PART_BYTES = 256 * 1024
# Shuffle bytes a file is expected to emit per stage (benchmarks/ray_volumes.py
# measures them): DUP001 16 + 8 B; DUP002 16 B per band plus its exact hash (24 B);
# BP010 16 B per eligible line, about 10 lines; FMT002 a pickled (prefix, path).
ROW_BYTES = {"exact": 24, "near_exact": 24, "near_band": 16, "lines": 160, "prefix": 64}
# Pair buckets merged per union-find task (the tree's fan-in).
MERGE_FAN_IN = 8
# Target-original pairs per verification task in the second round.
PAIRS_PER_TASK = 20_000
# Files per fixing task.
FIX_CHUNK = 200
# Set to print when each stage ended (stderr), for benchmarks/ray_overhead.py.
TIMINGS_ENV = "CORPUSLINT_RAY_TIMINGS"


def _distributed_rule_positions(job: Job) -> dict[str, int]:
    """Positions of the corpus rules that have distributed stages (by class)."""
    from corpuslint.rules.bp.corpus_lines import CorpusRepeatedLine
    from corpuslint.rules.dup.exact import ExactDuplicate
    from corpuslint.rules.dup.near import NearDuplicate
    from corpuslint.rules.fmt.numbering import DuplicateNumericPrefix

    kinds = {
        ExactDuplicate: "exact",
        NearDuplicate: "near",
        CorpusRepeatedLine: "lines",
        DuplicateNumericPrefix: "prefix",
    }
    out: dict[str, int] = {}
    for pos, rule in enumerate(job.corpus_rules):
        kind = kinds.get(type(rule))
        if kind is not None and kind not in out:
            out[kind] = pos
    return out


def corpus_spec(
    job: Job, items: int, cpus: int, forced: tuple[str, ...] = (), shards: int = 1
) -> CorpusSpec:
    """Which stages run; rules whose code is in ``forced`` go through the fallback.

    Partitions: one per CPU (at most ``MAX_PARTITIONS``), fewer when the ``shards``
    would emit parts of less than ``MIN_PART_BYTES`` on average. Verification buckets:
    one per CPU (at most ``MAX_PARTITIONS``)."""
    positions = {
        kind: pos
        for kind, pos in _distributed_rule_positions(job).items()
        if job.corpus_rules[pos].code not in forced
    }
    fallback = tuple(
        pos for pos in range(len(job.corpus_rules)) if pos not in set(positions.values())
    )
    per_cpu = max(1, min(MAX_PARTITIONS, cpus))
    partitions = 0
    if positions:
        volume = items * row_bytes(job, positions)
        partitions = max(1, min(per_cpu, volume // (max(1, shards) * MIN_PART_BYTES)))
    buckets = per_cpu if "near" in positions else 0
    return CorpusSpec(partitions, buckets, items, fallback=fallback, **positions)


def row_bytes(job: Job, positions: dict[str, int]) -> int:
    """Expected shuffle bytes per file of the stages at ``positions`` (by kind)."""
    total = 0
    for kind in positions:
        if kind == "near":
            from corpuslint.rules.dup.minhash import lsh_params

            options = job.corpus_rules[positions[kind]].options
            bands, _rows = lsh_params(options.threshold, options.num_perm)
            total += bands * ROW_BYTES["near_band"] + ROW_BYTES["near_exact"]
        else:
            total += ROW_BYTES[kind]
    return total


class RayRunner(Runner):
    """Runs a check on a Ray cluster (``engine = "ray"``); same outcome as ``Runner``."""

    def __init__(
        self,
        job: Job,
        *,
        jobs: int | None = None,
        progress: Callable[[str, int], Callable[[int], None] | None] | None = None,
        address: str | None = None,
        fallback_codes: tuple[str, ...] = (),
    ):
        super().__init__(job, jobs=jobs, progress=progress)
        self.address = address if address is not None else job.settings.ray_address
        self.fallback_codes = fallback_codes
        self._ray: Any = None
        self._connected = False
        self._tasks: Any = None
        self._started = 0.0
        self.timings: list[tuple[str, float]] = []  # (stage, seconds since check began)

    # -- Ray ---------------------------------------------------------------------

    def ray(self) -> Any:
        if self._ray is None:
            from corpuslint.ray_engine.connect import connect

            self._ray, self._connected = connect(self.address)
        return self._ray

    def close(self) -> None:
        """Disconnect (and stop a local instance this runner started)."""
        if self._ray is not None and self._connected:
            self._ray.shutdown()
        self._ray = None
        self._connected = False

    def tasks(self) -> Any:
        if self._tasks is None:
            ray = self.ray()
            self._tasks = {
                name: ray.remote(getattr(worker, name))
                for name in (
                    "map_shard",
                    "reduce_partition",
                    "verify_pairs",
                    "merge_forests",
                    "present_keys",
                    "finish_shard",
                    "fix_items",
                )
            }
        return self._tasks

    def _cpus(self) -> int:
        try:
            return max(1, int(self.ray().cluster_resources().get("CPU", 1)))
        except Exception:
            return 1

    def _get(self, refs: Any) -> Any:
        """``ray.get`` with a cluster failure as one error line."""
        ray = self.ray()
        try:
            return ray.get(refs)
        except ray.exceptions.RayError as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise CorpuslintError(f"the Ray cluster failed to run a task: {first}") from None

    # -- check -------------------------------------------------------------------

    def mark(self, stage: str) -> None:
        """Record that ``stage`` ended (seconds since the check began)."""
        self.timings.append((stage, time.perf_counter() - self._started))

    def check(self, sources: list[Source]) -> RunOutcome:
        self._started = time.perf_counter()
        self.timings = []
        ray = self.ray()
        tasks = self.tasks()
        self.mark("connect")
        job = worker.without_cache(self.job)
        cpus = self._cpus()
        plan = build_plan(job, sources, cpus)
        self.mark("plan")
        spec = corpus_spec(job, len(plan.items), cpus, self.fallback_codes, len(plan.shards))
        token = uuid.uuid4().hex
        holder = [ray.put(job)]
        shard_refs = [ray.put(plan.items[a:b]) for a, b in plan.shards]
        map_refs = [
            tasks["map_shard"]
            .options(num_returns=3 + spec.partitions)
            .remote(token, holder, spec, a, ref)
            for (a, _b), ref in zip(plan.shards, shard_refs)
        ]
        metas = self._collect_metas(map_refs, plan)
        # the driver holds the targets' results now: their object-store copies can go
        map_refs = [[None, *refs[1:]] for refs in map_refs]
        self.mark("map")
        results: dict[int, FileResult] = {}
        for meta in metas:
            results.update(meta.results)
        ordered = [results[i] for i in range(plan.targets)]
        errors = [r.error for r in ordered if r.error]
        errors += [e for r in ordered for e in r.rule_errors]
        diagnostics = [d for r in ordered for d in r.diagnostics]
        if job.corpus_rules and plan.items:
            context = _Run(self, ray, tasks, job, plan, spec, token, holder, shard_refs, map_refs)
            del map_refs  # the context lets go of the shuffle's parts when they are read
            diagnostics.extend(context.corpus_findings(metas, results, errors))
        diagnostics = self._filter(diagnostics, {s.entry.display: s.entry.relpath for s in sources})
        diagnostics.sort(key=Diagnostic.sort_key)
        keys = {r.display: r.key for r in ordered if r.key is not None}
        measured = {r.display: r.measured for r in ordered if r.measured is not None}
        self.mark("total")
        if os.environ.get(TIMINGS_ENV):
            shown = " ".join(f"{stage}={t:.2f}" for stage, t in self.timings)
            print(f"corpuslint: ray timings (s since start): {shown}", file=sys.stderr)
        return RunOutcome(diagnostics, errors, len(sources), keys=keys, measured=measured)

    def _collect_metas(self, map_refs: list[Any], plan: Plan) -> list[worker.ShardMeta]:
        ray = self.ray()
        bar = self.progress("checking", len(plan.items))
        pending = {refs[0]: n for n, refs in enumerate(map_refs)}
        metas: list[Any] = [None] * len(map_refs)
        try:
            while pending:
                done, _rest = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    n = pending.pop(ref)
                    metas[n] = self._get(ref)
                    if bar:
                        a, b = plan.shards[n]
                        bar(b - a)
        finally:
            close = getattr(bar, "close", None)
            if close is not None:
                close()
        return metas

    # -- fix ---------------------------------------------------------------------

    def fix(
        self, sources: list[Source], outcome: RunOutcome, *, unsafe: bool, dry_run: bool
    ) -> list[FixResult]:
        """Fix the files with applicable fixes, in Ray tasks (atomic writes on the nodes)."""
        items = fix_items(sources, outcome, unsafe=unsafe, dry_run=dry_run)
        if not items:
            return []
        ray = self.ray()
        holder = [ray.put(worker.without_cache(self.job))]
        token = uuid.uuid4().hex
        refs = [
            self.tasks()["fix_items"].remote(token, holder, items[i : i + FIX_CHUNK])
            for i in range(0, len(items), FIX_CHUNK)
        ]
        return [r for part in self._get(refs) for r in part]


class _Run:
    """The corpus stages of one check (state shared by the stage methods)."""

    def __init__(
        self,
        runner: RayRunner,
        ray: Any,
        tasks: dict[str, Any],
        job: Job,
        plan: Plan,
        spec: CorpusSpec,
        token: str,
        holder: list[Any],
        shard_refs: list[Any],
        map_refs: list[Any],
    ):
        self.runner = runner
        self.ray = ray
        self.tasks = tasks
        self.job = job
        self.plan = plan
        self.spec = spec
        self.token = token
        self.holder = holder
        self.shard_refs = shard_refs
        self.map_refs = map_refs
        self.results: dict[int, FileResult] = {}  # the targets' (by item)

    def get(self, refs: Any) -> Any:
        return self.runner._get(refs)

    def corpus_findings(
        self, metas: list[worker.ShardMeta], results: dict[int, FileResult], errors: list[str]
    ) -> list[Diagnostic]:
        spec, plan, job = self.spec, self.plan, self.job
        self.results = results
        corpus_files = sum(m.corpus_files for m in metas)
        min_lines = 1
        if spec.lines is not None:
            min_lines = max(1, job.corpus_rules[spec.lines].files_needed(corpus_files) - 1)
        groups: list[dict[str, Any]] = []
        pair_refs: list[list[Any]] = []
        if spec.partitions:
            reduce_refs = []
            for p in range(spec.partitions):
                call = self.tasks["reduce_partition"]
                if spec.near is not None:
                    call = call.options(num_returns=1 + spec.buckets)
                reduce_refs.append(
                    call.remote(spec, min_lines, *[refs[3 + p] for refs in self.map_refs])
                )
            # the shuffle's parts are freed once their reduce tasks have run
            self.map_refs = [refs[:3] for refs in self.map_refs]
            if spec.near is not None:
                group_refs = [r[0] for r in reduce_refs]
                pair_refs = [[r[1 + v] for r in reduce_refs] for v in range(spec.buckets)]
            else:
                group_refs = reduce_refs
            groups = self.get(group_refs)
            self.runner.mark("reduce")
        found: list[tuple[int, tuple[int, int], int, Diagnostic]] = []
        if spec.exact is not None:
            rule = job.corpus_rules[spec.exact]
            every = [g for got in groups for g in got["exact"]]
            exact = found_mod.exact_findings(rule, plan, every)
            found += [(spec.exact, o, i, d) for o, i, d in exact]
        if spec.near is not None:
            found += [(spec.near, o, i, d) for o, i, d in self._near(groups, pair_refs)]
        if spec.prefix is not None:
            rule = job.corpus_rules[spec.prefix]
            prefixes = {i: p for m in metas for i, p in m.prefixes.items()}
            merged: dict[str, set[str]] = {}
            for got in groups:
                for prefix, names in got["prefix"].items():
                    merged.setdefault(prefix, set()).update(names)
            found += [
                (spec.prefix, o, i, d)
                for o, i, d in found_mod.prefix_findings(rule, plan, prefixes, merged)
            ]
        if spec.fallback:
            from corpuslint.ray_engine.fallback import fallback_findings

            summaries = {i: s for m in metas for i, s in m.fallback.items()}
            by_display = {plan.items[i].display: i for i in range(plan.targets)}
            for pos, order, d in fallback_findings(
                job, plan, spec.fallback, summaries, results, errors
            ):
                idx = by_display.get(d.path)
                if idx is not None:  # the local runner drops findings of other paths
                    found.append((pos, order, idx, d))
        line_counts: dict[int, int] = {}
        for got in groups:
            line_counts.update(got.get("lines", {}))
        indexed_outside = self._indexed_outside(results) if spec.lines is not None else set()
        self.runner.mark("findings")
        out = self._finish(found, line_counts, corpus_files, indexed_outside)
        self.runner.mark("finish")
        return out

    # -- DUP002 ------------------------------------------------------------------

    def _near(self, groups: list[dict[str, Any]], pair_refs: list[list[Any]]):
        spec, plan = self.spec, self.plan
        rule = self.job.corpus_rules[spec.near]
        verify = self.tasks["verify_pairs"].options(num_returns=2)
        verified = []
        for refs in pair_refs:  # one bucket of candidate pairs at a time
            pairs = _unique_pairs(self.get(refs))
            if len(pairs):
                nodes = self._nodes(pairs)
                verified.append(verify.remote(self.token, self.holder, spec, nodes, False, pairs))
        forest = self._components([v[0] for v in verified])
        flat = self.get([r for v in verified for r in v])
        edges = found_mod.Edges(
            np.concatenate([stages.EMPTY_PAIRS, *flat[0::2]]),
            np.concatenate([np.zeros(0), *flat[1::2]]),
            len(plan.items),
        )
        clusters = stages.components(self.get(forest))
        original_of = found_mod.originals(plan, clusters)
        todo = found_mod.pairs_to_measure(plan, original_of, edges)
        measured: dict[tuple[int, int], float] = {}
        if todo:
            arr = np.array(todo, dtype=np.int64)
            chunks = [arr[i : i + PAIRS_PER_TASK] for i in range(0, len(arr), PAIRS_PER_TASK)]
            refs = [
                verify.remote(self.token, self.holder, spec, self._nodes(c), True, c)
                for c in chunks
            ]
            measured = _pair_values(self.get([r for v in refs for r in v]))
        text_group: dict[int, int] = {}
        for got in groups:
            for members in got["near_exact"]:
                first = int(members[0])
                for m in members.tolist():
                    text_group[m] = first

        def same_text(a: int, b: int) -> bool:
            ga = text_group.get(a)
            return ga is not None and ga == text_group.get(b)

        found = found_mod.near_findings(rule, plan, clusters, edges, measured, same_text)
        self.runner.mark("verify+components")
        return found

    def _nodes(self, pairs: Any) -> list[tuple[int, str, str | None]]:
        """``(node id, absolute path, content key)`` of the files of ``pairs``, for a
        verification task (a target's key: the content that was checked)."""
        out = []
        for idx in np.unique(pairs).tolist():
            item = self.plan.items[idx]
            result = self.results.get(idx) if item.target else None
            key = result.key if result is not None and result.error is None else None
            out.append((idx, item.source.entry.abspath, key))
        return out

    def _components(self, edge_refs: list[Any]) -> Any:
        """A tree of union-find merges down to one forest (a reference to it)."""
        if not edge_refs:
            return self.ray.put(stages.EMPTY_PAIRS)
        merge = self.tasks["merge_forests"]
        level = list(edge_refs)
        while True:
            level = [
                merge.remote(*level[i : i + MERGE_FAN_IN])
                for i in range(0, len(level), MERGE_FAN_IN)
            ]
            if len(level) == 1:
                return level[0]

    # -- BP010 -------------------------------------------------------------------

    def _indexed_outside(self, results: dict[int, FileResult]) -> set[int]:
        """Targets outside the corpus whose content a corpus file has (BP010 counts a
        target outside the index as one more file, unless its content is indexed)."""
        plan = self.plan
        outside = {
            i: r.key
            for i, r in results.items()
            if not plan.items[i].in_corpus and r.error is None and r.key is not None
        }
        if not outside:
            return set()
        wanted = set(outside.values())
        present_keys = self.tasks["present_keys"]
        found = set().union(
            *self.get([present_keys.remote(refs[1], wanted) for refs in self.map_refs])
        )
        return {i for i, key in outside.items() if key in found}

    # -- resolving ---------------------------------------------------------------

    def _finish(
        self,
        found: list[tuple[int, tuple[int, int], int, Diagnostic]],
        line_counts: dict[int, int],
        corpus_files: int,
        indexed_outside: set[int],
    ) -> list[Diagnostic]:
        plan, spec = self.plan, self.spec
        per_shard: list[list[Any]] = [[] for _ in plan.shards]
        for f in found:
            per_shard[plan.shard_of(f[2])].append(f)
        counts_ref = self.ray.put(line_counts)
        refs = []
        for n, (a, b) in enumerate(plan.shards):
            if a >= plan.targets:
                break  # only corpus files from here on: no findings
            refs.append(
                self.tasks["finish_shard"].remote(
                    self.token,
                    self.holder,
                    spec,
                    a,
                    self.shard_refs[n],
                    self.map_refs[n][1],
                    self.map_refs[n][2],
                    counts_ref,
                    corpus_files,
                    {i for i in indexed_outside if a <= i < b},
                    per_shard[n],
                )
            )
        resolved = [f for part in self.get(refs) for f in part]
        resolved.sort(key=lambda f: (f[0], f[1]))
        return [d for _pos, _order, d in resolved]


def _unique_pairs(parts: list[Any]) -> Any:
    """The distinct pairs of a bucket's parts (one from each reduce task), sorted."""
    parts = [p for p in parts if len(p)]
    return np.unique(np.concatenate(parts), axis=0) if parts else stages.EMPTY_PAIRS


def _pair_values(flat: list[Any]) -> dict[tuple[int, int], float]:
    """``{(i, j): jaccard}`` from the outputs of verification tasks (pairs, values, ...)."""
    out: dict[tuple[int, int], float] = {}
    for pairs, values in zip(flat[0::2], flat[1::2]):
        out.update(zip(map(tuple, pairs.tolist()), values.tolist()))
    return out
