"""Speed and memory of near-duplicate detection: corpuslint vs datasketch vs rensa.

Runs, in this process tree and on the same files:

* ``corpuslint check docs --select DUP --no-cache --isolated`` through the real CLI,
  cold (the index is deleted before each run, so every signature is computed and the
  whole index is written);
* ``dup_baselines.py datasketch docs`` (``MinHash.bulk`` + ``MinHashLSH``);
* ``dup_baselines.py rensa docs`` (``RMinHash`` + ``RMinHashLSH``).

After an untimed warm-up (bytecode caches, page cache), each is timed end to end
(wall clock, process start to exit), with its CPU time (user + system of the whole
process tree) and peak memory (the largest sum of RSS over the process tree, workers
included, sampled every 20 ms from /proc). The tools take turns (``--repeat``
rounds, the order rotated each round), and the figures are medians. Speed-ups are
the median of each round's ratio (the tools of one round ran seconds apart, so a
busy spell of the shared machine hits them alike) and are printed next to the
targets of issue 4. CPU utilisation is CPU time / wall time (2.0 = two cores busy
all along). The load average is recorded before and after every run: wall times
taken while other jobs ran (load above the core count) understate whatever uses
several cores.

corpuslint's JSON findings are compared byte for byte with a reference output
(``--reference``; by default ``benchmarks/out/dup_reference/<data dir>.json`` when it
exists): a faster version must find exactly the same thing. ``--save-reference``
writes it first from a trusted version: the one given by ``--before-rev REV`` (another
commit of corpuslint, unpacked and built under ``benchmarks/out/before-REV``, imported
from there and timed alongside for before/after figures) when given. The benchmark
stops unless corpuslint's C kernels are built (``--allow-numpy`` to time the numpy
fallback).

    python benchmarks/dup_generate.py --docs 20000 --out benchmarks/data/dup-20k
    python benchmarks/dup_speed.py benchmarks/data/dup-20k --before-rev 5219988 --save-reference
    python benchmarks/dup_speed.py benchmarks/data/dup-20k --repeat 5
"""

from __future__ import annotations

import argparse
import io
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


def measure(cmd: list[str], cwd: Path, env: dict | None = None) -> dict:
    """Wall time, exit code, peak process-tree RSS and stdout of one command."""
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or ENV
    )
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


def corpuslint_cmd(docs: str, out_json: Path) -> list[str]:
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    cmd = [exe, "check", docs, "--select", "DUP", "--no-cache", "--isolated", "-q"]
    cmd += ["--output-format", "json", "-o", str(out_json)]
    return cmd


TARGETS = {"datasketch": 5.0, "rensa": 2.0}  # issue 4: corpuslint this many times faster
BEFORE = "corpuslint-before"  # --before: another corpuslint source tree, for before/after


def tool_cmd(
    tool: str, docs: str, findings: Path, before: Path | None, nice: int
) -> tuple[list[str], dict]:
    """The command (and environment) that runs ``tool`` on ``docs``."""
    env = ENV
    if tool == "corpuslint":
        cmd = corpuslint_cmd(docs, findings)
    elif tool == BEFORE:
        assert before is not None
        cmd = [sys.executable, "-m", "corpuslint", *corpuslint_cmd(docs, findings)[1:]]
        env = {**ENV, "PYTHONPATH": str(before)}
    else:
        cmd = [sys.executable, str(HERE / "dup_baselines.py"), tool, docs]
    if nice:
        cmd = ["nice", "-n", str(nice), *cmd]
    return cmd, env


def build_before(rev: str) -> Path:
    """Another commit of corpuslint, importable from the returned directory: its
    ``corpuslint`` package with ``rules`` inside (as installed) and its C module built."""
    import sysconfig
    import tarfile

    root = HERE / "out" / f"before-{rev}"
    module = (
        root / "corpuslint" / "rules" / "dup" / f"_minhash{sysconfig.get_config_var('EXT_SUFFIX')}"
    )
    if module.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    src = root / "src"
    src.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "archive", rev], cwd=HERE.parent, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(src)  # our own repository's archive
    shutil.copytree(src / "corpuslint", root / "corpuslint")
    shutil.copytree(src / "rules", root / "corpuslint" / "rules")
    source = root / "corpuslint" / "rules" / "dup" / "_minhash.c"
    if source.exists():
        cc = (sysconfig.get_config_var("CC") or "cc").split()
        include = sysconfig.get_paths()["include"]
        cmd = [*cc, "-O3", "-shared", "-fPIC", f"-I{include}", str(source), "-o", str(module)]
        subprocess.run(cmd, check=True)
    return root


