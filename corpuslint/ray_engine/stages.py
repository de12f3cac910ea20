"""The data of the corpus stages: what a shard emits, how it is partitioned, grouped
and joined. Pure functions over numpy arrays (no Ray), so they can be tested alone.

A shard emits, for each of ``P`` partitions, a ``Part``: the rows of every active
corpus stage whose key hashes to that partition. All rows with one key land in one
partition, so each reduce task sees whole groups:

* ``exact``: DUP001's normalised-text hash (16 bytes as two uint64) and the file;
* ``near``: DUP002's LSH band keys (int64, low bits masked as the index stores
  them) and the file; ``near_exact``: the exact hash of each DUP002 node;
* ``lines``: BP010's line hashes of every corpus file (one per file and line), and
  ``wanted``: the hashes of the targets' candidate lines;
* ``prefix``: FMT002's (prefix, display path) pairs.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

EMPTY_PAIRS = np.zeros((0, 2), dtype=np.int64)


@dataclass(frozen=True)
class CorpusSpec:
    """Which corpus stages run, where their rules are in ``job.corpus_rules``."""

    partitions: int  # P: shuffle partitions (reduce tasks)
    buckets: int  # V: verification tasks (candidate pairs by first node)
    items: int  # files in the run (node ids are 0 .. items - 1)
    exact: int | None = None  # position of DUP001
    near: int | None = None  # position of DUP002
    lines: int | None = None  # position of BP010
    prefix: int | None = None  # position of FMT002
    fallback: tuple[int, ...] = ()  # positions of rules checked through an index

    @property
    def distributed(self) -> tuple[int, ...]:
        return tuple(p for p in (self.exact, self.near, self.lines, self.prefix) if p is not None)


@dataclass
class Part:
    """One partition of one shard's rows."""

    exact: tuple[Any, Any] | None = None  # (uint64[n, 2], int64[n])
    near: tuple[Any, Any] | None = None  # (int64[m] keys, int64[m] owners)
    near_exact: tuple[Any, Any] | None = None
    lines: Any = None  # int64[k]
    wanted: Any = None  # int64[w]
    prefix: list[tuple[str, str]] = field(default_factory=list)


# -- partitioning --------------------------------------------------------------------


def partition_of(values: Any, partitions: int) -> Any:
    """Partition of 64-bit hash values (their high bits: uniform, and the DUP002 band
    keys carry a file id in their low bits)."""
    return ((values.view(np.uint64) >> np.uint64(32)) % np.uint64(partitions)).astype(np.int64)


def partition_of_text(text: str, partitions: int) -> int:
    """Partition of a string: a fixed hash (Python's ``hash`` differs between processes)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % partitions


def hashes_to_rows(hashes: list[bytes]) -> Any:
    """16-byte hashes as rows of two uint64."""
    if not hashes:
        return np.zeros((0, 2), dtype=np.uint64)
    return np.frombuffer(b"".join(hashes), dtype=np.uint64).reshape(-1, 2)


def split(part_of: Any, partitions: int, *arrays: Any) -> list[tuple[Any, ...]]:
    """``arrays`` (same length) split by partition, keeping their order in each."""
    if not len(part_of):
        return [tuple(a[:0] for a in arrays) for _ in range(partitions)]
    order = np.argsort(part_of, kind="stable")
    bounds = np.searchsorted(part_of[order], np.arange(partitions + 1))
    return [tuple(a[order[bounds[p] : bounds[p + 1]]] for a in arrays) for p in range(partitions)]


# -- reduce side ---------------------------------------------------------------------


def concat(parts: list[tuple[Any, ...]], width: int) -> tuple[Any, ...]:
    return tuple(np.concatenate([p[k] for p in parts]) for k in range(width))


def groups_of(rows: Any, owners: Any) -> list[Any]:
    """Owners (ascending) of each key row held by at least two entries."""
    if len(owners) < 2:
        return []
    order = np.lexsort((owners, *[rows[:, c] for c in reversed(range(rows.shape[1]))]))
    r, o = rows[order], owners[order]
    new = np.concatenate(([True], (r[1:] != r[:-1]).any(axis=1)))
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(o)))
    return [o[s : s + n] for s, n in zip(starts.tolist(), sizes.tolist()) if n >= 2]


def line_counts(lines: Any, wanted: Any, at_least: int) -> dict[int, int]:
    """How many files hold each wanted line hash, where that is at least ``at_least``
    (a file lists each of its hashes once)."""
    if not len(lines) or not len(wanted):
        return {}
    values, counts = np.unique(lines, return_counts=True)
    keep = np.isin(values, wanted) & (counts >= at_least)
    return dict(zip(values[keep].tolist(), counts[keep].tolist()))


def prefix_groups(rows: list[tuple[str, str]]) -> dict[str, set[str]]:
    """Display paths per prefix, for prefixes used under at least two names."""
    out: dict[str, set[str]] = {}
    for prefix, display in rows:
        out.setdefault(prefix, set()).add(display)
    return {p: names for p, names in out.items() if len(names) >= 2}


def pair_buckets(pairs: Any, buckets: int, items: int) -> list[Any]:
    """Candidate pairs split by their first node into contiguous ranges of node ids."""
    if not len(pairs):
        return [EMPTY_PAIRS for _ in range(buckets)]
    which = pairs[:, 0] * buckets // max(1, items)
    return [p[0] for p in split(which.astype(np.int64), buckets, pairs)]


# -- connected components ------------------------------------------------------------


def spanning_forest(parts: list[Any]) -> Any:
    """Edges ``(node, root)`` of the components of the union of edge lists ``parts``;
    each root is its component's smallest node. A forest is itself an edge list, so
    forests of disjoint edge sets merge by calling this again (a tree of merges)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY_PAIRS
    pairs = np.concatenate(parts)
    nodes, dense = np.unique(pairs, return_inverse=True)
    parent = list(range(len(nodes)))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in dense.reshape(-1, 2).tolist():
        ra, rb = find(a), find(b)
        if ra != rb:  # the smaller id wins: dense ids are in node order
            parent[max(ra, rb)] = min(ra, rb)
    roots = np.array([find(x) for x in range(len(nodes))], dtype=np.int64)
    child = roots != np.arange(len(nodes))
    return np.stack([nodes[child], nodes[roots[child]]], axis=1).astype(np.int64)


def components(forest: Any) -> dict[int, list[int]]:
    """Members (ascending, root first) of each component of a final forest."""
    out: dict[int, list[int]] = {}
    for node, root in forest.tolist():
        out.setdefault(root, [root]).append(node)
    for members in out.values():
        members.sort()
    return out
