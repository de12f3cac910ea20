"""The wheel holds every rule family, its sub-packages and data files, as corpuslint.rules.

rules/ lives at the top of the repository but is installed as ``corpuslint.rules``
(setuptools ``package-dir``). The tree is enumerated at test time, so a family
added later (a new sub-package not listed in pyproject.toml, a data file with an
extension package-data does not cover) makes this test fail.
"""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest

from corpuslint.registry import load_registry

REPO = Path(__file__).resolve().parents[1]
RULES = REPO / "rules"
# What the build needs from the source tree (copied, so the build never writes into it).
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "corpuslint", "rules")
IGNORED = shutil.ignore_patterns("__pycache__", "*.py[cod]", "build", "*.egg-info")


def _shipped_files(root: Path) -> list[str]:
    """Every file below ``root`` that belongs in the wheel (no caches, no dotfiles)."""
    out = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if not path.is_file() or any(
            part == "__pycache__" or part.startswith(".") for part in rel.parts
        ):
            continue
        if path.suffix in (".pyc", ".pyo"):
            continue
        out.append(rel.as_posix())
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the source tree (offline, no build isolation)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=IGNORED)
        elif path.is_file():
            shutil.copy2(path, src / name)
    out = base / "dist"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-q",
            "-w",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheels = list(out.glob("corpuslint-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def _dist_info_file(wheel: Path, names: set[str], filename: str) -> str:
    matches = [n for n in names if n.endswith(f".dist-info/{filename}") and n.count("/") == 1]
    assert len(matches) == 1, f"{filename} missing from the wheel's dist-info"
    with zipfile.ZipFile(wheel) as zf:
        return zf.read(matches[0]).decode()


def test_the_rules_tree_is_what_this_test_enumerates() -> None:
    # guards the enumeration itself: a broken glob would make the next test vacuous
    files = _shipped_files(RULES)
    assert "__init__.py" in files
    assert "fmt/__init__.py" in files
    assert any(f.startswith("fmt/") and f != "fmt/__init__.py" for f in files)


@pytest.mark.parametrize("relpath", _shipped_files(RULES))
def test_rules_file_is_in_the_wheel(names: set[str], relpath: str) -> None:
    """Every module, sub-package and data file of rules/ is shipped as corpuslint/rules/..."""
    assert f"corpuslint/rules/{relpath}" in names, (
        f"rules/{relpath} is not in the wheel: list its package in [tool.setuptools] packages "
        "or its file extension in [tool.setuptools.package-data] of pyproject.toml"
    )


def test_every_rules_package_is_a_package() -> None:
    """A directory of modules without __init__.py would be skipped by the build."""
    for directory in [RULES, *(p for p in RULES.rglob("*") if p.is_dir())]:
        if directory.name == "__pycache__" or not any(directory.glob("*.py")):
            continue
        assert (directory / "__init__.py").is_file(), f"{directory} has no __init__.py"


def test_engine_modules_are_in_the_wheel(names: set[str]) -> None:
    for path in _shipped_files(REPO / "corpuslint"):
        if path.endswith(".py"):
            assert f"corpuslint/{path}" in names


def test_only_corpuslint_at_top_level(wheel: Path, names: set[str]) -> None:
    top = {n.split("/", 1)[0] for n in names if not n.split("/", 1)[0].endswith(".dist-info")}
    assert top == {"corpuslint"}, f"unexpected top-level entries: {sorted(top - {'corpuslint'})}"
    assert not any(n.startswith("rules/") for n in names)
    assert _dist_info_file(wheel, names, "top_level.txt").split() == ["corpuslint"]


def test_entry_points_in_metadata(wheel: Path, names: set[str]) -> None:
    parser = configparser.ConfigParser(delimiters=("=",))
    parser.optionxform = str  # entry point names are case-sensitive
    parser.read_string(_dist_info_file(wheel, names, "entry_points.txt"))
    assert parser["console_scripts"]["corpuslint"].strip() == "corpuslint.cli:entry"
    registered = {k: v.strip() for k, v in parser["corpuslint.rules"].items()}
    families = sorted(p.parent.name for p in RULES.glob("*/__init__.py"))
    assert families, "no rule families found under rules/"
    # every family directory is registered, under its own module, which is in the wheel
    for family in families:
        assert registered.get(family) == f"corpuslint.rules.{family}", (family, registered)
    for name, target in registered.items():
        module = target.split(":", 1)[0].replace(".", "/")
        assert f"{module}/__init__.py" in names or f"{module}.py" in names, (name, target)


def test_metadata_names_the_package(wheel: Path, names: set[str]) -> None:
    meta = Parser().parsestr(_dist_info_file(wheel, names, "METADATA"))
    assert meta["Name"] == "corpuslint"
    assert meta["Requires-Python"] == ">=3.10"


def test_installed_wheel_loads_every_rule(wheel: Path, tmp_path: Path) -> None:
    """Unpacked on its own (a pure wheel), the package imports and finds the same rules."""
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(site)
    script = (
        "import sys, json\n"
        f"sys.path.insert(0, {str(site)!r})\n"
        "import corpuslint, corpuslint.rules\n"
        "from corpuslint.registry import load_registry\n"
        "print(json.dumps([corpuslint.__file__, corpuslint.rules.__file__,"
        " [r.code for r in load_registry().rules]]))\n"
    )
    # run from tmp_path, so the repository is not on sys.path
    proc = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    engine_file, rules_file, codes = json.loads(proc.stdout)
    assert engine_file.startswith(str(site)) and rules_file.startswith(str(site))

    assert codes == [r.code for r in load_registry().rules]


@pytest.mark.parametrize("statement", ["import rules", "import rules.fmt", "from rules import fmt"])
def test_top_level_rules_import_is_refused(statement: str) -> None:
    """With the repository root on sys.path, ``rules`` must not import as a package."""
    script = f"import sys; sys.path.insert(0, {str(REPO)!r}); {statement}"
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode != 0
    last = proc.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: ")
    assert "'corpuslint.rules'" in last and "'rules'" in last