def kernels() -> str:
    """Which signature path corpuslint takes in a fresh process: "native" or "numpy"."""
    probe = (
        "from corpuslint.rules.dup.minhash import Sketcher;"
        "print('native' if Sketcher().native is not None else 'numpy')"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=ENV)
    return out.stdout.strip() or f"error: {out.stderr.strip()[-300:]}"


def git_commit() -> str:
    out = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "corpuslint", "rules"],
        cwd=HERE,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data", type=Path, help="a directory made by dup_generate.py")
    ap.add_argument("--repeat", type=int, default=5, help="rounds (each tool once per round)")
    ap.add_argument("--tools", default="corpuslint,datasketch,rensa")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "dup_speed.json")
    ap.add_argument("--reference", type=Path, help="corpuslint's expected JSON output")
    ap.add_argument(
        "--save-reference",
        action="store_true",
        help="first write the reference: the output of the --before version when given "
        "(then every timed run of this version is compared with it), else of this one",
    )
    ap.add_argument("--allow-numpy", action="store_true", help="time without the C kernels")
    ap.add_argument(
        "--before-rev",
        metavar="REV",
        help=f"also time this commit of corpuslint as {BEFORE!r} (before/after figures)",
    )
    ap.add_argument(
        "--before",
        type=Path,
        help=f"also time the corpuslint importable from this directory (PYTHONPATH) as {BEFORE!r}",
    )
    ap.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run every tool under `nice -n N` (N < 0, as root: ahead of other jobs on a "
        "shared machine, the same for every tool)",
    )
    args = ap.parse_args()
    data = args.data.resolve()
    args.out = args.out.resolve()
    docs = "docs"
    n_docs = sum(1 for _ in (data / docs).rglob("*.txt"))
    tools = args.tools.split(",")
    if args.before_rev:
        args.before = build_before(args.before_rev)
    if args.before is not None:
        args.before = args.before.resolve()
        tools.insert(1, BEFORE)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    reference = (args.reference or HERE / "out" / "dup_reference" / f"{data.name}.json").resolve()
    findings_file = args.out.parent / f"dup_speed_findings_{data.name}.json"
    path = kernels()
    print(f"corpuslint signatures: {path} kernels; {os.cpu_count()} cores", flush=True)
    if path != "native" and not args.allow_numpy:
        raise SystemExit(
            "corpuslint's C kernels are not built (pip install -e . with a C compiler); "
            "--allow-numpy to time the numpy path"
        )
    runs: dict[str, list[dict]] = {t: [] for t in tools}
    # untimed warm-up: every file in the page cache (one corpuslint run), bytecode
    # caches written (each tool on one directory of the corpus)
    subdirs = sorted(p for p in (data / docs).iterdir() if p.is_dir())
    first_dir = subdirs[0].relative_to(data) if subdirs else Path(docs)
    trusted = BEFORE if args.before is not None else "corpuslint"
    for tool in tools:
        shutil.rmtree(data / ".corpuslint", ignore_errors=True)
        findings_file.unlink(missing_ok=True)
        is_corpuslint = tool in ("corpuslint", BEFORE)
        where = docs if is_corpuslint else str(first_dir)
        cmd, env = tool_cmd(tool, where, findings_file, args.before, 0)
        subprocess.run(cmd, cwd=data, env=env, capture_output=True)
        if args.save_reference and tool == trusted:
            if not findings_file.exists():
                raise SystemExit(f"{tool} wrote no findings: no reference saved")
            reference.parent.mkdir(parents=True, exist_ok=True)
            reference.write_bytes(findings_file.read_bytes())
            print(f"reference saved from {tool}: {reference}", flush=True)
    checked = "no reference"
    for rep in range(args.repeat):
        order = tools[rep % len(tools) :] + tools[: rep % len(tools)]
        for tool in order:
            is_corpuslint = tool in ("corpuslint", BEFORE)
            if is_corpuslint:
                shutil.rmtree(data / ".corpuslint", ignore_errors=True)
                findings_file.unlink(missing_ok=True)
            cmd, env = tool_cmd(tool, docs, findings_file, args.before, args.nice)
            load_before = os.getloadavg()[0]
            r = measure(cmd, data, env)
            r["round"] = rep
            r["load_before"] = load_before
            r["load_after"] = os.getloadavg()[0]
            r["cpu_utilisation"] = r["cpu_seconds"] / r["seconds"]
            if is_corpuslint:
                if r["rc"] not in (0, 1) or not findings_file.exists():
                    raise SystemExit(f"{tool} failed: {r['stderr']}")
                output = findings_file.read_bytes()
                if reference.exists():
                    if output != reference.read_bytes():
                        raise SystemExit(
                            f"{tool}'s findings differ from {reference} (kept in "
                            f"{findings_file}): not the same result"
                        )
                    shown = (
                        reference.relative_to(HERE.parent)
                        if reference.is_relative_to(HERE.parent)
                        else reference
                    )
                    checked = f"identical to {shown}"
                found = json.loads(output)
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
                f"cpu {r['cpu_seconds']:7.2f} s  x{r['cpu_utilisation']:.2f}  "
                f"peak {r['peak_rss_mb']:7.1f} MB  load {load_before:.1f}",
                flush=True,
            )
    summary = {
        t: {
            "median_seconds": statistics.median(r["seconds"] for r in rs),
            "min_seconds": min(r["seconds"] for r in rs),
            "median_cpu_seconds": statistics.median(r["cpu_seconds"] for r in rs),
            "median_cpu_utilisation": statistics.median(r["cpu_utilisation"] for r in rs),
            "max_peak_rss_mb": max(r["peak_rss_mb"] for r in rs),
        }
        for t, rs in runs.items()
    }
    loads = [r["load_before"] for rs in runs.values() for r in rs]
    print(f"\n{n_docs} documents, {args.repeat} rounds; corpuslint's findings: {checked}")
    print(f"load average during the runs: {min(loads):.1f} to {max(loads):.1f}")
    print(f"{'tool':<18}{'wall s':>9}{'min s':>9}{'cpu s':>9}{'cpu/wall':>10}{'peak MB':>10}")
    for t, s_ in summary.items():
        print(
            f"{t:<18}{s_['median_seconds']:>9.2f}{s_['min_seconds']:>9.2f}"
            f"{s_['median_cpu_seconds']:>9.2f}{s_['median_cpu_utilisation']:>10.2f}"
            f"{s_['max_peak_rss_mb']:>10.1f}"
        )
    for name in ("corpuslint", BEFORE):
        if name not in summary:
            continue
        mine = runs[name]
        for t in tools:
            if t in ("corpuslint", BEFORE) and (t == name or name == BEFORE):
                continue
            ratios = [o["seconds"] / c["seconds"] for o, c in zip(runs[t], mine)]
            cpu = [o["cpu_seconds"] / c["cpu_seconds"] for o, c in zip(runs[t], mine)]
            ratio, cpu_ratio = statistics.median(ratios), statistics.median(cpu)
            target = TARGETS.get(t)
            verdict = "" if target is None else f" (target {target:g}x: "
            verdict += "" if target is None else ("met)" if ratio >= target else "NOT met)")
            print(
                f"{name} is {ratio:.2f}x faster than {t} (wall, median of rounds; "
                f"{min(ratios):.2f}x to {max(ratios):.2f}x){verdict}; "
                f"uses {cpu_ratio:.2f}x less CPU"
            )
            summary[t][f"{name}_speedup"] = ratio
            summary[t][f"{name}_speedups"] = ratios
            summary[t][f"{name}_cpu_ratio"] = cpu_ratio
            if target is not None:
                summary[t]["target"] = target
    meta = {
        "documents": n_docs,
        "data": str(data),
        "cores": os.cpu_count(),
        "kernels": path,
        "commit": git_commit(),
        "findings_check": checked,
        "nice": args.nice,
        "before": str(args.before) if args.before else None,
        "load_average_range": [min(loads), max(loads)],
        "python": sys.version.split()[0],
    }
    args.out.write_text(json.dumps({**meta, "summary": summary, "runs": runs}, indent=2))
    print(f"details: {args.out}")


if __name__ == "__main__":
    main()
