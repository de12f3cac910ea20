"""Reliability under faults and concurrency, through the real console script (issue 8).

Each test is a row of the table in docs/reliability.md. Faults that cannot be made
for real in a test (a disk filling up, another program editing a file at the worst
moment) are injected into the real ``corpuslint`` process by a ``sitecustomize``
module put on its ``PYTHONPATH`` (``fault_env``): it wraps one function of the
standard library or of corpuslint, driven by environment variables. This works when
the tests run as root, where permission-based simulations do not.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS, CliResult, run_subprocess
from tests.test_reliability_cli import assert_contract

# Injected into the corpuslint process: CORPUSLINT_FAULT picks the fault,
# CORPUSLINT_FAULT_PATH the file it concerns.
SITECUSTOMIZE = """
import errno
import os

_fault = os.environ.get("CORPUSLINT_FAULT")
_target = os.environ.get("CORPUSLINT_FAULT_PATH", "")

if _fault == "replace-fails":  # the disk fills up at the rename
    _replace = os.replace

    def replace(src, dst, *a, **k):
        if str(dst).endswith(".txt"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return _replace(src, dst, *a, **k)

    os.replace = replace

elif _fault == "fsync-fails":  # an I/O error after half of the data was written
    _fsync = os.fsync

    def fsync(fd):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(".corpuslint.tmp"):
            os.ftruncate(fd, max(0, os.fstat(fd).st_size // 2))
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        return _fsync(fd)

    os.fsync = fsync

elif _fault == "slow-writes":  # a slow disk: the fix of a corpus takes seconds
    import time as _time

    _replace = os.replace

    def replace(src, dst, *a, **k):
        if str(dst).endswith(".txt"):
            _time.sleep(0.003)
        return _replace(src, dst, *a, **k)

    os.replace = replace

elif _fault == "edit-while-fixing":  # someone edits the file between read and write
    import corpuslint.runner as _runner

    _fix = _runner.fix_until_stable

    def fix_until_stable(*a, **k):
        with open(_target, "a", encoding="utf-8") as fh:
            fh.write("A line added by someone else.\\n")
        return _fix(*a, **k)

    _runner.fix_until_stable = fix_until_stable
"""

FIXABLE = (SEEDS / "002_bd49319368a8fcf5.txt").read_text(encoding="utf-8")


def fault_env(tmp_path: Path, fault: str, path: Path | None = None) -> dict[str, str]:
    shim = tmp_path / "shim"
    shim.mkdir(exist_ok=True)
    (shim / "sitecustomize.py").write_text(SITECUSTOMIZE)
    env = {"PYTHONPATH": str(shim), "CORPUSLINT_FAULT": fault}
    if path is not None:
        env["CORPUSLINT_FAULT_PATH"] = str(path)
    return env


def article(i: int) -> str:
    """A distinct article with fixable findings (trailing spaces, no final newline)."""
    return f"date: 2024-01-{i % 28 + 1:02d}\nArticle number {i}.  \n" + FIXABLE.replace(
        "Previous", f"Previous {i}"
    )


def make_corpus(root: Path, n: int) -> Path:
    corpus = root / "c"
    corpus.mkdir(parents=True)
    for i in range(n):
        (corpus / f"{i:03d}_{i:016x}.txt").write_text(article(i), encoding="utf-8")
    (root / "corpuslint.toml").write_text('corpus = ["c"]\n')
    return corpus


def contents(corpus: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(corpus.iterdir())}


def fixed_copy(tmp_path: Path, corpus: Path, *args: str) -> dict[str, bytes]:
    """What one undisturbed ``check --fix`` makes of ``corpus``."""
    reference = tmp_path / "reference"
    shutil.copytree(corpus.parent, reference)
    result = run_subprocess("check", "--fix", "--no-cache", "-q", *args, cwd=reference)
    assert_contract(result, {0, 1})
    return contents(reference / "c")


def no_temp_files(corpus: Path) -> None:
    assert not [p.name for p in corpus.iterdir() if p.name.endswith(".corpuslint.tmp")]


# -- a file changed between check and fix ---------------------------------------------


def test_file_changed_on_disk_while_fixing_is_not_overwritten(tmp_path: Path) -> None:
    """Someone appends to the file after the fixer read it: the fixer compares right
    before the rename, keeps their version and says so in one warning line."""
    corpus = make_corpus(tmp_path, 2)
    target = corpus / "000_0000000000000000.txt"
    original = target.read_text(encoding="utf-8")
    other = corpus / "001_0000000000000001.txt"
    env = fault_env(tmp_path, "edit-while-fixing", target)
    result = run_subprocess("check", "--fix", "--no-cache", target.name, cwd=corpus, env=env)
    assert_contract(result, {1})
    assert target.read_text(encoding="utf-8") == original + "A line added by someone else.\n"
    assert "changed on disk since it was read; not written" in result.err
    assert len(result.err.splitlines()) == 1
    assert other.read_text(encoding="utf-8") == article(1)  # not named: not touched
    no_temp_files(corpus)


# -- a write that fails half-way ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [("replace-fails", "No space left on device"), ("fsync-fails", "Input/output error")],
)
def test_failed_write_leaves_the_original_intact(tmp_path: Path, fault: str, message: str) -> None:
    """The disk fills up at the rename, or an I/O error strikes after half the data was
    written: one error line per file, exit 2, every original intact, no temp file."""
    corpus = make_corpus(tmp_path, 3)
    before = contents(corpus)
    result = run_subprocess(
        "check", "--fix", "--no-cache", cwd=tmp_path, env=fault_env(tmp_path, fault)
    )
    assert_contract(result, {2})
    errors = [line for line in result.err.splitlines() if "cannot write" in line]
    assert len(errors) == 3 and all(message in line for line in errors), result.err
    assert contents(corpus) == before
    no_temp_files(corpus)


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_read_only_directory(tmp_path: Path) -> None:
    """A directory without write permission: one error line per file, exit 2."""
    corpus = make_corpus(tmp_path, 2)
    before = contents(corpus)
    corpus.chmod(0o555)
    try:
        result = run_subprocess("check", "--fix", "--no-cache", cwd=tmp_path)
    finally:
        corpus.chmod(0o755)
    assert_contract(result, {2})
    assert "Permission denied" in result.err
    assert contents(corpus) == before


# -- interrupt -------------------------------------------------------------------------


def test_interrupt_during_fix_leaves_no_half_written_file(tmp_path: Path) -> None:
    """Ctrl-C (SIGINT to the process group, as a terminal sends it) while ``--fix``
    writes a large corpus: exit 2 with one line, no traceback, no temp file, and each
    file is either its original or its fully fixed version."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    for i in range(3000):
        text = "".join(f"Line {j} of article {i}, with trailing spaces.  \n" for j in range(20))
        (corpus / f"{i:04d}_{i:016x}.txt").write_text(text, encoding="utf-8")
    before = contents(corpus)
    expected = {name: data.decode().replace("  \n", "\n").encode() for name, data in before.items()}
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    proc = subprocess.Popen(
        [exe, "check", "--fix", "--no-cache", "--select", "FMT007", "c"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        # slow renames (3 ms each): the interrupt lands while files are written, also
        # on a fast machine that would otherwise finish before it is sent
        env={**os.environ, **fault_env(tmp_path, "slow-writes")},
    )
    try:
        deadline = time.monotonic() + 120
        names = list(before)
        while time.monotonic() < deadline and proc.poll() is None:
            if any(_read(corpus / n) != before[n] for n in names[::50]):
                break  # the fixer is writing
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    result = CliResult(proc.returncode, "", err.decode("utf-8", "replace"))
    assert_contract(result, {2})
    assert result.err.strip() == "corpuslint: interrupted"
    no_temp_files(corpus)
    after = contents(corpus)
    assert set(after) == set(before)
    for name, data in after.items():
        assert data in (before[name], expected[name]), name
    fixed = sum(after[n] == expected[n] for n in after)
    assert 0 < fixed < len(after), "the interrupt did not land while files were written"


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


# -- several --fix runs at once ----------------------------------------------------------


def test_concurrent_fix_runs_give_a_single_runs_result(tmp_path: Path) -> None:
    """Four ``check --fix`` runs at once on one corpus (one index, one cache): each
    exits 0 or 1 without a traceback (a file another run fixed first is skipped with a
    warning), and the files end up exactly as one run alone leaves them."""
    corpus = make_corpus(tmp_path, 60)
    rules = ("--select", "FMT,BP,DUP")  # MT adds time, not concurrency
    expected = fixed_copy(tmp_path, corpus, *rules)
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable)) or "corpuslint"
    procs = [
        subprocess.Popen(
            [exe, "check", "--fix", *rules],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=240)
        assert_contract(CliResult(proc.returncode, "", err.decode("utf-8", "replace")), {0, 1})
    assert contents(corpus) == expected
    no_temp_files(corpus)
    again = run_subprocess("check", "--fix", *rules, cwd=tmp_path)  # nothing left to fix
    assert_contract(again, {0, 1})
    assert contents(corpus) == expected


# -- a damaged index or cache ------------------------------------------------------------


def _garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database\n" * 400)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 3])


def _zero_pages(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100:4096] = bytes(4096 - 100)  # the schema page after the header
    path.write_bytes(bytes(data))


DAMAGE = {"garbage": _garbage, "truncated": _truncate, "zeroed-schema": _zero_pages}


@pytest.mark.parametrize("what", ["index", "cache"])
@pytest.mark.parametrize("damage", DAMAGE)
def test_damaged_index_or_cache_is_rebuilt(tmp_path: Path, what: str, damage: str) -> None:
    """A damaged index or cache: a warning line, the same findings as before, and a
    usable file again afterwards (the next run has no warning)."""
    make_corpus(tmp_path, 6)
    first, findings = _check(tmp_path)
    assert_contract(first, {1})
    state = tmp_path / ".corpuslint"
    for suffix in ("-wal", "-shm"):  # as if the last run had checkpointed
        for p in state.rglob(f"*.sqlite{suffix}"):
            p.unlink()
    files = [state / "index.sqlite"] if what == "index" else list(state.glob("cache/*.sqlite"))
    assert files and all(p.exists() for p in files)
    for p in files:
        DAMAGE[damage](p)
    second, findings_second = _check(tmp_path)
    assert_contract(second, {1})
    assert findings_second == findings
    assert "corpuslint: warning:" in second.err and "rebuil" in second.err, second.err
    third, findings_third = _check(tmp_path)
    assert_contract(third, {1})
    assert findings_third == findings and third.err == ""


def _check(project: Path) -> tuple[CliResult, list[dict]]:
    result = run_subprocess("check", "--output-format", "json", cwd=project)
    return result, json.loads(result.out) if result.out.strip() else []


# -- a user regex that would backtrack catastrophically ------------------------------------

CATASTROPHIC = [r"(a+)+$", r"(a|aa)+$", r"(a|a?)+$", r"(.|\s)*$", r"(\w+\s?)+$", r"(a?){30}a{30}"]


@pytest.mark.parametrize("pattern", CATASTROPHIC)
@pytest.mark.parametrize(
    ("table", "key", "toml"),
    [
        ("filename-pattern", "pattern", "pattern = '{p}'"),
        ("ad-marker", "extra-patterns", "extra-patterns = ['{p}']"),
        ("inline-boilerplate", "extra-patterns", "extra-patterns = ['^x', '{p}']"),
    ],
)
def test_catastrophic_user_regex_is_a_config_error(
    tmp_path: Path, pattern: str, table: str, key: str, toml: str
) -> None:
    """Rejected before any text is matched: one line naming the file and key, exit 2
    (on the text below, each would run for hours)."""
    corpus = make_corpus(tmp_path, 1)
    (corpus / ("a" * 60 + "!.txt")).write_text("a" * 60 + "!\n" + article(5))
    config = tmp_path / "corpuslint.toml"
    config.write_text(config.read_text() + f"[rules.{table}]\n" + toml.format(p=pattern) + "\n")
    result = run_subprocess("check", cwd=tmp_path)
    assert_contract(result, {2})
    assert len(result.err.splitlines()) == 1
    assert f"rules.{table}.{key}" in result.err and "backtrack catastrophically" in result.err


@pytest.mark.parametrize("pattern", [r"(?:\s|-)*advert", r"(?:ab|cd)+$", r"(\w|\d)+$", r"^x+$"])
def test_safe_user_regex_look_alikes_are_accepted(tmp_path: Path, pattern: str) -> None:
    make_corpus(tmp_path, 1)
    config = tmp_path / "corpuslint.toml"
    config.write_text(config.read_text() + f"[rules.ad-marker]\nextra-patterns = ['{pattern}']\n")
    result = run_subprocess("check", cwd=tmp_path)
    assert_contract(result, {1})
