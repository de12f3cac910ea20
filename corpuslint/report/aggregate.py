"""Everything the report shows about the corpus as a whole, computed in Python.

The page's script only pages, searches and draws one file at a time; counts,
rankings, clusters and histograms come from here, so they are the same at 50 files
and at 100,000 and are tested without a browser.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from corpuslint.report.model import ReportFile, ReportOptions, family, penalty

FAMILY_TITLES = {
    "FMT": "File format",
    "ENC": "Encoding glitches",
    "BP": "Boilerplate",
    "DUP": "Duplicates",
    "MT": "Garbled machine translation",
}
FAMILY_ORDER = ("FMT", "ENC", "BP", "DUP", "MT")
WORST_SHOWN = 25
# Codes whose findings put a file into a duplicate cluster (the data keys that
# name the original: DUP002 ``cluster``, DUP001 ``duplicate_of``).
CLUSTER_CODES = ("DUP001", "DUP002")


@dataclass
class CodeRow:
    code: str
    name: str
    severity: str
    family: str
    findings: int = 0
    files: int = 0
    fixable: int = 0


@dataclass
class FamilyRow:
    family: str
    title: str
    findings: int = 0
    files: int = 0


@dataclass
class Bin:
    """A histogram bin: values ``v`` with lo <(=) v <(=) hi, as ``closed`` says."""

    lo: float
    hi: float  # math.inf for an open-ended last bin
    closed: str  # "co" [lo, hi), "oc" (lo, hi], "cc" [lo, hi]
    label: str
    count: int = 0

    def holds(self, v: float) -> bool:
        above = v >= self.lo if self.closed[0] == "c" else v > self.lo
        below = v < self.hi if self.closed[1] == "o" else v <= self.hi
        return above and below


@dataclass
class Histogram:
    metric: str  # the key the page filters on: words, garble, bp
    title: str
    unit: str  # what the x axis counts
    bins: list[Bin]
    values: int  # how many files have a value
    note: str = ""
    marker: float | None = None  # a threshold drawn on the chart
    marker_label: str = ""
    median: float | None = None


@dataclass
class ClusterMember:
    index: int | None  # the file's index in the report (None: not checked in this run)
    path: str
    duplicate_of: str
    jaccard: float | None
    code: str


@dataclass
class Cluster:
    root: str  # the original (first by path) every member was matched against
    root_index: int | None
    size: int
    members: list[ClusterMember] = field(default_factory=list)


@dataclass
class Aggregate:
    files: list[ReportFile]
    penalties: list[float]
    n_findings: int
    n_files_with_findings: int
    total_words: int
    severities: dict[str, int]
    families: list[FamilyRow]
    codes: list[CodeRow]
    quiet_rules: list[str]  # codes of rules that ran and found nothing
    worst: list[int]
    clusters: list[Cluster]
    duplicate_files: int
    histograms: list[Histogram]


def aggregate(files: list[ReportFile], options: ReportOptions) -> Aggregate:
    penalties = [penalty(f.diagnostics) for f in files]
    code_rows: dict[str, CodeRow] = {}
    fam_rows: dict[str, FamilyRow] = {}
    severities: Counter[str] = Counter()
    n_findings = with_findings = 0
    for f in files:
        if not f.diagnostics:
            continue
        with_findings += 1
        seen_codes: set[str] = set()
        seen_fams: set[str] = set()
        for d in f.diagnostics:
            n_findings += 1
            severities[d.severity.value] += 1
            row = code_rows.get(d.code)
            if row is None:
                row = code_rows[d.code] = CodeRow(d.code, d.name, d.severity.value, family(d.code))
            row.findings += 1
            if d.fixable:
                row.fixable += 1
            if d.code not in seen_codes:
                seen_codes.add(d.code)
                row.files += 1
            fam = row.family
            frow = fam_rows.get(fam)
            if frow is None:
                frow = fam_rows[fam] = FamilyRow(fam, FAMILY_TITLES.get(fam, fam))
            frow.findings += 1
            if fam not in seen_fams:
                seen_fams.add(fam)
                frow.files += 1
    for fam in {family(c) for c in options.rules} - fam_rows.keys():
        fam_rows[fam] = FamilyRow(fam, FAMILY_TITLES.get(fam, fam))
    clusters = duplicate_clusters(files)
    return Aggregate(
        files=files,
        penalties=penalties,
        n_findings=n_findings,
        n_files_with_findings=with_findings,
        total_words=sum(f.words for f in files),
        severities=dict(severities),
        families=sorted(fam_rows.values(), key=lambda r: family_rank(r.family)),
        codes=sorted(code_rows.values(), key=lambda r: (family_rank(r.family), r.code)),
        quiet_rules=sorted(set(options.rules) - code_rows.keys()),
        worst=worst_files(penalties, files, WORST_SHOWN),
        clusters=clusters,
        duplicate_files=sum(len(c.members) for c in clusters),
        histograms=histograms(files, options),
    )


def family_rank(fam: str) -> tuple[int, str]:
    return (FAMILY_ORDER.index(fam) if fam in FAMILY_ORDER else len(FAMILY_ORDER), fam)


def worst_files(penalties: list[float], files: list[ReportFile], k: int) -> list[int]:
    """Indices of the ``k`` files with the highest penalty (ties: more findings, path)."""
    candidates = (i for i, p in enumerate(penalties) if p > 0)
    return heapq.nsmallest(
        k, candidates, key=lambda i: (-penalties[i], -len(files[i].diagnostics), files[i].path)
    )


def duplicate_clusters(files: list[ReportFile]) -> list[Cluster]:
    """Clusters of duplicates from the DUP findings' data, largest first.

    A DUP002 finding names its cluster's original (``cluster``), the file it was
    matched to (``duplicate_of``) and their Jaccard; a DUP001 finding names the
    original of its exact-copy group (``duplicate_of``; Jaccard 1). The original
    itself has no finding: it is the cluster's root.
    """
    index = {f.path: i for i, f in enumerate(files)}
    by_root: dict[str, Cluster] = {}
    for i, f in enumerate(files):
        for d in f.diagnostics:
            if d.code not in CLUSTER_CODES:
                continue
            data = d.data or {}
            root = data.get("cluster") or data.get("original") or data.get("duplicate_of")
            if not isinstance(root, str):
                continue
            cluster = by_root.get(root)
            if cluster is None:
                cluster = by_root[root] = Cluster(root, index.get(root), 0)
            if any(m.index == i for m in cluster.members):
                continue  # both DUP001 and DUP002 for one file: keep the first
            jaccard = data.get("jaccard", 1.0 if d.code == "DUP001" else None)
            cluster.members.append(
                ClusterMember(
                    i,
                    f.path,
                    str(data.get("duplicate_of") or root),
                    None if jaccard is None else round(float(jaccard), 3),
                    d.code,
                )
            )
            size = data.get("cluster_size") or data.get("group_size") or 0
            cluster.size = max(cluster.size, int(size))
    out = list(by_root.values())
    for c in out:
        c.size = max(c.size, len(c.members) + 1)
        c.members.sort(key=lambda m: (-(m.jaccard or 0.0), m.path))
    out.sort(key=lambda c: (-c.size, c.root))
    return out


# -- histograms ------------------------------------------------------------------

_NICE_STEPS = (1, 2, 2.5, 5, 10)


def nice_step(span: float, bins: int) -> float:
    """A round bin width (1, 2, 2.5 or 5 times a power of ten) giving about ``bins`` bins."""
    if span <= 0:
        return 1.0
    raw = span / bins
    power = 10 ** math.floor(math.log10(raw))
    for s in _NICE_STEPS:
        if s * power >= raw:
            return s * power
    return 10 * power


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if v == int(v) else f"{v:g}"


def length_bins(values: list[int], target_bins: int = 20) -> list[Bin]:
    """Bins of equal, round width up to the 99th percentile, then one open-ended bin."""
    if not values:
        return []
    ordered = sorted(values)
    top = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    step = max(1.0, nice_step(top, target_bins))
    n = max(1, min(target_bins, math.ceil((top + 1) / step)))
    bins = [
        Bin(k * step, (k + 1) * step, "co", f"{_fmt(k * step)}–{_fmt((k + 1) * step)}")
        for k in range(n)
    ]
    if ordered[-1] >= n * step:
        bins.append(Bin(n * step, math.inf, "co", f"≥ {_fmt(n * step)}"))
    return bins


def unit_bins(width: float, *, zero_bin: bool) -> list[Bin]:
    """Bins over [0, 1]: optionally a bin for exactly 0, then bins of ``width``."""
    n = round(1 / width)
    bins = [Bin(0.0, 0.0, "cc", "0")] if zero_bin else []
    for k in range(n):
        lo, hi = round(k * width, 6), round((k + 1) * width, 6)
        closed = "oc" if zero_bin else "cc" if k == n - 1 else "co"
        bins.append(Bin(lo, hi, closed, f"{lo:g}–{hi:g}"))
    return bins


def fill(bins: list[Bin], values: list[float]) -> None:
    """Count ``values`` into ``bins`` (sorted, not overlapping; a value in no bin is
    not counted). A binary search on the lower edges, then the edge cases."""
    los = [b.lo for b in bins]
    for v in values:
        k = bisect_right(los, v) - 1
        for j in (k, k - 1, k - 2):
            if 0 <= j < len(bins) and bins[j].holds(v):
                bins[j].count += 1
                break


def _median(values: list[float]) -> float | None:
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def histograms(files: list[ReportFile], options: ReportOptions) -> list[Histogram]:
    words = [f.words for f in files]
    h_words = Histogram(
        "words",
        "Document length",
        "words",
        length_bins(words),
        len(words),
        median=_median(words),
    )
    fill(h_words.bins, words)

    garble = [g for g in (f.garble for f in files) if g is not None]
    h_garble = Histogram(
        "garble",
        "Garble score (machine translation)",
        "document garble score",
        unit_bins(0.05, zero_bin=False) if garble else [],
        len(garble),
        marker=options.garble_threshold if garble else None,
        marker_label="MT001 threshold",
        median=_median(garble),
    )
    if not options.mt_measured:
        h_garble.note = "No MT rule was selected, so no garble scores were computed."
    elif not garble:
        h_garble.note = "No document could be scored."
    fill(h_garble.bins, garble)

    shares = [f.boilerplate_share for f in files]
    h_bp = Histogram(
        "bp",
        "Boilerplate share",
        "share of non-empty lines with a BP finding",
        unit_bins(0.1, zero_bin=True) if files else [],
        len(shares),
        median=_median(shares),
    )
    if files and not any(c.startswith("BP") for c in options.rules):
        h_bp.note = "No BP rule was selected: every share is 0."
    fill(h_bp.bins, shares)
    return [h_words, h_garble, h_bp]


def by_family(codes: list[CodeRow]) -> dict[str, list[CodeRow]]:
    out: dict[str, list[CodeRow]] = defaultdict(list)
    for row in codes:
        out[row.family].append(row)
    return out
