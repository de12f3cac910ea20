"""Near-duplicate clusters: LSH candidates, exact verification, connected components.

A *node* is a corpus file (or a checked file outside the corpus). Two nodes are
*candidates* when their signatures agree on a whole LSH band; a candidate pair is
an *edge* only when the exact Jaccard similarity of the two shingle sets, read
from the files themselves, is at least the threshold. Clusters are the connected
components of the edges, so what a pre-commit run on one file reports is what a
run over the whole corpus reports for that file:

* ``bulk`` (many targets): every band key is in memory, every candidate pair is
  verified (pairs already joined by other edges are skipped: they cannot change
  the components), components by union-find;
* ``lookup`` (few targets): breadth-first search from the targets through the
  index, following only verified edges.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from corpuslint.rules.dup.bands import FILE_MASK

from corpuslint.corpus import Corpus, chunks, content_key, index_path
from corpuslint.document import Document
from corpuslint.runner import read_fd

# Buckets larger than this are linked through a sliding window of this many
# neighbours in path order instead of all pairs (a cluster of thousands of copies
# would otherwise need millions of verifications); members still end up connected
# when their neighbours verify.
WINDOW = 64


@dataclass
class Node:
    relpath: str
    display: str
    keys: Any  # int64 band keys
    exact: bytes | None  # normalised-text hash
    key: str | None = None  # content hash the summary was made from (targets)
    target: bool = False
    edges: dict[int, float] = field(default_factory=dict)  # node index -> Jaccard


# Shingle sets of more nodes than this are computed in worker processes (below it,
# forking costs more than the native kernels take).
PARALLEL_MIN = 20_000
# Up to this many candidate pairs, every shingle set stays in memory until the end.
KEEP_SETS = 100_000
_worker_sketcher: Any = None


def _read_file(path: str, max_size: int) -> bytes | None:
    """A regular file's bytes, or None when it cannot be read or is over ``max_size``
    (plain ``os.read`` calls: no buffer of ``max_size`` bytes per file)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_size:
            return None
        raw = read_fd(fd, max_size + 1, st.st_size)  # one byte over: it grew past the limit
        return None if len(raw) > max_size else raw
    except OSError:
        return None
    finally:
        os.close(fd)


def _load_set(sketcher: Any, path: str, key: str | None, max_size: int) -> Any:
    """Sorted unique shingle ids of a file, or None when it cannot be verified."""
    raw = _read_file(path, max_size)
    if raw is None or (key is not None and content_key(raw) != key):
        return None
    doc = Document.from_bytes(path, raw)
    if not doc.is_text:
        return None
    return sketcher.shingle_set(doc.text)


def _load_set_in_worker(item: tuple[str, str | None, int]) -> Any:
    return _load_set(_worker_sketcher, *item)


def intersection_size(sketcher: Any, a: Any, b: Any) -> int:
    """Shingles two sorted, repeat-free sets share."""
    if sketcher.native is not None:
        return sketcher.native.intersect_count(a, b)
    return len(sketcher.np.intersect1d(a, b, assume_unique=True))


class UnionFind:
    def __init__(self) -> None:
        self.parent: list[int] = []

    def add(self) -> int:
        self.parent.append(len(self.parent))
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


