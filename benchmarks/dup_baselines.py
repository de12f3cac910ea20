"""Baselines for the DUP speed benchmark: plain datasketch and plain rensa scripts.

Each does what a data engineer would write with that library: read every ``*.txt``
file below a directory, fold case, split into words, build word 5-gram shingles,
compute MinHash signatures (128 permutations) and find near-duplicate pairs at a
Jaccard threshold with the library's LSH. They print one JSON line: the number of
documents and of reported pairs. Run by ``dup_speed.py`` in the same process tree
as corpuslint, on the same files.

    python benchmarks/dup_baselines.py datasketch DIR [--threshold 0.8]
    python benchmarks/dup_baselines.py rensa DIR [--threshold 0.8]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import unicodedata

WORD = re.compile(r"\w+")
NUM_PERM = 128
NGRAM = 5


def files(directory: str) -> list[str]:
    out = []
    for dirpath, _dirs, names in os.walk(directory):
        out.extend(os.path.join(dirpath, n) for n in names if n.endswith(".txt"))
    out.sort()
    return out


def shingles(path: str) -> list[str]:
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = unicodedata.normalize("NFC", fh.read()).casefold()
    words = WORD.findall(text)
    if len(words) < NGRAM:
        return [" ".join(words)] if words else []
    return list({" ".join(words[i : i + NGRAM]) for i in range(len(words) - NGRAM + 1)})


def run_datasketch(paths: list[str], threshold: float) -> int:
    from datasketch import MinHash, MinHashLSH

    sets = [[s.encode("utf-8") for s in shingles(p)] for p in paths]
    sigs = MinHash.bulk(sets, num_perm=NUM_PERM)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, m in enumerate(sigs):
            session.insert(i, m)
    pairs = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return len(pairs)


def run_rensa(paths: list[str], threshold: float) -> int:
    from rensa import RMinHash, RMinHashLSH

    sigs = []
    for p in paths:
        m = RMinHash(num_perm=NUM_PERM, seed=42)
        m.update(shingles(p))
        sigs.append(m)
    # rensa asks for the band count; 32 bands x 4 rows put the S-curve's knee near 0.8,
    # 64 x 2 near 0.5 (the same choice datasketch's optimiser makes for these thresholds)
    bands = 32 if threshold >= 0.7 else 64
    lsh = RMinHashLSH(threshold=threshold, num_perm=NUM_PERM, num_bands=bands)
    for i, m in enumerate(sigs):
        lsh.insert(i, m)
    pairs = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return len(pairs)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("library", choices=("datasketch", "rensa"))
    ap.add_argument("directory")
    ap.add_argument("--threshold", type=float, default=0.8)
    args = ap.parse_args()
    paths = files(args.directory)
    run = run_datasketch if args.library == "datasketch" else run_rensa
    pairs = run(paths, args.threshold)
    print(json.dumps({"library": args.library, "documents": len(paths), "pairs": pairs}))


if __name__ == "__main__":
    main()
