"""The Ray engine: the same findings as the local engine, on a real Ray cluster.

A head node is started once for the module (``ray start --head`` on 127.0.0.1 with
2 CPUs, as a child process that is stopped at the end) and the real CLI is run with
``--engine ray --ray-address`` against it. The corpus is generated
(``benchmarks/ray_corpus.py``): 20,000 small files with planted exact and near
duplicates (chains, and a template copied ~150 times: an LSH bucket wider than the
pairing window), a recurring site footer, ad markers, reused numeric prefixes and a
few odd files. The whole JSON output must be byte for byte the local engine's.
"""

from __future__ import annotations

import collections
import hashlib
import importlib.util
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, build_test_session, run_cli, run_subprocess

CORPUS_FILES = 20_000
CORPUS_CODES = ("DUP001", "DUP002", "BP010", "FMT002")


def _benchmark_module(name: str):
    """``benchmarks/<name>.py`` (the corpus generator, the head node)."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _generator():
    return _benchmark_module("ray_corpus")


Head = _benchmark_module("ray_cluster").Head


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def head():
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'corpuslint[ray]')")
    node = Head()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("raycorpus")
    _generator().generate(root, CORPUS_FILES, seed=7)
    return root


def _check(root: Path, *args: str, head: Head | None = None, env: dict | None = None):
    engine = ("--engine", "ray", "--ray-address", head.address) if head else ("--no-cache",)
    result = run_subprocess(
        "check",
        *args,
        "--output-format",
        "json",
        *engine,
        cwd=root,
        env={**(head.env if head else {}), **(env or {})},
    )
    assert result.code in (0, 1), result.err
    return result


def _digest(path: Path) -> str:
    return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()


@pytest.mark.slow
def test_ray_engine_gives_the_local_engines_output(corpus: Path, head: Head):
    local = _check(corpus, "docs")
    index = corpus / ".corpuslint" / "index.sqlite"
    before = _digest(index)
    ray = _check(corpus, "docs", head=head)
    assert ray.code == local.code
    assert ray.out == local.out  # every finding, field and order, byte for byte
    findings = json.loads(local.out)
    codes = collections.Counter(f["code"] for f in findings)
    assert all(codes[c] >= 20 for c in CORPUS_CODES), codes
    assert codes["BP001"] and codes["FMT010"]  # document rules ran in the tasks
    near = [f["data"] for f in findings if f["code"] == "DUP002"]
    assert any(d["duplicate_of"] != d["original"] for d in near)  # chains
    assert max(d["cluster_size"] for d in near) > 65  # a bucket wider than the window
    # the Ray engine keeps no index and leaves the local one as it was
    assert _digest(index) == before


CORPUS_RULES_RUN = ("docs", "--select", "DUP,BP010,FMT002")


@pytest.fixture(scope="module")
def local_corpus_rules(corpus: Path) -> str:
    """The local engine's JSON for the corpus rules alone (compared more than once)."""
    return _check(corpus, *CORPUS_RULES_RUN).out


@pytest.mark.slow
def test_ray_engine_gives_the_local_corpus_rule_findings(
    corpus: Path, head: Head, local_corpus_rules: str
):
    assert _check(corpus, *CORPUS_RULES_RUN, head=head).out == local_corpus_rules


@pytest.fixture(scope="module")
def two_nodes():
    """Two Ray nodes of 1 CPU on this machine, each with its own object store."""
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'corpuslint[ray]')")
    nodes = _benchmark_module("ray_cluster").Nodes(nodes=2, cpus=1)
    try:
        yield nodes
    finally:
        nodes.stop()


@pytest.mark.slow
def test_ray_engine_on_two_nodes_gives_the_local_corpus_rule_findings(
    corpus: Path, two_nodes, local_corpus_rules: str
):
    """The shuffle's parts, the shard lists and the pairs move between object stores."""
    assert _check(corpus, *CORPUS_RULES_RUN, head=two_nodes).out == local_corpus_rules


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> Path:
    """600 files (the same planted problems) and a file outside the corpus."""
    root = tmp_path_factory.mktemp("raysmall")
    _generator().generate(root, 600, seed=3)
    config = root / "corpuslint.toml"
    config.write_text(
        config.read_text().replace(
            "[rules.", '[per-file-ignores]\n"docs/000/0001*" = ["DUP002"]\n\n[rules.', 1
        )
    )
    docs = sorted((root / "docs").rglob("*.txt"))
    outside = root / "outside"
    outside.mkdir()
    (outside / "copy.txt").write_bytes(docs[7].read_bytes())
    footer = _generator().FOOTER
    (outside / "footer.txt").write_text(docs[3].read_text() + "\n" + footer + "\n")
    return root


def _subset(root: Path) -> list[str]:
    docs = sorted(str(p.relative_to(root)) for p in (root / "docs").rglob("*.txt"))
    return docs[::37]


@pytest.mark.slow
@pytest.mark.parametrize(
    "case",
    ["subset", "outside", "stdin-shadowing", "stdin-new", "fallback"],
)
def test_ray_engine_matches_on_partial_runs(small: Path, head: Head, case: str):
    """Runs that name part of the corpus (pre-commit), files outside it, stdin; and the
    corpus rules checked in the driver through a temporary index (the fallback)."""
    stdin = None
    env = dict(head.env)
    if case == "fallback":
        env["CORPUSLINT_RAY_FALLBACK"] = ",".join(CORPUS_CODES)
        args = ["--select", "DUP,BP010,FMT002", "docs", *_subset(small)[:3], "outside"]
    elif case == "subset":
        args = ["--select", "DUP,BP010,FMT002", *_subset(small)]
    elif case == "outside":
        args = ["--select", "DUP,BP010,FMT002", "outside"]
    elif case.startswith("stdin"):
        name = _subset(small)[1] if case == "stdin-shadowing" else "new.txt"
        stdin = (small / _subset(small)[2]).read_bytes()
        args = ["--select", "DUP,BP010,FMT002", "--stdin-filename", name, "-"]
    local = run_subprocess("check", *args, "--output-format", "json", cwd=small, stdin=stdin)
    ray = run_subprocess(
        "check",
        *args,
        "--output-format",
        "json",
        "--engine",
        "ray",
        "--ray-address",
        head.address,
        cwd=small,
        stdin=stdin,
        env=env,
    )
    assert local.code in (0, 1), local.err
    assert (ray.code, ray.out) == (local.code, local.out), ray.err
    if case in ("outside", "stdin-new"):
        assert json.loads(local.out)  # the case exercises a corpus finding