class Graph:
    """Nodes, verified edges and the shingle sets needed to verify them."""

    def __init__(self, sketcher: Any, corpus: Corpus, threshold: float, max_size: int) -> None:
        self.sk = sketcher
        self.np = sketcher.np
        self.corpus = corpus
        self.threshold = threshold
        self.max_size = max_size
        self.nodes: list[Node] = []
        self.index: dict[str, int] = {}
        self.uf = UnionFind()
        self._sets: dict[int, Any] = {}
        self._jaccard: dict[tuple[int, int], float] = {}
        self.unreadable: set[int] = set()
        self.candidates: dict[int, set[int]] = {}  # every candidate pair seen, both ways

    def add_candidate(self, i: int, j: int) -> None:
        self.candidates.setdefault(i, set()).add(j)
        self.candidates.setdefault(j, set()).add(i)

    def add(self, node: Node) -> int:
        i = self.index.get(node.relpath)
        if i is not None:
            return i
        i = len(self.nodes)
        self.nodes.append(node)
        self.index[node.relpath] = i
        self.uf.add()
        return i

    # -- verification --------------------------------------------------------

    def _source(self, i: int) -> tuple[str, str | None]:
        node = self.nodes[i]
        path = node.display if node.target else str(self.corpus.absolute(node.relpath))
        return path, node.key

    def shingle_set(self, i: int) -> Any:
        got = self._sets.get(i)
        if got is None:
            got = _load_set(self.sk, *self._source(i), self.max_size)
            self._store(i, got)
        return self._sets[i]

    def _store(self, i: int, got: Any) -> None:
        if got is None:  # gone, too large, not text, or not what was checked (stdin)
            self.unreadable.add(i)
            got = self.np.zeros(0, dtype=self.np.uint64)
        self._sets[i] = got

    def prefetch(self, indices: Iterable[int], jobs: int) -> None:
        """Compute the shingle sets of many nodes, in worker processes when worth it."""
        todo = [i for i in dict.fromkeys(indices) if i not in self._sets]
        if len(todo) < PARALLEL_MIN or jobs <= 1 or not hasattr(os, "fork"):
            for i in todo:
                self.shingle_set(i)
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        global _worker_sketcher
        _worker_sketcher = self.sk
        items = [(*self._source(i), self.max_size) for i in todo]
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            chunk = max(1, min(64, len(items) // (jobs * 4)))
            for i, got in zip(todo, pool.map(_load_set_in_worker, items, chunksize=chunk)):
                self._store(i, got)

    def forget(self, i: int) -> None:
        self._sets.pop(i, None)

    def jaccard(self, i: int, j: int) -> float:
        a, b = (i, j) if i < j else (j, i)
        got = self._jaccard.get((a, b))
        if got is None:
            sa, sb = self.shingle_set(a), self.shingle_set(b)
            if a in self.unreadable or b in self.unreadable or not len(sa) or not len(sb):
                got = 0.0
            else:
                inter = intersection_size(self.sk, sa, sb)
                got = inter / (len(sa) + len(sb) - inter)
            self._jaccard[(a, b)] = got
        return got

    def verify(self, i: int, j: int) -> bool:
        """Verify a candidate pair; an edge joins the two clusters when it holds."""
        jac = self.jaccard(i, j)
        if jac >= self.threshold:
            self.nodes[i].edges[j] = jac
            self.nodes[j].edges[i] = jac
            self.uf.union(i, j)
            return True
        return False

    def components(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for i in range(len(self.nodes)):
            out.setdefault(self.uf.find(i), []).append(i)
        return out


def bucket_pairs(np: Any, keys: Any, owners: Any) -> Any:
    """Candidate pairs (i < j, unique) of nodes that share a band key.

    ``keys`` and ``owners`` are flat arrays (one entry per node and band). Within a
    bucket every pair is a candidate, except in buckets larger than ``WINDOW + 1``,
    where each member is paired with the next ``WINDOW`` members.
    """
    empty = np.zeros((0, 2), dtype=np.int64)
    if len(keys) < 2:
        return empty
    order = np.argsort(keys, kind="stable")
    k = keys[order]
    same_next = k[1:] == k[:-1]
    if not same_next.any():
        return empty
    # keep the entries of buckets with at least two members
    in_group = np.zeros(len(k), dtype=bool)
    in_group[:-1] |= same_next
    in_group[1:] |= same_next
    k = k[in_group]
    o = owners[order][in_group].astype(np.int64)
    starts = np.flatnonzero(np.concatenate(([True], k[1:] != k[:-1])))
    sizes = np.diff(np.append(starts, len(k)))
    end = np.repeat(starts + sizes, sizes)  # one past the bucket's last entry, per entry
    idx = np.arange(len(k))
    parts = []
    for d in range(1, min(WINDOW, int(sizes.max()) - 1) + 1):
        ok = idx + d < end
        if not ok.any():
            break
        a, b = o[idx[ok]], o[idx[ok] + d]
        parts.append(np.stack([np.minimum(a, b), np.maximum(a, b)], axis=1))
    pairs = np.concatenate(parts)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return np.unique(pairs, axis=0) if len(pairs) else empty


def cluster_bulk(
    graph: Graph,
    load_all: Callable[[], Iterable[Node]],
    jobs: int = 1,
    run_map: RunMap | None = None,
) -> Any:
    """Every node in memory, every candidate pair verified (skipping redundant ones).

    With ``run_map`` (a parallel map over worker processes, see
    ``verify_in_workers``) the pairs are verified there. Returns the candidate pairs."""
    np = graph.np
    for node in load_all():
        graph.add(node)
    nodes = graph.nodes
    if len(nodes) < 2:
        return np.zeros((0, 2), dtype=np.int64)
    keys = np.concatenate([n.keys for n in nodes])
    owners = np.repeat(np.arange(len(nodes)), [len(n.keys) for n in nodes])
    pairs = bucket_pairs(np, keys, owners)
    if not len(pairs):
        return pairs
    for i, j in pairs.tolist():
        graph.add_candidate(i, j)
    if run_map is not None and len(pairs) >= WORKERS_MIN_PAIRS:
        verify_in_workers(graph, pairs, run_map, jobs)
        return pairs
    graph.prefetch(np.unique(pairs).tolist(), jobs)
    # free shingle sets once their last pair is verified, when there are many of them
    remaining = np.bincount(pairs.ravel(), minlength=len(nodes)) if len(pairs) > KEEP_SETS else None
    uf = graph.uf
    for i, j in pairs.tolist():
        if uf.find(i) != uf.find(j):
            graph.verify(i, j)
        if remaining is not None:
            for x in (i, j):
                remaining[x] -= 1
                if remaining[x] == 0:
                    graph.forget(x)
    return pairs


def cluster_lookup(
    graph: Graph,
    lookup: Callable[[list[int]], dict[int, list[str]]],
    load: Callable[[list[str]], list[Node]],
    jobs: int = 1,
) -> None:
    """Breadth-first from the nodes already in the graph (the targets), via the index.

    ``lookup(keys)`` gives, per band key, the relpaths of indexed files having it;
    ``load(relpaths)`` gives their nodes.
    """
    frontier = list(range(len(graph.nodes)))
    in_memory: dict[int, list[int]] = {}
    for i, node in enumerate(graph.nodes):
        for k in node.keys.tolist():
            in_memory.setdefault(k, []).append(i)
    expanded: set[int] = set()
    while frontier:
        batch = [i for i in frontier if i not in expanded]
        expanded.update(batch)
        if not batch:
            break
        wanted = sorted({k for i in batch for k in graph.nodes[i].keys.tolist()})
        found = lookup(wanted)
        new_paths = sorted({p for paths in found.values() for p in paths} - set(graph.index))
        for node in load(new_paths):
            j = graph.add(node)
            for k in node.keys.tolist():
                in_memory.setdefault(k, []).append(j)
        candidates: set[tuple[int, int]] = set()
        for i in batch:
            for k in graph.nodes[i].keys.tolist():
                members = set(in_memory.get(k, ()))
                members.update(graph.index[p] for p in found.get(k, ()) if p in graph.index)
                for j in members:
                    if j != i:
                        candidates.add((min(i, j), max(i, j)))
                        graph.add_candidate(i, j)
        graph.prefetch([x for pair in sorted(candidates) for x in pair], jobs)
        reached = []
        for i, j in sorted(candidates):
            if graph.verify(i, j):
                reached.extend(x for x in (i, j) if x not in expanded)
        frontier = sorted(set(reached))


# -- verification in worker processes ------------------------------------------------

# A parallel map: ``run_map(func, items)`` yields ``func(item)`` for every item, in
# order, computed in worker processes (``func`` must be a module-level function).
RunMap = Callable[[Callable[[Any], Any], list[Any]], Iterable[Any]]
# Fewer candidate pairs than this are verified in the main process.
WORKERS_MIN_PAIRS = 256
# A group's files: (relpath, path to read, content hash to expect or None, is a target).
GroupNode = tuple[str, str, "str | None", bool]
_sketchers: dict[tuple, Any] = {}


def candidate_groups(np: Any, n: int, pairs: Any) -> Any:
    """Connected components of the candidate pairs: a label per node (its smallest
    member's index; nodes in no pair label themselves)."""
    label = np.arange(n, dtype=np.int64)
    a, b = pairs[:, 0], pairs[:, 1]
    while True:
        low = np.minimum(label[a], label[b])
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        while True:  # pointer jumping: every node to its label's label
            up = label[label]
            if np.array_equal(up, label):
                break
            label = up
        if np.array_equal(label[a], label[b]):
            return label


def verify_in_workers(graph: Graph, pairs: Any, run_map: RunMap, jobs: int) -> None:
    """Verify candidate pairs in worker processes, one connected group of candidates at
    a time, with exactly the outcome of verifying them here (``cluster_bulk``).

    Each group's files are read and shingled by one worker, which verifies the group's
    pairs in order (skipping pairs its verified edges already join) and computes every
    Jaccard similarity ``find_near_duplicates`` will ask for: each target's with its
    cluster's original and, when that is below the threshold, with all its
    candidates. The values fill the graph's cache; the verified pairs become edges.
    """
    np = graph.np
    label = candidate_groups(np, len(graph.nodes), pairs)
    pair_label = label[pairs[:, 0]]
    order = np.argsort(pair_label, kind="stable")  # pairs stay in order within a group
    sorted_labels = pair_label[order]
    starts = np.flatnonzero(np.concatenate(([True], sorted_labels[1:] != sorted_labels[:-1])))
    ends = np.append(starts[1:], len(order))
    in_pairs = np.unique(pairs)
    members_of: dict[int, list[int]] = {}
    for i, lab in zip(in_pairs.tolist(), label[in_pairs].tolist()):
        members_of.setdefault(lab, []).append(i)  # increasing index order
    nodes = graph.nodes
    groups: list[tuple[list[int], list[GroupNode], list[tuple[int, int]]]] = []
    for start, end in zip(starts.tolist(), ends.tolist()):
        part = pairs[order[start:end]]
        members = members_of[int(label[part[0, 0]])]
        local = {g: k for k, g in enumerate(members)}
        group_nodes = [(nodes[g].relpath, *graph._source(g), nodes[g].target) for g in members]
        group_pairs = [(local[i], local[j]) for i, j in part.tolist()]
        groups.append((members, group_nodes, group_pairs))
    params = tuple(sorted(graph.sk.params().items()))
    per_task = max(16, len(in_pairs) // (max(1, jobs) * 8))
    tasks, bounds, size, first = [], [], 0, 0
    for k, (members, _nodes, _pairs) in enumerate(groups):
        size += len(members)
        if size >= per_task or k == len(groups) - 1:
            chunk = [(gn, gp) for _m, gn, gp in groups[first : k + 1]]
            tasks.append((params, graph.threshold, graph.max_size, chunk))
            bounds.append((first, k + 1))
            first, size = k + 1, 0
    for (first, last), outcome in zip(bounds, run_map(verify_groups, tasks)):
        for (members, _n, _p), (values, verified, unreadable) in zip(groups[first:last], outcome):
            for a, b, jac in values:
                graph._jaccard[(members[a], members[b])] = jac
            for k in unreadable:
                graph.unreadable.add(members[k])
            for a, b in verified:
                graph.verify(members[a], members[b])


def _sketcher_for(params: tuple) -> Any:
    got = _sketchers.get(params)
    if got is None:
        from corpuslint.rules.dup.minhash import Sketcher

        got = _sketchers[params] = Sketcher(**dict(params))
    return got


def verify_groups(
    task: tuple[tuple, float, int, list[tuple[list[GroupNode], list[tuple[int, int]]]]],
) -> list[tuple[list[tuple[int, int, float]], list[tuple[int, int]], list[int]]]:
    """Worker side of ``verify_in_workers``: per group, (every Jaccard similarity
    computed as (a, b, value) with a < b, the pairs that became edges, the files that
    could not be read)."""
    params, threshold, max_size, groups = task
    sk = _sketcher_for(params)
    return [verify_group(sk, threshold, max_size, nodes, pairs) for nodes, pairs in groups]


def verify_group(
    sk: Any, threshold: float, max_size: int, nodes: list[GroupNode], pairs: list[tuple[int, int]]
) -> tuple[list[tuple[int, int, float]], list[tuple[int, int]], list[int]]:
    """One connected group of candidates: ``Graph`` and ``find_near_duplicates`` on it."""
    empty = sk.np.zeros(0, dtype=sk.np.uint64)
    sets: list[Any] = [None] * len(nodes)
    unreadable: set[int] = set()
    values: dict[tuple[int, int], float] = {}

    def shingles(i: int) -> Any:
        got = sets[i]
        if got is None:
            _rel, path, key, _target = nodes[i]
            got = _load_set(sk, path, key, max_size)
            if got is None:
                unreadable.add(i)
                got = empty
            sets[i] = got
        return got

    def jaccard(a: int, b: int) -> float:
        if a > b:
            a, b = b, a
        got = values.get((a, b))
        if got is None:
            sa, sb = shingles(a), shingles(b)
            if a in unreadable or b in unreadable or not len(sa) or not len(sb):
                got = 0.0
            else:
                inter = intersection_size(sk, sa, sb)
                got = inter / (len(sa) + len(sb) - inter)
            values[(a, b)] = got
        return got

    uf = UnionFind()
    for _ in nodes:
        uf.add()
    candidates: dict[int, set[int]] = {}
    verified = []
    for a, b in pairs:
        candidates.setdefault(a, set()).add(b)
        candidates.setdefault(b, set()).add(a)
        if uf.find(a) != uf.find(b) and jaccard(a, b) >= threshold:
            uf.union(a, b)
            verified.append((a, b))
    clusters: dict[int, list[int]] = {}
    for i in range(len(nodes)):
        clusters.setdefault(uf.find(i), []).append(i)
    for members in clusters.values():
        if len(members) < 2:
            continue
        original = min(members, key=lambda m: nodes[m][0])
        for i in members:
            if nodes[i][3] and i != original and jaccard(i, original) < threshold:
                for j in sorted(candidates.get(i, ())):
                    jaccard(i, j)
    out = [(a, b, v) for (a, b), v in values.items()]
    return out, verified, sorted(unreadable)


def masked_keys(np: Any, blob: bytes) -> Any:
    """Band keys as the index compares them (low bits dropped, see ``bands``)."""
    return np.frombuffer(blob, dtype=np.int64) & np.int64(~FILE_MASK)


def load_nodes(
    corpus: Corpus, rows: Iterable[tuple[str, bytes, bytes | None]], np: Any
) -> list[Node]:
    return [
        Node(rel, corpus.display(rel), masked_keys(np, keys), exact) for rel, keys, exact in rows
    ]


def indexed_rows(corpus: Corpus, relpaths: list[str]) -> list[tuple[str, bytes, bytes | None]]:
    out = []
    for part in chunks(relpaths):
        marks = ",".join("?" * len(part))
        out.extend(
            corpus.db.execute(
                "SELECT f.path, k.keys, k.exact FROM dup_near_keys k "
                f"JOIN files f ON f.id = k.file_id WHERE f.path IN ({marks})",
                [index_path(p) for p in part],
            )
        )
    return out
