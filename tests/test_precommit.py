"""pre-commit integration: the hooks other repositories use, and this repository's own.

* ``.pre-commit-hooks.yaml`` is tried for real with ``pre-commit try-repo``: pre-commit
  builds its own virtualenv and pip-installs corpuslint into it (from PyPI for the
  dependencies: this needs the network, and takes a while, so it is done twice per
  session: one run that fails and fixes, one that passes).
* ``.pre-commit-config.yaml`` (ruff + corpuslint on seeds/) must pass
  ``pre-commit run --all-files`` on this tree, the seeds' flaws being accepted by the
  committed baseline, which must be current.

Both run against a snapshot of this checkout, a fresh git repository holding a copy in
one commit, so nothing is ever written into the checkout itself (the ``ruff format``
hook included):

* ``try-repo`` installs the working tree as it is (tracked files with their edits, and
  new files not yet added, minus what .gitignore ignores): the package a developer has;
* ``run --all-files`` sees what pre-commit would see here: the tracked files, with
  their working-tree contents (untracked work in progress left out).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pre_commit.clientlib import load_config, load_manifest

REPO = Path(__file__).resolve().parents[1]
BASELINE = ".corpuslint-baseline.json"
REGENERATE = f"corpuslint check seeds/ --write-baseline {BASELINE}"
VENV_BIN = os.path.dirname(sys.executable)

PARAGRAPHS = [
    "The ministers of both countries met in Vienna on Tuesday to discuss the supply of "
    "grain through the Black Sea ports.",
    "According to officials familiar with the talks, both sides agreed to set up a joint "
    "working group that will meet again next month to review shipping schedules and "
    "insurance terms.",
    "Analysts said the agreement could ease prices on world markets, although several "
    "importers warned that the capacity of the ports remained limited during the winter.",
]
CLEAN = "date: 2024-03-20\n\n" + "\n\n".join(PARAGRAPHS) + "\n"
# trailing space, trailing tab, no final newline: all safely fixable
BAD = "date: 2024-03-21\n\n" + PARAGRAPHS[0] + "  \n\n" + PARAGRAPHS[1] + "\t\n\n" + PARAGRAPHS[2]
FIXED = BAD.replace("  \n", "\n").replace("\t\n", "\n") + "\n"
CLEAN_NAME = "docs/000_0123456789abcdef.txt"
BAD_NAME = "docs/001_fedcba9876543210.txt"


def _git(*args: str, cwd: Path) -> None:
    subprocess.run(
        [
            "git",
            "-c",
            "user.name=corpuslint tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _commit_all(repo: Path) -> None:
    _git("init", "-q", cwd=repo)
    _git("add", "-A", cwd=repo)
    _git("commit", "-q", "-m", "snapshot", cwd=repo)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "GIT_"))}
    env["PRE_COMMIT_HOME"] = str(home)
    env["PRE_COMMIT_COLOR"] = "never"
    # the `language: system` corpuslint hook runs the corpuslint of this environment
    env["PATH"] = VENV_BIN + os.pathsep + env.get("PATH", "")
    return env


def _pre_commit(*args: str, cwd: Path, home: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=cwd,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=600,
    )


def _hook_sections(output: str) -> dict[str, str]:
    """pre-commit's report, split into one block per hook, keyed by hook id."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if line.startswith("- hook id: "):
            current = sections.setdefault(line.removeprefix("- hook id: ").strip(), [])
        elif line.rstrip().endswith(("Passed", "Failed", "Skipped")) and "...." in line:
            current = None
            status = line.rstrip().rsplit(".", 1)[-1]
            name = line.split(".", 1)[0].strip()
            sections.setdefault(f"status:{name}", []).append(status)
        elif current is not None:
            current.append(line)
    return {k: "\n".join(v) for k, v in sections.items()}


def _snapshot(dest: Path, *, untracked: bool) -> Path:
    """Copy this checkout's files (see the module docstring) into a new one-commit repo."""
    listing = ["git", "ls-files", "-z", "--cached"]
    if untracked:
        listing += ["--others", "--exclude-standard"]
    listed = subprocess.run(listing, cwd=REPO, check=True, capture_output=True).stdout.decode()
    for rel in filter(None, listed.split("\0")):
        src = REPO / rel
        if src.is_file():  # deleted-but-tracked files are skipped
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / rel)
    _commit_all(dest)
    return dest


@pytest.fixture(scope="module")
def working_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _snapshot(tmp_path_factory.mktemp("worktree") / "corpuslint", untracked=True)


@pytest.fixture(scope="module")
def tracked_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _snapshot(tmp_path_factory.mktemp("tracked") / "corpuslint", untracked=False)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


# -- the hooks other repositories use ------------------------------------------------