@pytest.mark.slow
def test_ray_engine_fixes_like_the_local_engine(small: Path, head: Head, tmp_path: Path):
    copies = {}
    for name in ("local", "ray"):
        copies[name] = tmp_path / name
        shutil.copytree(small, copies[name], ignore=shutil.ignore_patterns(".corpuslint"))
    args = ("check", "docs", "--fix", "--unsafe-fixes", "--output-format", "json")
    local = run_subprocess(*args, cwd=copies["local"])
    ray = run_subprocess(
        *args, "--engine", "ray", "--ray-address", head.address, cwd=copies["ray"], env=head.env
    )
    assert (ray.code, ray.out) == (local.code, local.out), ray.err
    changed = 0
    for path in sorted((copies["local"] / "docs").rglob("*.txt")):
        other = copies["ray"] / path.relative_to(copies["local"])
        assert other.read_bytes() == path.read_bytes(), path
        changed += path.read_bytes() != (small / path.relative_to(copies["local"])).read_bytes()
    assert changed > 10


# -- errors: one line, exit 2, no traceback ---------------------------------------------

_HIDE_RAY = """
import sys

class HideRay:
    def find_spec(self, name, path=None, target=None):
        if name == "ray" or name.startswith("ray."):
            raise ModuleNotFoundError("No module named 'ray'")
        return None

sys.meta_path.insert(0, HideRay())
from corpuslint.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("config", [None, 'engine = "ray"\n'])
def test_engine_ray_without_ray_installed_is_one_error_line(seeds_copy: Path, config):
    args = ["check", "seeds"] + (["--engine", "ray"] if config is None else [])
    if config:
        (seeds_copy / "corpuslint.toml").write_text('corpus = ["seeds"]\n' + config)
    proc = subprocess.run(
        [sys.executable, "-c", _HIDE_RAY, *args],
        cwd=seeds_copy,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.splitlines() == [
        'corpuslint: error: engine "ray" needs Ray, which is not installed: '
        "pip install 'corpuslint[ray]'"
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--engine", "ray", "--ray-address", "127.0.0.1:{port}"],
            "cannot connect to the Ray cluster at 127.0.0.1:{port}: Connection refused",
        ),
        (
            ["--engine", "ray", "--ray-address", "no-port"],
            "invalid Ray address 'no-port' (expected host:port, ray://host:port, auto or local)",
        ),
        (
            ["--ray-address", "127.0.0.1:{port}"],
            '--ray-address needs --engine ray (or engine = "ray")',
        ),
        (["--engine", "spark"], None),  # argparse: invalid choice
    ],
)
def test_engine_usage_errors_are_one_line(seeds_copy: Path, args, message):
    port = _free_port()  # nothing listens there
    args = [a.format(port=port) for a in args]
    result = run_cli("check", "seeds", *args, cwd=seeds_copy)
    assert result.code == 2
    assert result.out == ""
    assert "Traceback" not in result.err
    if message is not None:
        assert result.err.splitlines() == [f"corpuslint: error: {message.format(port=port)}"]


# -- shuffle sizing (no Ray needed) --------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_job(tmp_path_factory):
    """A job with the four corpus rules that have distributed stages."""
    root = tmp_path_factory.mktemp("rayspec")
    (root / "a.txt").write_text("One line of text.\n")
    return build_test_session(root, ["."], ["DUP001", "DUP002", "BP010", "FMT002"]).job


@pytest.mark.parametrize(
    ("items", "cpus", "shards"),
    [
        (20_000, 2, 8),  # the equivalence test's corpus: one partition per CPU
        (600, 2, 8),  # small parts: fewer partitions than CPUs
        (100_000_000, 160, 5_000),  # docs/scaling.md: 10 nodes of 16 CPUs
        (100_000_000, 1_600, 6_400),  # 100 nodes
        (1_000_000_000, 1_600, 50_000),
        (10, 64, 1),
    ],
)
def test_shuffle_parts_are_large_enough_to_stay_out_of_the_driver(corpus_job, items, cpus, shards):
    from corpuslint.ray_engine import runner

    spec = runner.corpus_spec(corpus_job, items, cpus, shards=shards)
    per_cpu = min(runner.MAX_PARTITIONS, cpus)
    assert spec.near is not None and spec.exact is not None and spec.lines is not None
    assert spec.buckets == per_cpu  # verification keeps one task per CPU
    assert 1 <= spec.partitions <= per_cpu
    positions = {"exact": spec.exact, "near": spec.near, "lines": spec.lines}
    positions["prefix"] = spec.prefix
    mean_part = items * runner.row_bytes(corpus_job, positions) / (shards * spec.partitions)
    if spec.partitions > 1:
        assert mean_part >= runner.MIN_PART_BYTES  # above Ray's inline limit (100 KiB)
    if spec.partitions < per_cpu:  # one more partition would make parts too small
        assert (
            items * runner.row_bytes(corpus_job, positions) / (shards * (spec.partitions + 1))
            < runner.MIN_PART_BYTES
        )
