"""DUP001, DUP002 and FMT002 findings from the grouped data of the corpus stages.

The decisions are the local rules' (``rules/dup/exact.py``, ``rules/dup/clusters.py``,
``rules/fmt/numbering.py``), made on groups instead of index queries:

* DUP001: in a group of equal normalised texts the first file in path order is the
  original; every other target of the group is flagged, naming the others.
* DUP002: clusters are the connected components of the verified pairs; the original
  is the member first in path order. A target names the original when its own
  Jaccard with it reaches the threshold, else its most similar verified neighbour
  (ties: path order); a target whose named file has the same normalised text is
  DUP001's finding.
* FMT002: a target whose prefix another file (display path) of the corpus uses.

Each function returns ``(order, finding)`` with ``order = (target index, 0)``: the
local engine reports a corpus rule's findings in target order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from corpuslint.model import Diagnostic
from corpuslint.ray_engine.plan import Plan

Found = list[tuple[tuple[int, int], int, Diagnostic]]  # (order, target index, finding)


def _display(plan: Plan, idx: int) -> str:
    return plan.items[idx].display


def _relpath(plan: Plan, idx: int) -> str:
    return plan.items[idx].relpath


def exact_findings(rule: Any, plan: Plan, groups: list[Any]) -> Found:
    from corpuslint.rules.dup.exact import group_message

    out: Found = []
    for group in groups:
        members: dict[str, str] = {}  # relpath -> display; targets (lower ids) first
        for idx in group.tolist():
            members.setdefault(_relpath(plan, idx), _display(plan, idx))
        if len(members) < 2:
            continue
        ordered = [members[r] for r in sorted(members)]
        original = ordered[0]
        for idx in group.tolist():
            if idx >= plan.targets:
                break
            path = _display(plan, idx)
            if path == original:
                continue
            others = [p for p in ordered if p != path]
            finding = rule.diagnostic(
                path,
                None,
                group_message(original, others),
                data={"duplicate_of": original, "others": others, "group_size": len(ordered)},
            )
            out.append(((idx, 0), idx, finding))
    return out


def originals(plan: Plan, clusters: dict[int, list[int]]) -> dict[int, int]:
    """Each cluster member's original: the member first in path order."""
    out: dict[int, int] = {}
    for members in clusters.values():
        first = min(members, key=lambda m: _relpath(plan, m))
        for m in members:
            out[m] = first
    return out


class Edges:
    """The verified pairs (i < j) and their Jaccard similarity, as sorted arrays (32
    bytes a pair: two node ids, the value and a sort code; the driver may hold
    millions)."""

    def __init__(self, pairs: Any, values: Any, items: int) -> None:
        import numpy as np

        self.np = np
        self.width = max(1, items)
        codes = pairs[:, 0] * self.width + pairs[:, 1]
        order = np.argsort(codes, kind="stable")
        self.codes = codes[order]
        self.pairs = pairs[order]
        self.values = values[order]

    def get(self, a: int, b: int) -> float | None:
        code = min(a, b) * self.width + max(a, b)
        k = int(self.np.searchsorted(self.codes, code))
        if k < len(self.codes) and int(self.codes[k]) == code:
            return float(self.values[k])
        return None

    def neighbours(self, nodes: set[int]) -> dict[int, dict[int, float]]:
        """Verified neighbours of ``nodes`` with their Jaccard similarity."""
        np = self.np
        want = np.array(sorted(nodes), dtype=np.int64)
        a, b = self.pairs[:, 0], self.pairs[:, 1]
        out: dict[int, dict[int, float]] = {n: {} for n in nodes}
        for mine, other in ((a, b), (b, a)):
            hit = np.isin(mine, want)
            for x, y, v in zip(mine[hit].tolist(), other[hit].tolist(), self.values[hit].tolist()):
                out[x][y] = v
        return out


def pairs_to_measure(
    plan: Plan, original_of: dict[int, int], edges: Edges
) -> list[tuple[int, int]]:
    """Target-original pairs whose Jaccard is not known from the verified edges."""
    out = []
    for ti, orig in original_of.items():
        if ti < plan.targets and ti != orig and edges.get(ti, orig) is None:
            out.append((min(ti, orig), max(ti, orig)))
    return sorted(out)


def near_findings(
    rule: Any,
    plan: Plan,
    clusters: dict[int, list[int]],
    edges: Edges,
    measured: dict[tuple[int, int], float],
    same_text: Callable[[int, int], bool],
) -> Found:
    threshold = rule.options.threshold
    original_of = originals(plan, clusters)
    size_of = {m: len(members) for members in clusters.values() for m in members}
    flagged = sorted(m for m in original_of if m < plan.targets and original_of[m] != m)
    jaccard: dict[int, float] = {}
    for ti in flagged:
        original = original_of[ti]
        got = edges.get(ti, original)
        jaccard[ti] = got if got is not None else measured[(min(ti, original), max(ti, original))]
    # joined to the original only through others: their closest verified neighbours
    neighbours = edges.neighbours({ti for ti in flagged if jaccard[ti] < threshold})
    out: Found = []
    for ti in flagged:
        original = original_of[ti]
        jac = jaccard[ti]
        dup = original
        if jac < threshold:
            near = neighbours[ti]
            dup = min(near, key=lambda j: (-near[j], _relpath(plan, j)))
            jac = near[dup]
        if same_text(ti, dup):
            continue  # an exact copy: DUP001's finding
        size = size_of[ti]
        node, other, orig = _display(plan, ti), _display(plan, dup), _display(plan, original)
        if dup == original:
            message = f"Near-duplicate of {orig} (Jaccard {jac:.2f}; cluster of {size} files)"
        else:
            message = (
                f"Near-duplicate of {other} (Jaccard {jac:.2f}); its cluster of "
                f"{size} files has the original {orig}"
            )
        finding = rule.diagnostic(
            node,
            None,
            message,
            data={
                "duplicate_of": other,
                "jaccard": jac,
                "cluster": orig,
                "cluster_size": size,
                "original": orig,
            },
        )
        out.append(((ti, 0), ti, finding))
    return out


def prefix_findings(
    rule: Any, plan: Plan, prefixes: dict[int, str], groups: dict[str, set[str]]
) -> Found:
    out: Found = []
    for idx in sorted(prefixes):
        names = groups.get(prefixes[idx])
        if not names:
            continue
        path = _display(plan, idx)
        others = sorted(names - {path})
        if others:
            out.append(((idx, 0), idx, rule.prefix_finding(path, prefixes[idx], others)))
    return out
