"""Shared test helpers: run the real CLI in-process or as a subprocess, temp corpora."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"


@dataclass
class CliResult:
    code: int
    out: str
    err: str


@contextlib.contextmanager
def _chdir(path: Path):
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def build_test_session(cwd: Path, paths: list[str], select: list[str], *, isolated: bool = True):
    """A check session built from ``cwd`` exactly as the CLI builds it (``build_session``),
    for tests that drive the runner or an engine directly."""
    import argparse

    from corpuslint.session import build_session

    ns = argparse.Namespace(
        paths=paths,
        config=None,
        isolated=isolated,
        select=select,
        extend_select=[],
        ignore=[],
        stdin_filename=None,
        no_cache=True,
        jobs=1,
        force_exclude=None,
        quiet=True,
        engine=None,
        ray_address=None,
    )
    with _chdir(cwd):
        return build_session(ns)


def run_cli(*args: str, cwd: Path | None = None, stdin: bytes | None = None) -> CliResult:
    """Run ``corpuslint`` in this process (fast); returns exit code, stdout, stderr."""
    from corpuslint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        with (
            _chdir(cwd or Path.cwd()),
            contextlib.redirect_stdout(out),
            contextlib.redirect_stderr(err),
        ):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse errors, --version
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        sys.stdin = old_stdin
    return CliResult(code, out.getvalue(), err.getvalue())


def run_subprocess(
    *args: str, cwd: Path, stdin: bytes | None = None, env: dict | None = None
) -> CliResult:
    """Run the installed console script as users do."""
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    proc = subprocess.run(
        [exe, *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )
    return CliResult(
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


@pytest.fixture
def seeds_copy(tmp_path: Path) -> Path:
    """A temp project holding a copy of the seeds and a config naming them the corpus."""
    project = tmp_path / "project"
    shutil.copytree(SEEDS, project / "seeds")
    (project / "corpuslint.toml").write_text('corpus = ["seeds"]\n')
    return project
