"""Pre-commit speed: one new file checked against a large indexed corpus.

With the corpus indexed (``corpuslint index build``, run here unless ``--no-build``),
writes new files next to the corpus, each a near-duplicate of a random original
(a few words replaced), and times the real CLI on each, as a pre-commit hook runs
it: ``corpuslint check NEW --select DUP`` (wall clock, process start to exit).
Each check must find the original as ``duplicate_of``.

    python benchmarks/dup_generate.py --docs 100000 --out benchmarks/data/dup-100k
    python benchmarks/dup_incremental.py benchmarks/data/dup-100k --files 10
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cli() -> str:
    return shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="a directory made by dup_generate.py")
    ap.add_argument("--files", type=int, default=10, help="new files to check, one by one")
    ap.add_argument("--edits", type=int, default=6, help="words replaced in each new file")
    ap.add_argument("--no-build", action="store_true", help="use the index as it is")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--out", type=Path, default=HERE / "out" / "dup_incremental.json")
    args = ap.parse_args()
    data = args.data.resolve()
    (data / "corpuslint.toml").write_text('corpus = ["docs"]\n')
    if not args.no_build:
        start = time.perf_counter()
        subprocess.run([cli(), "index", "build", "--select", "DUP", "-q"], cwd=data, check=True)
        print(f"index build: {time.perf_counter() - start:.1f} s")
    manifest = [json.loads(line) for line in (data / "manifest.jsonl").open()]
    originals = [m["path"] for m in manifest if m["kind"] == "original"]
    rng = random.Random(args.seed)
    new_dir = data / "docs" / "zz-new"
    new_dir.mkdir(exist_ok=True)
    times, found = [], 0
    try:
        for n in range(args.files):
            source = rng.choice(originals)
            words = (data / source).read_text(encoding="utf-8").split(" ")
            for i in rng.sample(range(len(words)), min(args.edits, len(words))):
                words[i] = "replaced"
            new = new_dir / f"new_{n:03d}.txt"
            new.write_text(" ".join(words), encoding="utf-8")
            rel = new.relative_to(data).as_posix()
            start = time.perf_counter()
            proc = subprocess.run(
                [cli(), "check", rel, "--select", "DUP", "--output-format", "json", "-q"],
                cwd=data,
                capture_output=True,
                text=True,
            )
            times.append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                raise SystemExit(proc.stderr)
            hits = [d["data"].get("duplicate_of") for d in json.loads(proc.stdout)]
            found += source in hits
            print(f"{rel}: {times[-1]:.3f} s, duplicate_of {hits}")
    finally:
        shutil.rmtree(new_dir, ignore_errors=True)
        subprocess.run(
            [cli(), "index", "update", "--select", "DUP", "-q"], cwd=data, capture_output=True
        )
    result = {
        "indexed_files": sum(1 for _ in (data / "docs").rglob("*.txt")),
        "checks": len(times),
        "found_original": found,
        "median_seconds": statistics.median(times),
        "max_seconds": max(times),
        "seconds": times,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(
        f"{result['indexed_files']} indexed files: one-file check median "
        f"{result['median_seconds']:.3f} s, max {result['max_seconds']:.3f} s; "
        f"found the original {found} of {len(times)} times"
    )


if __name__ == "__main__":
    main()
