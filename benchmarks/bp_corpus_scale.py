"""BP010 at scale: a corpus of many files, one site footer per site, through the CLI.

    python benchmarks/bp_corpus_scale.py --files 100000

Writes a synthetic corpus under benchmarks/data/bp_scale/ (short articles from the
shared Wikipedia sentences; 50 sites of Zipf-distributed sizes, each with its own footer
line in 90% of its files, so the larger sites pass the default 1% share and the smaller
ones do not), then times, with the real ``corpuslint`` command in one process (``--jobs 1``):

1. a full run ``check corpus/ --select BP010`` on a fresh index (summarise every file,
   build the index, check every file);
2. a pre-commit style run on one new file against that index (``check new.txt``),
   which must find the new file's site footer and only query the index for its lines;
3. the same file checked with the whole corpus, to show the answers agree.

Baseline in the same run: the same one-file command with ``--select FMT009`` (no corpus
rule), i.e. what a one-file run costs anyway (start-up, index sync of the file list).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bp_evalgen import load_sentences  # noqa: E402

SITES = 50


def build(root: Path, files: int, seed: int = 11) -> None:
    rng = random.Random(seed)
    sentences = load_sentences()
    corpus = root / "corpus"
    if corpus.exists():
        shutil.rmtree(corpus)
    corpus.mkdir(parents=True)
    footers = [
        f"Site {i} news desk, reporting from the region since {1950 + i % 60}."
        for i in range(SITES)
    ]
    weights = [1 / (k + 1) ** 0.8 for k in range(SITES)]
    for i in range(files):
        site = rng.choices(range(SITES), weights)[0]
        paras = [" ".join(rng.sample(sentences, 3)) for _ in range(rng.randint(2, 4))]
        lines = [rng.choice(sentences).rstrip("."), *paras]
        if rng.random() < 0.9:
            lines.append(footers[site])
        sub = corpus / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"{i:06d}_s{site:03d}.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    (root / "corpuslint.toml").write_text('corpus = ["corpus"]\n')
    (root / "new.txt").write_text(
        "A New Article\n\nSomething happened on Tuesday in the harbour town.\n\n"
        + footers[7]
        + "\n",
        encoding="utf-8",
    )


def run(root: Path, *args: str) -> tuple[float, list]:
    """Wall seconds and findings of one ``corpuslint check`` (CPU: see child_cpu)."""
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    t0 = time.perf_counter()
    proc = subprocess.run(
        [exe, "check", *args, "--jobs", "1", "--no-cache", "--output-format", "json"],
        cwd=root,
        capture_output=True,
    )
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr.decode())
    return wall, json.loads(proc.stdout or b"[]")


def child_cpu() -> float:
    r = os.times()
    return r.children_user + r.children_system


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=HERE / "data" / "bp_scale")
    parser.add_argument("--keep", action="store_true", help="reuse a built corpus and index")
    args = parser.parse_args(argv)
    root = args.out
    index = root / ".corpuslint"
    if not (args.keep and (root / "corpus").exists()):
        t0 = time.perf_counter()
        build(root, args.files)
        print(f"built {args.files} files in {time.perf_counter() - t0:.1f} s")
        shutil.rmtree(index, ignore_errors=True)

    c0 = child_cpu()
    wall, full = run(root, "corpus/", "--select", "BP010")
    cpu_full = child_cpu() - c0
    db = sqlite3.connect(index / "index.sqlite")
    rows = db.execute("SELECT count(*) FROM bp_lines").fetchone()[0]
    nfiles = db.execute("SELECT count(*) FROM files").fetchone()[0]
    db.close()
    size = (index / "index.sqlite").stat().st_size / 1e6
    print(f"full run, fresh index: {wall:.1f} s wall, {cpu_full:.1f} s CPU, {len(full)} findings")
    print(f"  index: {nfiles} files, {rows} line rows, {size:.0f} MB")

    timings = {}
    for label, select in (("BP010", "BP010"), ("FMT009 (baseline)", "FMT009")):
        best = None
        for _ in range(3):
            c0 = child_cpu()
            wall, found = run(root, "new.txt", "--select", select)
            cpu = child_cpu() - c0
            best = min(best or (wall, cpu), (wall, cpu))
        timings[label] = (best, found)
        print(
            f"one new file, {label}: {best[0]:.2f} s wall, {best[1]:.2f} s CPU,"
            f" {len(found)} findings"
        )
    (bp, found) = timings["BP010"]
    (base, _) = timings["FMT009 (baseline)"]
    print(f"  BP010's own cost on the one-file run: {bp[1] - base[1]:+.2f} s CPU over the baseline")
    rows = {(Path(f["filename"]).name, f["location"]["row"]) for f in found}
    print(f"  new.txt findings: {sorted(rows)} (the site footer is line 5)")
    c0 = child_cpu()
    _wall, whole = run(root, "corpus/", "new.txt", "--select", "BP010")
    agree = {(Path(f["filename"]).name, f["location"]["row"]) for f in whole} >= rows
    print(
        f"  same answer when the whole corpus is checked with it: {agree}"
        f" ({child_cpu() - c0:.1f} s CPU for that run, index already built)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
