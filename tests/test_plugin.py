"""A third-party plugin is an ordinary installed package (flake8's model).

tests/plugin_pkg is a tiny package of its own (pyproject.toml, setuptools) that
registers the rule XMP001 (banned-phrase) in the entry-point group
``corpuslint.rules``. It is really installed, with pip, into a directory of its
own (``pip install --target``) and that directory is put on PYTHONPATH for the
real ``corpuslint`` console script, so entry points are discovered from its
dist-info exactly as for any installed plugin, without touching the shared venv.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
PLUGIN_SRC = HERE / "plugin_pkg"
DIST = "corpuslint-example-plugin==0.1.0"

# 1:19 is "lorem ipsum"; line 2 holds the configured phrases of the project below.
DOC = "The minister said lorem ipsum at the meeting.\nOfficials said dolor sit amet later.\n"
PROJECT_CONFIG = """\
[tool.corpuslint]

[tool.corpuslint.rules.banned-phrase]
phrases = ["dolor sit", "AMET"]
"""


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin, pip-installed into a private site directory (built offline)."""
    base = tmp_path_factory.mktemp("plugin")
    src = base / "src"
    # Build from a copy: pip builds in place and must not write into the repository.
    shutil.copytree(PLUGIN_SRC, src, ignore=shutil.ignore_patterns("build", "*.egg-info"))
    site = base / "site"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            "--target",
            str(site),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    dist_infos = [p.name for p in site.glob("*.dist-info")]
    assert dist_infos == ["corpuslint_example_plugin-0.1.0.dist-info"]
    entry_points = (site / dist_infos[0] / "entry_points.txt").read_text()
    assert "[corpuslint.rules]" in entry_points
    return site


@pytest.fixture
def project(tmp_path: Path) -> Path:
    proj = tmp_path / "project"
    proj.mkdir()
    (proj / "pyproject.toml").write_text(PROJECT_CONFIG)
    (proj / "a.txt").write_text(DOC)
    return proj


def corpuslint(*args: str, cwd: Path, site: Path | None) -> subprocess.CompletedProcess:
    """Run the real console script; ``site`` (the plugin) goes on PYTHONPATH."""
    exe = shutil.which("corpuslint", path=os.path.dirname(sys.executable))
    assert exe, "the corpuslint console script is not installed"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [exe, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def xmp_findings(stdout: str) -> list[str]:
    """``row:col: message`` of the XMP001 findings in concise output."""
    out = []
    for line in stdout.splitlines():
        parts = line.split(":", 3)
        if len(parts) == 4 and parts[3].startswith(" XMP001 "):
            out.append(f"{parts[1]}:{parts[2]}: {parts[3].split(' ', 2)[2]}")
    return out


def test_listed_with_its_distribution(plugin_site: Path, project: Path) -> None:
    result = corpuslint("rules", "--output-format", "json", cwd=project, site=plugin_site)
    assert result.returncode == 0, result.stderr
    rows = {r["code"]: r for r in json.loads(result.stdout)}
    assert rows["XMP001"]["name"] == "banned-phrase"
    assert rows["XMP001"]["source"] == DIST
    assert rows["XMP001"]["summary"] == "A banned phrase occurs in the document."
    # the built-in families are still there next to the plugin
    assert any(code.startswith("FMT") for code in rows)

    text = corpuslint("rules", cwd=project, site=plugin_site)
    assert any(line.startswith("XMP001 ") for line in text.stdout.splitlines())


def test_documented(plugin_site: Path, project: Path) -> None:
    result = corpuslint("rule", "XMP001", cwd=project, site=plugin_site)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# banned-phrase (XMP001)\n")
    for heading in ("## What it does", "## Why it matters", "## Example", "## Fix safety"):
        assert heading in result.stdout
    assert "[tool.corpuslint.rules.banned-phrase]\nphrases = ['lorem ipsum']" in result.stdout
    by_name = corpuslint("rule", "banned-phrase", cwd=project, site=plugin_site)
    assert by_name.stdout == result.stdout


@pytest.mark.parametrize(
    ("args", "exit_code", "expected"),
    [
        # selected by code, without the project's configuration: the default option
        (["--isolated", "--select", "XMP001"], 1, ["1:19: Banned phrase 'lorem ipsum'"]),
        # selected by prefix; the project's [tool.corpuslint.rules.banned-phrase] reaches it
        (
            ["--select", "XMP"],
            1,
            ["2:16: Banned phrase 'dolor sit'", "2:26: Banned phrase 'amet'"],
        ),
        # on by default, next to the built-in rules
        (["--isolated"], 1, ["1:19: Banned phrase 'lorem ipsum'"]),
        # ignored by code and by prefix
        (["--isolated", "--ignore", "XMP001"], None, []),
        (["--isolated", "--select", "FMT,XMP", "--ignore", "XMP"], None, []),
        (["--select", "XMP001", "--ignore", "XMP001"], 0, []),
    ],
    ids=[
        "select-code",
        "config-options",
        "default-on",
        "ignore-code",
        "ignore-prefix",
        "select-then-ignore",
    ],
)
def test_selectable_and_configurable(
    plugin_site: Path,
    project: Path,
    args: list[str],
    exit_code: int | None,
    expected: list[str],
) -> None:
    result = corpuslint("check", "--no-cache", *args, "a.txt", cwd=project, site=plugin_site)
    assert result.returncode in (0, 1), result.stderr
    if exit_code is not None:
        assert result.returncode == exit_code, result.stdout + result.stderr
    assert xmp_findings(result.stdout) == expected


def test_unsafe_fix_applies(plugin_site: Path, project: Path) -> None:
    result = corpuslint(
        "check",
        "--isolated",
        "--select",
        "XMP001",
        "--fix",
        "--unsafe-fixes",
        "a.txt",
        cwd=project,
        site=plugin_site,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (project / "a.txt").read_text().startswith("The minister said  at the meeting.\n")


def test_bad_option_names_the_key(plugin_site: Path, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.corpuslint]\n[tool.corpuslint.rules.banned-phrase]\nphrases = "amet"\n'
    )
    result = corpuslint("check", "--select", "XMP001", "a.txt", cwd=project, site=plugin_site)
    assert result.returncode == 2
    assert "rules.banned-phrase.phrases" in result.stderr
    assert "Traceback" not in result.stderr


def test_absent_without_the_plugin(project: Path) -> None:
    """The control: the same run without the plugin installed knows no XMP001."""
    result = corpuslint("check", "--select", "XMP001", "a.txt", cwd=project, site=None)
    assert result.returncode == 2
    assert "XMP001" in result.stderr
    listed = corpuslint("rules", cwd=project, site=None)
    assert "XMP001" not in listed.stdout