def test_manifest_is_valid() -> None:
    hooks = {h["id"]: h for h in load_manifest(str(REPO / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"corpuslint", "corpuslint-fix"}
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is True
        assert hook["entry"].startswith("corpuslint check ")
    assert "--fix" in hooks["corpuslint-fix"]["entry"].split()
    assert "--fix" not in hooks["corpuslint"]["entry"].split()


@pytest.mark.slow
def test_try_repo_fails_fixes_then_passes(working_tree: Path, tmp_path: Path) -> None:
    """Real ``pre-commit try-repo`` of this repository in a corpus repository."""
    corpus = tmp_path / "corpus"
    (corpus / "docs").mkdir(parents=True)
    (corpus / "corpuslint.toml").write_text('select = ["FMT"]\ncorpus = ["docs"]\n')
    (corpus / CLEAN_NAME).write_text(CLEAN)
    (corpus / BAD_NAME).write_text(BAD)
    _commit_all(corpus)
    home = tmp_path / "pre-commit-home"  # try-repo builds in a temp store of its own anyway
    files = ("--files", CLEAN_NAME, BAD_NAME)

    # 1. both hooks (try-repo runs them in id order): the check fails, the fix hook fixes
    first = _pre_commit("try-repo", str(working_tree), *files, cwd=corpus, home=home)
    report = first.stdout + first.stderr
    assert first.returncode == 1, report
    sections = _hook_sections(report)
    assert sections["status:corpuslint"] == "Failed", report
    assert f"{BAD_NAME}:3:117: FMT007 [*] Trailing whitespace (space)" in sections["corpuslint"]
    assert f"{BAD_NAME}:5:180: FMT007 [*] Trailing whitespace (tab)" in sections["corpuslint"]
    assert f"{BAD_NAME}:7:165: FMT009 [*] No newline at end of file" in sections["corpuslint"]
    assert CLEAN_NAME not in sections["corpuslint"]
    assert sections["status:corpuslint (fix)"] == "Failed", report
    assert "files were modified by this hook" in sections["corpuslint-fix"]
    assert (corpus / BAD_NAME).read_text() == FIXED
    assert (corpus / CLEAN_NAME).read_text() == CLEAN

    # 2. the fixed file passes both hooks
    second = _pre_commit("try-repo", str(working_tree), *files, cwd=corpus, home=home)
    report = second.stdout + second.stderr
    assert second.returncode == 0, report
    sections = _hook_sections(report)
    assert sections["status:corpuslint"] == "Passed", report
    assert sections["status:corpuslint (fix)"] == "Passed", report
    assert (corpus / BAD_NAME).read_text() == FIXED


# -- this repository's own configuration -----------------------------------------------


def test_own_config_is_valid() -> None:
    config = load_config(str(REPO / ".pre-commit-config.yaml"))
    hooks = {h["id"]: h for repo in config["repos"] for h in repo["hooks"]}
    assert {"ruff-check", "ruff-format", "corpuslint"} <= set(hooks)
    assert f"--baseline {BASELINE}" in hooks["corpuslint"]["entry"]
    # ruff is pinned to the version the development environment runs
    ruff = subprocess.run(
        [os.path.join(VENV_BIN, "ruff"), "--version"], capture_output=True, text=True
    ).stdout.split()[-1]
    for hook_id in ("ruff-check", "ruff-format"):
        assert hooks[hook_id]["additional_dependencies"] == [f"ruff=={ruff}"]


def _findings(baseline: Path) -> list[tuple[str, str, str]]:
    data = json.loads(baseline.read_text(encoding="utf-8"))
    return sorted((f["filename"], f["code"], f["fingerprint"]) for f in data["findings"])


def test_committed_baseline_covers_every_seed_finding() -> None:
    """A new finding on the seeds (a new rule, a changed one) makes the baseline stale."""
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "corpuslint"), "check", "seeds/", "--baseline", BASELINE],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, (
        f"the baseline {BASELINE} is stale; regenerate it with `{REGENERATE}`\n"
        + proc.stdout
        + proc.stderr
    )


def test_committed_baseline_has_no_obsolete_entries(tmp_path: Path) -> None:
    """An entry no finding matches any more would silently accept that finding's return."""
    fresh = tmp_path / "baseline.json"
    proc = subprocess.run(
        [os.path.join(VENV_BIN, "corpuslint"), "check", "seeds/", "--write-baseline", str(fresh)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    committed, current = _findings(REPO / BASELINE), _findings(fresh)
    obsolete = sorted(set(committed) - set(current))
    assert not obsolete, f"obsolete baseline entries {obsolete}; regenerate: `{REGENERATE}`"
    assert committed == current, f"regenerate the baseline: `{REGENERATE}`"


@pytest.mark.slow
def test_own_hooks_pass_on_this_tree(tracked_tree: Path, pre_commit_home: Path) -> None:
    """``pre-commit run --all-files`` passes: ruff is clean, the seeds match the baseline."""
    proc = _pre_commit(
        "run", "--all-files", "--show-diff-on-failure", cwd=tracked_tree, home=pre_commit_home
    )
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report
    sections = _hook_sections(report)
    for name in ("ruff check", "ruff format", "corpuslint (seeds/, against the baseline)"):
        assert sections.get(f"status:{name}") == "Passed", report


@pytest.mark.slow
def test_own_corpuslint_hook_catches_a_new_flaw(tracked_tree: Path, pre_commit_home: Path) -> None:
    """The control: a seed given a new flaw fails the hook despite the baseline."""
    seed = sorted((tracked_tree / "seeds").glob("*.txt"))[0]
    original = seed.read_bytes()
    try:
        seed.write_bytes(original + b"\n\n\n\nA line with a trailing space \n")
        proc = _pre_commit(
            "run",
            "corpuslint",
            "--files",
            f"seeds/{seed.name}",
            cwd=tracked_tree,
            home=pre_commit_home,
        )
    finally:
        seed.write_bytes(original)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 1, report
    assert f"seeds/{seed.name}:" in report and "FMT007" in report
