"""Which files a Ray run reads, in which order, in which shards.

The local engine reads the run's *targets* (the files named) and keeps an index of
the *corpus* (the configured roots); corpus rules compare targets with the indexed
files. The Ray engine keeps no index: every run reads the targets and every other
corpus file (their summaries are what the corpus stages group). Items are numbered
targets first (in the run's order), then the other corpus files by root-relative
path; that number is a file's node id in the DUP stages, so LSH buckets list their
members in the order the local engine does. Shards are contiguous ranges of items.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from corpuslint.corpus import Corpus
from corpuslint.files import FileEntry
from corpuslint.runner import Job, Source

# Files per shard: at least MIN, at most MAX, about SHARDS_PER_CPU shards per CPU.
MIN_SHARD = 50
MAX_SHARD = 20_000
SHARDS_PER_CPU = 4


@dataclass(frozen=True)
class Item:
    """One file of the run."""

    source: Source
    target: bool  # named by the run (findings are reported for targets only)
    in_corpus: bool  # one of the files the local engine's index would hold
    # A corpus file with the root-relative path of a target read from stdin: the local
    # index has it, but the DUP rules see the target in its place.
    shadowed: bool = False
    corpus_display: str = ""  # how the index names it (FMT002 lists these names)

    @property
    def display(self) -> str:
        return self.source.entry.display

    @property
    def relpath(self) -> str:
        return self.source.entry.relpath


@dataclass
class Plan:
    items: list[Item]
    targets: int  # items[:targets] are the targets
    shards: list[tuple[int, int]]  # [start, end) of each shard

    def shard_of(self, index: int) -> int:
        lo, hi = 0, len(self.shards) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.shards[mid][0] <= index:
                lo = mid
            else:
                hi = mid - 1
        return lo


def shard_ranges(count: int, cpus: int) -> list[tuple[int, int]]:
    if count == 0:
        return []
    size = math.ceil(count / max(1, cpus * SHARDS_PER_CPU))
    size = max(MIN_SHARD, min(MAX_SHARD, size))
    return [(start, min(count, start + size)) for start in range(0, count, size)]


def build_plan(job: Job, sources: list[Source], cpus: int) -> Plan:
    """Targets (``sources``) and, when corpus rules run, the rest of the corpus."""
    items: list[Item] = []
    corpus = Corpus(job.settings, job.corpus_rules) if job.corpus_rules else None
    listing = corpus.list_all().files if corpus is not None else {}
    target_relpaths: set[str] = set()
    corpus_targets: set[str] = set()
    for source in sources:
        entry = source.entry
        target_relpaths.add(entry.relpath)
        in_corpus = (
            corpus is not None
            and source.stdin is None
            and (entry.relpath in listing or corpus._in_corpus(entry))
        )
        if in_corpus:
            corpus_targets.add(entry.relpath)
        shown = corpus.display(entry.relpath) if corpus is not None else entry.display
        items.append(Item(source, True, in_corpus, corpus_display=shown))
    targets = len(items)
    if corpus is not None:
        for relpath in sorted(r for r in listing if r not in corpus_targets):
            shown = corpus.display(relpath)
            entry = FileEntry(shown, listing[relpath], relpath)
            shadowed = relpath in target_relpaths
            items.append(Item(Source(entry), False, True, shadowed, shown))
    return Plan(items, targets, shard_ranges(len(items), cpus))
