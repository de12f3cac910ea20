"""The Ray engine's shuffle pieces (``corpuslint.ray_engine.stages``), without Ray.

Each stage must give, partition by partition, what the local engine computes over
the whole corpus at once; these tests compare the two on random data.
"""

from __future__ import annotations

import collections
import itertools
import os
import random
import subprocess
import sys

import numpy as np
import pytest
from corpuslint.rules.dup.bands import FILE_MASK
from corpuslint.rules.dup.graph import WINDOW, bucket_pairs

from corpuslint.ray_engine import stages

SEEDS = [1, 2, 3, 4]


def _band_entries(rng: random.Random, nodes: int, bands: int, template: int):
    """Band keys (masked, as the index stores them) of ``nodes`` nodes in node order;
    the first ``template`` nodes share every key (a bucket wider than the window)."""
    keys, owners = [], []
    shared = [rng.getrandbits(63) for _ in range(bands)]
    pool = [rng.getrandbits(63) for _ in range(nodes // 3)]
    for node in range(nodes):
        for band in range(bands):
            if node < template:
                key = shared[band]
            elif rng.random() < 0.2:
                key = rng.choice(pool)  # shared with some other nodes
            else:
                key = rng.getrandbits(63)
            keys.append(key & ~FILE_MASK)
            owners.append(node)
    return np.array(keys, dtype=np.int64), np.array(owners, dtype=np.int64)


def _rows(pairs) -> set[tuple[int, int]]:
    return set(map(tuple, np.asarray(pairs).reshape(-1, 2).tolist()))


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("partitions", [1, 3, 8])
def test_partitioned_buckets_give_the_candidate_pairs_of_the_whole(seed, partitions):
    rng = random.Random(seed)
    keys, owners = _band_entries(rng, 400, 6, template=WINDOW + 30)
    whole = _rows(bucket_pairs(np, keys, owners))
    which = stages.partition_of(keys, partitions)
    got: set[tuple[int, int]] = set()
    for k, o in stages.split(which, partitions, keys, owners):
        got |= _rows(bucket_pairs(np, k, o))
    assert got == whole
    # the window applied: template members far apart in node order are no candidates
    assert (0, WINDOW + 20) not in whole and (0, 1) in whole


@pytest.mark.parametrize("seed", SEEDS)
def test_split_keeps_every_row_once_in_order(seed):
    rng = np.random.default_rng(seed)
    which = rng.integers(0, 5, 200)
    values = np.arange(200)
    parts = stages.split(which, 5, values)
    assert sorted(np.concatenate([p[0] for p in parts]).tolist()) == list(range(200))
    for p, (got,) in enumerate(parts):
        assert (which[got] == p).all()
        assert (np.diff(got) > 0).all()  # order kept within a partition


def _components_by_search(edges: list[tuple[int, int]]) -> set[frozenset[int]]:
    adjacent: dict[int, set[int]] = collections.defaultdict(set)
    for a, b in edges:
        adjacent[a].add(b)
        adjacent[b].add(a)
    seen: set[int] = set()
    out = set()
    for start in adjacent:
        if start in seen:
            continue
        stack, group = [start], set()
        while stack:
            x = stack.pop()
            if x not in group:
                group.add(x)
                stack.extend(adjacent[x] - group)
        seen |= group
        out.add(frozenset(group))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_a_tree_of_forest_merges_finds_the_connected_components(seed):
    rng = random.Random(seed)
    edges = [(rng.randrange(300), rng.randrange(300)) for _ in range(250)]
    edges = [(min(a, b), max(a, b)) for a, b in edges if a != b]
    expected = _components_by_search(edges)
    chunks = [np.array(edges[i : i + 17], dtype=np.int64).reshape(-1, 2) for i in range(0, 250, 17)]
    level = [stages.spanning_forest([c]) for c in chunks]
    while len(level) > 1:
        level = [stages.spanning_forest(level[i : i + 3]) for i in range(0, len(level), 3)]
    clusters = stages.components(level[0])
    assert {frozenset(m) for m in clusters.values()} == expected
    for root, members in clusters.items():
        assert root == members[0] == min(members)
        assert members == sorted(members)


def test_forest_of_nothing_is_empty():
    assert stages.spanning_forest([]).shape == (0, 2)
    assert stages.components(stages.spanning_forest([stages.EMPTY_PAIRS])) == {}


@pytest.mark.parametrize("seed", SEEDS)
def test_groups_of_equal_hashes(seed):
    rng = random.Random(seed)
    hashes = [
        rng.choice([b"a" * 16, b"b" * 16, bytes(16)]) if rng.random() < 0.3 else rng.randbytes(16)
        for _ in range(120)
    ]
    owners = np.array(rng.sample(range(1000), 120), dtype=np.int64)
    got = stages.groups_of(stages.hashes_to_rows(hashes), owners)
    expected = collections.defaultdict(list)
    for h, o in zip(hashes, owners.tolist()):
        expected[h].append(o)
    want = sorted(sorted(v) for v in expected.values() if len(v) >= 2)
    assert sorted(g.tolist() for g in got) == want


def test_line_counts_count_files_for_wanted_lines_only():
    lines = np.array([5, 7, 5, 9, 5, 7], dtype=np.int64)  # each file lists a hash once
    wanted = np.array([5, 7, 11], dtype=np.int64)
    assert stages.line_counts(lines, wanted, 1) == {5: 3, 7: 2}
    assert stages.line_counts(lines, wanted, 3) == {5: 3}
    assert stages.line_counts(lines, np.zeros(0, dtype=np.int64), 1) == {}


def test_prefix_groups_need_two_names():
    rows = [("001", "a.txt"), ("001", "a.txt"), ("002", "b.txt"), ("002", "c.txt")]
    assert stages.prefix_groups(rows) == {"002": {"b.txt", "c.txt"}}


@pytest.mark.parametrize("buckets", [1, 4, 7])
def test_pair_buckets_by_first_node(buckets):
    rng = np.random.default_rng(buckets)
    a = rng.integers(0, 500, 300)
    pairs = np.unique(np.stack([a, a + rng.integers(1, 50, 300)], axis=1), axis=0)
    parts = stages.pair_buckets(pairs, buckets, 550)
    assert len(parts) == buckets
    assert _rows(np.concatenate(parts)) == _rows(pairs)
    firsts = [p[:, 0] for p in parts if len(p)]
    assert all(x.max() < y.min() for x, y in itertools.pairwise(firsts))  # ranges of nodes


@pytest.mark.parametrize("hash_seed", ["1", "2"])
def test_text_partition_is_the_same_in_every_process(hash_seed):
    # Python's hash() of a str differs between processes; the shuffle must not use it
    code = "from corpuslint.ray_engine.stages import partition_of_text as p; print(p('004', 997))"
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == str(stages.partition_of_text("004", 997))
