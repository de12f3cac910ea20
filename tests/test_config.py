"""Configuration discovery, precedence and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpuslint.config import SelectionLayer, load_settings
from corpuslint.errors import ConfigError
from corpuslint.globs import matches
from corpuslint.model import Severity


def test_nearest_config_wins(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.corpuslint]\nfail-level = 'error'\n")
    sub = tmp_path / "corpus" / "part"
    sub.mkdir(parents=True)
    assert load_settings(sub).fail_level is Severity.ERROR
    assert load_settings(sub).root == tmp_path
    (tmp_path / "corpus" / "corpuslint.toml").write_text("fail-level = 'info'\n")
    settings = load_settings(sub)
    assert settings.fail_level is Severity.INFO
    assert settings.root == tmp_path / "corpus"


def test_pyproject_without_table_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text("output-format = 'json'\n")
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert load_settings(inner).output_format == "json"


def test_dot_file_before_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.corpuslint]\noutput-format = 'json'\n")
    (tmp_path / ".corpuslint.toml").write_text("output-format = 'sarif'\n")
    assert load_settings(tmp_path).output_format == "sarif"


def test_cli_wins_and_isolated(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text("output-format = 'json'\nselect = ['FMT']\n")
    settings = load_settings(
        tmp_path,
        overrides={"output_format": "github"},
        cli_layer=SelectionLayer(ignore=("FMT001",)),
    )
    assert settings.output_format == "github"
    assert [layer.select for layer in settings.layers] == [("FMT",), None]
    isolated = load_settings(tmp_path, isolated=True)
    assert isolated.output_format == "concise" and isolated.config_path is None


def test_paths_are_relative_to_the_config(tmp_path: Path) -> None:
    (tmp_path / "corpuslint.toml").write_text(
        "corpus = ['data/a', 'data/b']\nindex = 'state/idx.sqlite'\ncache-dir = 'state/c'\n"
    )
    settings = load_settings(tmp_path)
    assert settings.corpus == (tmp_path / "data/a", tmp_path / "data/b")
    assert settings.resolved_index_path() == tmp_path / "state/idx.sqlite"
    assert settings.resolved_cache_dir() == tmp_path / "state/c"


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ("select = 'FMT'", None),  # a single string is accepted
        ("select = [1]", "select"),
        ("include = ['']", "include[0]"),
        ("exclude = 3", "exclude"),
        ("force-exclude = 'yes'", "force-exclude"),
        ("output-format = 'xml'", "output-format"),
        ("max-file-size = 0", "max-file-size"),
        ("jobs = -1", "jobs"),
        ("engine = 'spark'", "engine"),
        ("rules = 3", "rules"),
        ("per-file-ignores = ['x']", "per-file-ignores"),
    ],
)
def test_bad_values_name_the_key(tmp_path: Path, toml: str, key: str | None) -> None:
    (tmp_path / "corpuslint.toml").write_text(toml + "\n")
    if key is None:
        load_settings(tmp_path)
        return
    with pytest.raises(ConfigError) as err:
        load_settings(tmp_path)
    assert f"corpuslint.toml: {key}: " in str(err.value)


@pytest.mark.parametrize(
    ("path", "patterns", "expected"),
    [
        ("seeds/001_a.txt", ["**/*.txt"], True),
        ("001_a.txt", ["**/*.txt"], True),
        ("seeds/001_a.md", ["**/*.txt"], False),
        ("seeds/drafts/x.txt", ["drafts"], True),
        ("seeds/drafts/x.txt", ["seeds/drafts/"], True),
        ("other/seeds/drafts/x.txt", ["seeds/drafts/"], False),
        ("seeds/000_a.txt", ["seeds/00[0-2]_*.txt"], True),
        ("seeds/003_a.txt", ["seeds/00[0-2]_*.txt"], False),
        ("seeds/003_a.txt", ["seeds/00[!0-2]_*.txt"], True),
        ("a/b/c.txt", ["a/*.txt"], False),
        ("a/b/c.txt", ["a/**/*.txt"], True),
        ("a/c.txt", ["a/**/*.txt"], True),
        ("weird [1].txt", ["*.txt"], True),
    ],
)
def test_globs(path: str, patterns: list[str], expected: bool) -> None:
    assert matches(path, patterns) is expected
