"""The progress bar: only on a terminal, only for slow runs, never on stdout."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from corpuslint.progress import ProgressBar, terminal_progress


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bar_waits_then_draws_then_erases() -> None:
    clock, out = Clock(), io.StringIO()
    bar = ProgressBar("checking", 100, out, delay=0.5, clock=clock)
    for _ in range(10):
        bar(1)
    assert out.getvalue() == ""  # a quick run prints nothing
    clock.now = 1.0
    bar(1)
    assert "checking [" in out.getvalue() and "11/100 files" in out.getvalue()
    clock.now = 2.0
    bar(89)
    assert out.getvalue().endswith("\r\x1b[K")  # erased when done


def test_no_bar_when_not_a_terminal() -> None:
    assert terminal_progress(quiet=False)("checking", 1000) is None or sys.stderr.isatty()


def test_bar_on_a_terminal_stderr_and_clean_json_on_stdout(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(60):
        (corpus / f"{i:03d}_0123456789abcdef.txt").write_text("Too short.\n")
    master, slave = pty.openpty()
    exe = Path(sys.executable).with_name("corpuslint")
    proc = subprocess.run(
        [
            str(exe),
            "check",
            "c",
            "--isolated",
            "--no-cache",
            "--select",
            "FMT013",
            "--output-format",
            "json",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=slave,
        timeout=120,
        env={**os.environ, "CORPUSLINT_PROGRESS_DELAY": "0", "TERM": "xterm"},
    )
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert proc.returncode == 1
    assert len(json.loads(proc.stdout)) == 60  # stdout is pure JSON
    assert b"checking [" in seen and b"files" in seen
