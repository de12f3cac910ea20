"""Configuration: ``[tool.corpuslint]`` in pyproject.toml, or corpuslint.toml.

The nearest configuration going up from the first path wins (``.corpuslint.toml``
and ``corpuslint.toml`` before ``pyproject.toml`` in the same directory; a
pyproject.toml without a ``[tool.corpuslint]`` table is passed over). Command-line
flags override it. Unknown keys, wrong types, unknown rule codes and invalid
regular expressions are errors that name the file and the key.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from corpuslint.errors import ConfigError
from corpuslint.globs import validate_glob
from corpuslint.model import Severity

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILES = (".corpuslint.toml", "corpuslint.toml", "pyproject.toml")
OUTPUT_FORMATS = ("concise", "full", "json", "jsonl", "github", "sarif", "junit", "gitlab")
ENGINES = ("local", "ray")
DEFAULT_INCLUDE = ("**/*.txt",)
# Never descended into, whatever the configuration says.
ALWAYS_EXCLUDED_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".corpuslint",
        ".venv",
        "venv",
        "node_modules",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
    }
)
DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024


@dataclass(frozen=True)
class SelectionLayer:
    """One source of select/ignore settings (a config file, then the command line)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    source: str = "<command line>"


@dataclass(frozen=True)
class Settings:
    """The resolved configuration of one run."""

    root: Path
    config_path: Path | None = None
    layers: tuple[SelectionLayer, ...] = ()
    per_file_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)
    include: tuple[str, ...] = DEFAULT_INCLUDE
    exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    fail_level: Severity = Severity.WARNING
    output_format: str = "concise"
    corpus: tuple[Path, ...] | None = None
    rule_options: dict[str, dict[str, Any]] = field(default_factory=dict)
    cache_dir: Path | None = None
    index_path: Path | None = None
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    jobs: int | None = None
    engine: str = "local"
    ray_address: str | None = None

    @property
    def source(self) -> str:
        return str(self.config_path) if self.config_path else "<defaults>"

    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or self.root / ".corpuslint" / "cache"

    def resolved_index_path(self) -> Path:
        return self.index_path or self.root / ".corpuslint" / "index.sqlite"


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", source=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror or exc}", source=str(path)) from None


def read_config_file(path: Path) -> dict[str, Any] | None:
    """The corpuslint table of ``path``; None for a pyproject.toml without one."""
    data = _load_toml(path)
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        if not isinstance(tool, dict) or "corpuslint" not in tool:
            return None
        table = tool["corpuslint"]
        if not isinstance(table, dict):
            raise ConfigError("expected a table", source=str(path), key="tool.corpuslint")
        return table
    return data


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """The nearest configuration file at or above ``start``."""
    start = start.resolve()
    directory = start if start.is_dir() else start.parent
    for d in (directory, *directory.parents):
        for name in CONFIG_FILES:
            candidate = d / name
            if candidate.is_file():
                table = read_config_file(candidate)
                if table is not None:
                    return candidate, table
    return None


def _str_list(value: Any, *, source: str, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"expected a list of strings, got {value!r}", source=source, key=key)
    return tuple(value)


def _globs(value: Any, *, source: str, key: str) -> tuple[str, ...]:
    patterns = _str_list(value, source=source, key=key)
    for i, pattern in enumerate(patterns):
        try:
            validate_glob(pattern)
        except (ValueError, Exception) as exc:
            raise ConfigError(
                f"invalid glob {pattern!r}: {exc}", source=source, key=f"{key}[{i}]"
            ) from None
    return patterns


def _selectors(value: Any, *, source: str, key: str) -> tuple[str, ...]:
    return tuple(s.strip().upper() for s in _str_list(value, source=source, key=key))


