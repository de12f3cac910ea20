"""Where Ray keeps small task results: the check behind ``MIN_PART_BYTES``.

Ray returns a task's result of up to 100 KiB straight to the caller, which keeps it
in its own process memory; larger results stay in the object store of the node that
made them. The Ray engine's shuffle parts are task results owned by the driver, so
parts under the limit would all pass through the driver's memory. This script starts
a local Ray instance, makes ``--objects`` results of each ``--sizes`` (bytes) and
reports how much the driver's resident memory grew per byte of results.

    python benchmarks/ray_inline.py                 # 120 KB, then 90 KB results
    python benchmarks/ray_inline.py --sizes 50000,200000 --objects 2000
"""

from __future__ import annotations

import argparse
import json
import os
import sys

PER_TASK = 40  # results per task (num_returns)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="120000,90000")
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--cpus", type=int, default=2)
    args = parser.parse_args()
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import numpy as np
    import ray

    ray.init(address="local", num_cpus=args.cpus, include_dashboard=False, log_to_driver=False)

    @ray.remote(num_returns=PER_TASK)
    def make(size: int):
        return tuple(np.ones(size // 8, dtype=np.int64) for _ in range(PER_TASK))

    rows = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            before = rss_mb()
            refs = [r for _ in range(args.objects // PER_TASK) for r in make.remote(size)]
            ray.wait(refs, num_returns=len(refs), fetch_local=False)
            grown = rss_mb() - before
            made = len(refs) * size / 2**20
            rows.append(
                {
                    "result_bytes": size,
                    "results": len(refs),
                    "results_mb": round(made, 1),
                    "driver_rss_growth_mb": round(grown, 1),
                    "share_in_driver": round(grown / made, 2),
                }
            )
            del refs
    finally:
        ray.shutdown()
    print(json.dumps({"ray": ray.__version__, "python": sys.version.split()[0], "rows": rows}))


if __name__ == "__main__":
    main()
