"""Speed and memory of near-duplicate detection: corpuslint vs datasketch vs rensa.

Runs, one after the other in this process tree and on the same files:

* ``corpuslint check DOCS --select DUP --no-cache --isolated`` through the real CLI,
  cold (the index is deleted before each run, so every signature is computed and the
  whole index is written);
* ``dup_baselines.py datasketch DOCS`` (``MinHash.bulk`` + ``MinHashLSH``);
* ``dup_baselines.py rensa DOCS`` (``RMinHash`` + ``RMinHashLSH``).

After an untimed warm-up (bytecode caches, page cache), each is timed end to end
(wall clock, process start to exit) and its peak memory is
the largest sum of RSS over the whole process tree (workers included), sampled
every 20 ms from /proc. Runs are interleaved (``--repeat``) and the median is
reported, with ratios, because the machine is shared and noisy. CPU time (user +
system, of the whole tree) is reported too: it does not depend on how busy the
machine is, wall time does.

    python benchmarks/dup_generate.py --docs 20000 --out benchmarks/data/dup-20k
    python benchmarks/dup_speed.py benchmarks/data/dup-20k --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _children(pid: int) -> list[int]:
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                out.extend(int(x) for x in fh.read().split())
    except OSError:
        pass
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(root: int) -> int:
    total, stack, seen = 0, [root], set()
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _rss(pid)
        stack.extend(_children(pid))
    return total


# Python's bytecode caches on, as after a normal install (some sandboxes set
# PYTHONDONTWRITEBYTECODE, which makes every start recompile the source tree).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(cmd: list[str], cwd: Path) -> dict:
    """Wall time, exit code, peak process-tree RSS and stdout of one command."""
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "seconds": wall,
        "cpu_seconds": cpu,
        "peak_rss_mb": peak / 2**20,
        "rc": proc.returncode,
        "stdout": out.decode("utf-8", "replace"),
        "stderr": err.decode("utf-8", "replace")[-2000:],
    }


def corpuslint_cmd(docs: str, threshold: float, out_json: Path) -> list[str]:
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    cmd = [exe, "check", docs, "--select", "DUP", "--no-cache", "--isolated", "-q"]
    cmd += ["--output-format", "json", "-o", str(out_json)]
    return cmd


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="a directory made by dup_generate.py")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--tools", default="corpuslint,datasketch,rensa")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "dup_speed.json")
    args = ap.parse_args()
    data = args.data.resolve()
    args.out = args.out.resolve()
    docs = "docs"
    n_docs = sum(1 for _ in (data / docs).rglob("*.txt"))
    tools = args.tools.split(",")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    findings_file = args.out.parent / "dup_speed_findings.json"
    runs: dict[str, list[dict]] = {t: [] for t in tools}
    # untimed warm-up: bytecode caches written, files in the page cache
    first = next((data / docs).rglob("*.txt")).relative_to(data).as_posix()
    subprocess.run(
        corpuslint_cmd(first, 0.8, findings_file), cwd=data, env=ENV, capture_output=True
    )
    shutil.rmtree(data / ".corpuslint", ignore_errors=True)
    for rep in range(args.repeat):
        for tool in tools:
            if tool == "corpuslint":
                shutil.rmtree(data / ".corpuslint", ignore_errors=True)
                cmd = corpuslint_cmd(docs, 0.8, findings_file)
            else:
                cmd = [sys.executable, str(HERE / "dup_baselines.py"), tool, docs]
            r = measure(cmd, data)
            if tool == "corpuslint":
                if r["rc"] not in (0, 1):
                    raise SystemExit(f"corpuslint failed: {r['stderr']}")
                found = json.loads(findings_file.read_text())
                r["findings"] = {
                    code: sum(1 for d in found if d["code"] == code)
                    for code in sorted({d["code"] for d in found})
                }
            else:
                if r["rc"] != 0:
                    raise SystemExit(f"{tool} failed: {r['stderr']}")
                r["result"] = json.loads(r["stdout"].strip().splitlines()[-1])
            r.pop("stdout")
            runs[tool].append(r)
            print(
                f"[{rep + 1}/{args.repeat}] {tool:<10} {r['seconds']:7.2f} s  "
                f"cpu {r['cpu_seconds']:7.2f} s  peak {r['peak_rss_mb']:7.1f} MB",
                flush=True,
            )
    summary = {
        t: {
            "median_seconds": statistics.median(r["seconds"] for r in rs),
            "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in rs),
            "max_peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
        }
        for t, rs in runs.items()
    }
    print(f"\n{n_docs} documents, median of {args.repeat} interleaved runs:")
    print(f"{'tool':<12}{'seconds':>10}{'cpu s':>10}{'peak MB':>10}")
    for t, s in summary.items():
        print(
            f"{t:<12}{s['median_seconds']:>10.2f}{s['median_cpu_seconds']:>10.2f}"
            f"{s['max_peak_rss_mb']:>10.1f}"
        )
    if "corpuslint" in summary:
        base = summary["corpuslint"]["median_seconds"]
        for t in tools:
            if t != "corpuslint":
                ratio = summary[t]["median_seconds"] / base
                cpu = summary[t]["median_cpu_seconds"] / summary["corpuslint"]["median_cpu_seconds"]
                print(
                    f"corpuslint is {ratio:.2f}x faster than {t} (wall); uses {cpu:.2f}x less CPU"
                )
                summary[t]["corpuslint_speedup"] = ratio
                summary[t]["corpuslint_cpu_ratio"] = cpu
    args.out.write_text(
        json.dumps({"documents": n_docs, "summary": summary, "runs": runs}, indent=2)
    )
    print(f"details: {args.out}")


if __name__ == "__main__":
    main()