def parse_config(table: dict[str, Any], *, source: str, root: Path) -> dict[str, Any]:
    """Validate a raw corpuslint table into ``Settings`` keyword arguments."""
    out: dict[str, Any] = {}
    layer: dict[str, Any] = {}
    for key, value in table.items():
        if key == "select":
            layer["select"] = _selectors(value, source=source, key=key)
        elif key == "extend-select":
            layer["extend_select"] = _selectors(value, source=source, key=key)
        elif key == "ignore":
            layer["ignore"] = _selectors(value, source=source, key=key)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(
                    f"expected a table of glob = [codes], got {value!r}", source=source, key=key
                )
            pfi = {}
            for glob, codes in value.items():
                _globs([glob], source=source, key=f"{key}")
                pfi[glob] = _selectors(codes, source=source, key=f"{key}.{glob!r}")
            out["per_file_ignores"] = pfi
        elif key == "include":
            out["include"] = _globs(value, source=source, key=key)
        elif key in ("exclude", "extend-exclude"):
            out.setdefault("exclude", ())
            out["exclude"] = out["exclude"] + _globs(value, source=source, key=key)
        elif key == "force-exclude":
            out["force_exclude"] = _bool(value, source=source, key=key)
        elif key == "fail-level":
            try:
                out["fail_level"] = Severity.parse(_str(value, source=source, key=key))
            except ValueError as exc:
                raise ConfigError(str(exc), source=source, key=key) from None
        elif key == "output-format":
            out["output_format"] = _choice(value, OUTPUT_FORMATS, source=source, key=key)
        elif key == "corpus":
            roots = _str_list(value, source=source, key=key)
            out["corpus"] = tuple((root / r).resolve() for r in roots)
        elif key == "rules":
            if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
                raise ConfigError(
                    "expected tables [tool.corpuslint.rules.<rule-name>]", source=source, key=key
                )
            out["rule_options"] = {name: dict(opts) for name, opts in value.items()}
        elif key == "cache-dir":
            out["cache_dir"] = (root / _str(value, source=source, key=key)).resolve()
        elif key == "index":
            out["index_path"] = (root / _str(value, source=source, key=key)).resolve()
        elif key == "max-file-size":
            out["max_file_size"] = _positive_int(value, source=source, key=key)
        elif key == "jobs":
            out["jobs"] = _positive_int(value, source=source, key=key)
        elif key == "engine":
            out["engine"] = _choice(value, ENGINES, source=source, key=key)
        elif key == "ray-address":
            out["ray_address"] = _str(value, source=source, key=key)
        else:
            raise ConfigError("unknown key", source=source, key=key)
    if layer:
        out["layers"] = (SelectionLayer(source=source, **layer),)
    return out


def _str(value: Any, *, source: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"expected a string, got {value!r}", source=source, key=key)
    return value


def _bool(value: Any, *, source: str, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"expected true or false, got {value!r}", source=source, key=key)
    return value


def _positive_int(value: Any, *, source: str, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ConfigError(f"expected a positive integer, got {value!r}", source=source, key=key)
    return value


def _choice(value: Any, choices: tuple[str, ...], *, source: str, key: str) -> str:
    if value not in choices:
        raise ConfigError(
            f"expected one of {', '.join(choices)}, got {value!r}", source=source, key=key
        )
    return value


def load_settings(
    start: Path,
    *,
    config_file: Path | None = None,
    isolated: bool = False,
    overrides: dict[str, Any] | None = None,
    cli_layer: SelectionLayer | None = None,
) -> Settings:
    """Find, read and validate the configuration, then apply command-line overrides."""
    kwargs: dict[str, Any] = {}
    config_path: Path | None = None
    root = Path.cwd()
    if config_file is not None:
        config_path = config_file.resolve()
        if not config_path.is_file():
            raise ConfigError("no such configuration file", source=str(config_file))
        table = read_config_file(config_path)
        if table is None:  # an explicit pyproject.toml without the table: empty config
            table = {}
        root = config_path.parent
    elif not isolated:
        found = find_config(start)
        if found is not None:
            config_path, table = found
            root = config_path.parent
    if config_path is not None:
        kwargs = parse_config(table, source=str(config_path), root=root)
    settings = Settings(root=root, config_path=config_path, **kwargs)
    if overrides:
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    if cli_layer is not None and (
        cli_layer.select is not None or cli_layer.extend_select or cli_layer.ignore
    ):
        settings = replace(settings, layers=(*settings.layers, cli_layer))
    if os.environ.get("CORPUSLINT_CACHE_DIR") and settings.cache_dir is None:
        settings = replace(settings, cache_dir=Path(os.environ["CORPUSLINT_CACHE_DIR"]))
    return settings
