"""Ray clusters on this machine in a child process, for the Ray engine's tests and
``ray_overhead.py``; each is stopped with its process group.

* ``Head``: one head node on 127.0.0.1 (``ray start --head --block``);
* ``Nodes``: several nodes, each with its own raylet and object store, so that objects
  move between nodes as on a real cluster (Ray's own ``ray.cluster_utils.Cluster``;
  it listens on the machine's address).

    head = Head(cpus=2)            # or Nodes(nodes=2, cpus=1)
    ...  # corpuslint check --engine ray --ray-address {head.address}, with head.env
    head.stop()
"""

from __future__ import annotations

import contextlib
import os
import secrets
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ray_env() -> dict[str, str]:
    """The environment of the head node and of the CLI runs that use it."""
    return {
        # Ray maps 127.0.0.1 to the machine's address unless clusters are "local
        # only", the mode it uses on macOS and Windows: keep everything on loopback
        "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
        # Ray >= 2.5x authenticates clients with a token; this cluster's own
        "RAY_AUTH_MODE": "token",
        "RAY_AUTH_TOKEN": secrets.token_hex(16),
        "RAY_USAGE_STATS_ENABLED": "0",
    }


class Head:
    """A Ray head node in a child process (``ray start --head --block``)."""

    def __init__(self, cpus: int = 2) -> None:
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.env = _ray_env()
        self.temp = tempfile.mkdtemp(prefix="clray")  # short: Ray's socket paths
        self.log = open(os.path.join(self.temp, "head.log"), "wb")  # noqa: SIM115
        cmd = [
            sys.executable,
            "-m",
            "ray.scripts.scripts",
            "start",
            "--head",
            "--block",
            "--node-ip-address=127.0.0.1",
            f"--port={self.port}",
            f"--num-cpus={cpus}",
            "--include-dashboard=false",
            "--disable-usage-stats",
            f"--temp-dir={self.temp}",
        ]
        self.proc = subprocess.Popen(
            cmd,
            env={**os.environ, **self.env},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped as a whole
        )
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ray start exited: {self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"the Ray head did not start in {timeout} s: {self.tail()}")

    def tail(self) -> str:
        self.log.flush()
        return Path(self.log.name).read_text(errors="replace")[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # --block: it stops what it started
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything left of this group
        self.proc.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.temp, ignore_errors=True)


# The child process of ``Nodes``: starts the cluster, prints its address, and shuts it
# down when its standard input closes (the parent stopped or died).
_NODES_CHILD = """
import sys
from ray.cluster_utils import Cluster

nodes, cpus = int(sys.argv[1]), int(sys.argv[2])
args = {"num_cpus": cpus, "include_dashboard": False}
cluster = Cluster(initialize_head=True, head_node_args=args)
for _ in range(nodes - 1):
    cluster.add_node(num_cpus=cpus)
cluster.wait_for_nodes()
print(cluster.address, flush=True)
try:
    sys.stdin.read()
finally:
    cluster.shutdown()
"""


class Nodes:
    """``nodes`` Ray nodes of ``cpus`` CPUs each on this machine (a child process)."""

    def __init__(self, nodes: int = 2, cpus: int = 1, timeout: float = 120.0) -> None:
        self.env = {"RAY_USAGE_STATS_ENABLED": "0"}
        self.log = tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _NODES_CHILD, str(nodes), str(cpus)],
            env={**os.environ, **self.env},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log,
            start_new_session=True,
        )
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().strip() if ready else b""
        if not line:
            self.stop()
            raise RuntimeError(f"the Ray nodes did not start: {self.tail()}")
        self.address = line.decode()

    def tail(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-2000:]

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # the child shuts the cluster down
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=60)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # anything left of this group
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.log.close()
