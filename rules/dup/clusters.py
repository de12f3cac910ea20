"""DUP002's corpus check: build the verified near-duplicate graph, report the targets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from corpuslint.rules.dup import bands
from corpuslint.rules.dup.graph import (
    Graph,
    Node,
    cluster_bulk,
    cluster_lookup,
    indexed_rows,
    load_nodes,
)

from corpuslint.corpus import Corpus
from corpuslint.model import Diagnostic
from corpuslint.rule import CheckContext, Target

# Below this share of targets in the index, clusters are found by searching the
# index from the targets; above it, all band keys are loaded and bucketed at once.
BULK_SHARE = 0.25
# Up to this many targets, the index is first asked in plain Python whether any
# other file shares a band with one of them (the pre-commit case: usually none, and
# then neither numpy nor the graph is needed).
FEW_TARGETS = 64


def _any_candidate(rule: Any, targets: list[Target], corpus: Corpus) -> bool:
    """Whether some target shares an LSH band with another file of the index."""
    want = rule.options.num_perm * 4
    for t in targets:
        if t.summary is None or len(t.summary.signature) != want:
            continue  # no signature: no node (see _target_nodes)
        keys = rule.plain_band_keys(t.summary.signature)
        ids = {i for found in bands.lookup(corpus.db, keys).values() for i in found}
        own = corpus.relpath(t.path)
        if any(path != own for path in corpus.paths_of(ids).values()):
            return True
    return False


def _target_nodes(rule: Any, graph: Graph, targets: list[Target], corpus: Corpus) -> list[int]:
    np = graph.np
    want = graph.sk.num_perm * 4
    usable = [t for t in targets if t.summary is not None and len(t.summary.signature) == want]
    if not usable:
        return []
    matrix = rule.band_keys([t.summary for t in usable]) & np.int64(~bands.FILE_MASK)
    return [
        graph.add(
            Node(corpus.relpath(t.path), t.path, row, t.summary.exact, key=t.key, target=True)
        )
        for t, row in zip(usable, matrix)
    ]


def _bulk(graph: Graph, corpus: Corpus, jobs: int, run_map: Any = None) -> None:
    np = graph.np
    want = graph.sk.bands * 8

    def load_all() -> list[Node]:
        rows = corpus.db.execute(
            "SELECT f.path, k.keys, k.exact FROM dup_near_keys k JOIN files f ON f.id = k.file_id"
        )
        return load_nodes(
            corpus, (r for r in rows if r[0] not in graph.index and len(r[1]) == want), np
        )

    cluster_bulk(graph, load_all, jobs, run_map)


def _lookup(graph: Graph, corpus: Corpus, jobs: int) -> None:
    np = graph.np
    want = graph.sk.bands * 8

    def lookup(keys: list[int]) -> dict[int, list[str]]:
        found = bands.lookup(corpus.db, keys)
        paths = corpus.paths_of({fid for ids in found.values() for fid in ids})
        return {k: [paths[i] for i in ids if i in paths] for k, ids in found.items()}

    def load(relpaths: list[str]) -> list[Node]:
        rows = [r for r in indexed_rows(corpus, relpaths) if len(r[1]) == want]
        return load_nodes(corpus, rows, np)

    cluster_lookup(graph, lookup, load, jobs)


def find_near_duplicates(
    rule: Any, targets: list[Target], corpus: Corpus, ctx: CheckContext
) -> Iterator[Diagnostic]:
    few = corpus.others != 0 and len(targets) <= FEW_TARGETS
    if few and not _any_candidate(rule, targets, corpus):
        return
    sk = rule.sketcher
    threshold = rule.options.threshold
    graph = Graph(sk, corpus, threshold, ctx.max_file_size)
    target_ids = _target_nodes(rule, graph, targets, corpus)
    if not target_ids:
        return
    jobs = corpus.settings.jobs or os.cpu_count() or 1
    run_map = getattr(corpus, "parallel_map", None)  # the run's worker processes, if any
    if corpus.others == 0:  # every corpus file is a target: all band keys are in memory
        cluster_bulk(graph, list, jobs, run_map)
    elif len(target_ids) >= BULK_SHARE * corpus.file_count():
        _bulk(graph, corpus, jobs, run_map)
    else:
        _lookup(graph, corpus, jobs)

    components = graph.components()
    uf = graph.uf
    nodes = graph.nodes
    for ti in target_ids:
        members = components.get(uf.find(ti), [ti])
        if len(members) < 2:
            continue
        original = min(members, key=lambda m: nodes[m].relpath)
        if original == ti:
            continue
        dup = original
        jac = graph.jaccard(ti, original)
        if jac < threshold:
            # joined to the original only through others: name its closest verified neighbour
            for j in sorted(graph.candidates.get(ti, ())):
                graph.verify(ti, j)
            edges = nodes[ti].edges
            dup = min(edges, key=lambda j: (-edges[j], nodes[j].relpath))
            jac = edges[dup]
        node, other, orig = nodes[ti], nodes[dup], nodes[original]
        if node.exact is not None and node.exact == other.exact:
            continue  # an exact copy: DUP001's finding
        size = len(members)
        if dup == original:
            message = (
                f"Near-duplicate of {orig.display} (Jaccard {jac:.2f}; cluster of {size} files)"
            )
        else:
            message = (
                f"Near-duplicate of {other.display} (Jaccard {jac:.2f}); its cluster of "
                f"{size} files has the original {orig.display}"
            )
        yield rule.diagnostic(
            node.display,
            None,
            message,
            data={
                "duplicate_of": other.display,
                "jaccard": jac,
                "cluster": orig.display,
                "cluster_size": size,
                "original": orig.display,
            },
        )
