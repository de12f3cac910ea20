"""Quality of DUP002 against brute-force exact Jaccard similarity.

Takes the first N documents (default 2,000, in path order) of a corpus made by
``dup_generate.py``, computes the exact Jaccard similarity of *every* pair from
word 5-gram sets built independently of corpuslint (Python strings and sets: NFC,
case folding, ``\\w+`` words; no hashing), then runs the real CLI
(``corpuslint check --select DUP001,DUP002 --output-format json``) at each
threshold and reports:

* recall: the share of pairs at or above the threshold whose two files end up in
  one reported cluster (DUP002's ``cluster``, joined with DUP001's exact groups,
  which DUP002 leaves to DUP001);
* reported pairs below the threshold: each DUP002 finding names a pair (the file
  and ``duplicate_of``) with a ``jaccard``; the pair's true similarity must reach
  the threshold, and the reported value must equal it.

    python benchmarks/dup_recall.py benchmarks/data/dup-20k --docs 2000 --thresholds 0.8 0.5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORD = re.compile(r"\w+")
NGRAM = 5


def shingle_set(path: Path) -> set[tuple[str, ...]]:
    text = unicodedata.normalize("NFC", path.read_text(encoding="utf-8")).casefold()
    words = WORD.findall(text)
    n = min(NGRAM, len(words))
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)} if words else set()


def exact_pairs(paths: list[str], sets: list[set]) -> dict[tuple[str, str], float]:
    """Jaccard of every pair sharing at least one shingle (sparse product, exact)."""
    import numpy as np
    from scipy import sparse

    ids: dict[tuple[str, ...], int] = {}
    rows, cols = [], []
    for r, s in enumerate(sets):
        for sh in s:
            rows.append(r)
            cols.append(ids.setdefault(sh, len(ids)))
    m = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=(len(sets), len(ids))
    )
    inter = sparse.triu(m @ m.T, k=1).tocoo()
    sizes = np.array([len(s) for s in sets])
    out = {}
    for i, j, n in zip(inter.row.tolist(), inter.col.tolist(), inter.data.tolist()):
        out[(paths[i], paths[j])] = n / (sizes[i] + sizes[j] - n)
    return out


class Clusters:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def run_corpuslint(project: Path, threshold: float) -> list[dict]:
    (project / "corpuslint.toml").write_text(
        f'corpus = ["docs"]\n[rules.near-duplicate]\nthreshold = {threshold}\n'
    )
    shutil.rmtree(project / ".corpuslint", ignore_errors=True)
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    proc = subprocess.run(
        [
            exe,
            "check",
            "docs",
            "--select",
            "DUP001,DUP002",
            "--no-cache",
            "-q",
            "--output-format",
            "json",
        ],
        cwd=project,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        raise SystemExit(f"corpuslint failed: {proc.stderr}")
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="a directory made by dup_generate.py")
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.8, 0.5])
    ap.add_argument("--out", type=Path, default=HERE / "out" / "dup_recall")
    args = ap.parse_args()

    files = sorted((args.data / "docs").rglob("*.txt"))[: args.docs]
    project = args.out
    shutil.rmtree(project, ignore_errors=True)
    (project / "docs").mkdir(parents=True)
    paths = []
    for f in files:
        rel = f"docs/{f.name}"
        shutil.copyfile(f, project / rel)
        paths.append(rel)
    sets = [shingle_set(project / p) for p in paths]
    truth = exact_pairs(paths, sets)
    report = {"documents": len(paths), "thresholds": {}}
    ok = True
    for t in args.thresholds:
        want = {p for p, j in truth.items() if j >= t}
        found = run_corpuslint(project, t)
        clusters = Clusters()
        reported = []
        for d in found:
            a = d["filename"]
            if d["code"] == "DUP002":
                b = d["data"]["duplicate_of"]
                clusters.union(a, d["data"]["cluster"])
                reported.append((a, b, d["data"]["jaccard"]))
            else:
                clusters.union(a, d["data"]["duplicate_of"])
        covered = sum(1 for a, b in want if clusters.find(a) == clusters.find(b))
        below = []
        wrong_value = []
        for a, b, jac in reported:
            true = truth.get((min(a, b), max(a, b)), 0.0)
            if true < t:
                below.append((a, b, true))
            if abs(true - jac) > 1e-9:
                wrong_value.append((a, b, true, jac))
        recall = covered / len(want) if want else 1.0
        row = {
            "true_pairs": len(want),
            "covered_pairs": covered,
            "recall": recall,
            "reported_pairs": len(reported),
            "reported_below_threshold": len(below),
            "reported_with_wrong_jaccard": len(wrong_value),
            "examples_below": below[:5],
        }
        report["thresholds"][str(t)] = row
        ok &= recall >= 0.99 and not below and not wrong_value
        print(
            f"threshold {t}: {len(want)} true pairs, recall {recall:.4f} ({covered} covered); "
            f"{len(reported)} reported pairs, {len(below)} below the threshold, "
            f"{len(wrong_value)} with a Jaccard that differs from brute force"
        )
    (args.out.parent / "dup_recall.json").write_text(json.dumps(report, indent=2))
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
