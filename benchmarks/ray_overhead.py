"""What the Ray engine costs on one machine: local engine vs Ray engine, same check.

Runs ``corpuslint check`` through the real CLI on a generated corpus
(``ray_corpus.py``), alternating the engines in each round (the order rotates, so a
noisy neighbour hurts both), and checks that both print the same JSON every time.
The Ray engine runs against a head node started here (``ray_cluster.Head``, the
machine's CPUs, loopback) with ``--ray-address``, or with ``--nodes N`` against N
nodes sharing those CPUs (``ray_cluster.Nodes``: objects move between nodes);
``--ray-start`` also times runs that start their own local Ray instance
(``--ray-address local``).
Reported: median wall time per engine, the paired ratio Ray / local (median over
rounds), and the Ray engine's stage timings (``CORPUSLINT_RAY_TIMINGS``).

Ray runs its worker processes at niceness 15, so on a machine shared with other work
they get less CPU than the local engine's processes would at niceness 0; both
engines' corpuslint processes run at ``--nice`` (default 15) so that load slows both
alike (``--nice 0`` for the engines as they run by default).

Usage::

    python benchmarks/ray_overhead.py --docs 20000 --repeat 3
    python benchmarks/ray_overhead.py --docs 20000 --select DUP,BP010,FMT002 --repeat 3

Results go to ``benchmarks/out/ray_overhead-<corpus>-<select>.json``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Ray starts its worker processes with this niceness; the local engine's processes get
# the same by default, so that other work on a shared machine slows both alike.
RAY_WORKER_NICE = 15


def _module(name: str):
    spec = importlib.util.spec_from_file_location(name, HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _corpuslint() -> list[str]:
    return [sys.executable, "-m", "corpuslint"]


def run(
    root: Path, args: list[str], env: dict[str, str], nice: int = 0
) -> tuple[float, bytes, str]:
    start = time.perf_counter()
    proc = subprocess.run(
        [*_corpuslint(), "check", *args],
        cwd=root,
        capture_output=True,
        env={**os.environ, **env},
        timeout=1800,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,
    )
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"corpuslint failed ({proc.returncode}): {proc.stderr.decode()[-2000:]}")
    return wall, proc.stdout, proc.stderr.decode(errors="replace")


def stage_timings(stderr: str) -> dict[str, float]:
    for line in stderr.splitlines():
        if "ray timings" in line:
            pairs = line.split(":", 2)[-1].split()
            return {k: float(v) for k, v in (p.split("=") for p in pairs)}
    return {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--data", type=Path, help="corpus directory (default: generated)")
    parser.add_argument("--select", default="", help="rule selection (default: all default)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--nodes",
        type=int,
        default=1,
        help="Ray nodes on this machine sharing the --cpus (each its own object store)",
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=RAY_WORKER_NICE,
        help="niceness of both engines' corpuslint processes (default: Ray's for its workers)",
    )
    parser.add_argument(
        "--ray-start", action="store_true", help="also time runs that start Ray themselves"
    )
    args = parser.parse_args()

    root = args.data or HERE / "data" / f"ray-{args.docs // 1000}k-s{args.seed}"
    if not (root / "docs").is_dir():
        print(f"generating {args.docs} files in {root} ...", file=sys.stderr)
        _module("ray_corpus").generate(root, args.docs, args.seed)
    common = ["docs", "--output-format", "json", "--no-cache", "-q"]
    if args.select:
        common += ["--select", args.select]
    load_before = os.getloadavg()
    cluster = _module("ray_cluster")
    if args.nodes > 1:
        head = cluster.Nodes(nodes=args.nodes, cpus=max(1, args.cpus // args.nodes))
    else:
        head = cluster.Head(cpus=args.cpus)
    try:
        engines = {
            "local": ([], {}),
            "ray": (
                ["--engine", "ray", "--ray-address", head.address],
                {**head.env, "CORPUSLINT_RAY_TIMINGS": "1"},
            ),
        }
        if args.ray_start:
            # a fresh local instance per run (Ray's own start-up counted)
            engines["ray-start"] = (
                ["--engine", "ray", "--ray-address", "local"],
                {"CORPUSLINT_RAY_TIMINGS": "1"},
            )
        run(root, common, {}, args.nice)  # warm-up: page cache, the local engine's index
        reference = None
        times: dict[str, list[float]] = {name: [] for name in engines}
        stages: dict[str, list[dict[str, float]]] = {name: [] for name in engines}
        names = list(engines)
        for r in range(args.repeat):
            order = names[r % len(names) :] + names[: r % len(names)]
            for name in order:
                extra, env = engines[name]
                wall, out, err = run(root, common + extra, env, args.nice)
                if reference is None:
                    reference = out
                elif out != reference:
                    raise SystemExit(f"{name}: the output differs from the other engine's")
                times[name].append(wall)
                if name != "local":
                    stages[name].append(stage_timings(err))
                print(f"round {r + 1}: {name:9s} {wall:7.2f} s", file=sys.stderr)
    finally:
        head.stop()

    ratios = {
        name: statistics.median(t / loc for t, loc in zip(times[name], times["local"]))
        for name in engines
        if name != "local"
    }
    result = {
        "corpus": str(root),
        "docs": args.docs,
        "select": args.select or "default rules",
        "cpus": args.cpus,
        "ray_nodes": args.nodes,
        "repeat": args.repeat,
        "nice": args.nice,
        "findings_bytes": len(reference or b""),
        "median_wall_s": {n: round(statistics.median(t), 2) for n, t in times.items()},
        "ratio_vs_local": {n: round(v, 2) for n, v in ratios.items()},
        "ratio_per_round": {
            name: [round(t / loc, 2) for t, loc in zip(times[name], times["local"])]
            for name in engines
            if name != "local"
        },
        "ray_stages_s": {
            n: {k: round(statistics.median(s[k] for s in v), 2) for k in v[0]}
            for n, v in stages.items()
            if v and v[0]
        },
        "load_average_before": load_before,  # other work on the machine (1, 5, 15 min)
        "load_average_after": os.getloadavg(),
        "python": platform.python_version(),
        "command": " ".join(["python", "benchmarks/ray_overhead.py", *sys.argv[1:]]),
    }
    out_dir = HERE / "out"
    out_dir.mkdir(exist_ok=True)
    tag = (args.select or "default").replace(",", "+")
    nodes = f"-{args.nodes}nodes" if args.nodes > 1 else ""
    name = f"ray_overhead-{root.name}-{tag}{nodes}.json"
    (out_dir / name).write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
