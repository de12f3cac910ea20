"""What every command that lints shares: flags, settings, rules, sources.

``check``, ``report`` and ``signals`` take the same path, configuration and
selection options, so they are defined once here.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from corpuslint.config import ENGINES, OUTPUT_FORMATS, SelectionLayer, Settings, load_settings
from corpuslint.errors import CorpuslintError
from corpuslint.files import STDIN, FileEntry, discover, root_relative
from corpuslint.model import Severity
from corpuslint.registry import Registry, load_registry
from corpuslint.rule import CheckContext, Rule
from corpuslint.runner import Job, Source, fingerprint
from corpuslint.selection import (
    FindingFilter,
    instantiate,
    selected_rules,
    validate_selectors,
)


def _codes(value: str) -> list[str]:
    return [v.strip().upper() for v in value.split(",") if v.strip()]


def add_path_and_config_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories to check (default: .); - reads stdin",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        type=Path,
        help="use this configuration file (pyproject.toml or corpuslint.toml)",
    )
    parser.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    parser.add_argument(
        "--select",
        type=_codes,
        metavar="CODES",
        help="comma-separated rule codes or prefixes to enable (or ALL); "
        "replaces the configured selection",
    )
    parser.add_argument(
        "--extend-select",
        type=_codes,
        metavar="CODES",
        default=[],
        help="rule codes or prefixes to enable in addition",
    )
    parser.add_argument(
        "--ignore",
        type=_codes,
        metavar="CODES",
        default=[],
        help="rule codes or prefixes to disable",
    )
    parser.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="read the document from stdin and report it under this name",
    )
    parser.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    parser.add_argument(
        "--jobs", "-j", type=int, metavar="N", help="worker processes (default: number of CPUs)"
    )
    parser.add_argument(
        "--force-exclude",
        action="store_true",
        default=None,
        help="apply exclude even to files named on the command line",
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", help="print findings only (no summary, no warnings)"
    )


def add_engine_args(parser: argparse.ArgumentParser) -> None:
    """``--engine`` and ``--ray-address`` (commands that run a check)."""
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        help='where the check runs: "local" processes (default) or a "ray" cluster '
        "(pip install 'corpuslint[ray]')",
    )
    parser.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="the Ray cluster to run on (host:port, ray://host:port, auto or local; "
        "default: RAY_ADDRESS, else Ray's own choice); with --engine ray",
    )


@dataclass
class Session:
    settings: Settings
    registry: Registry
    rules: list[Rule]
    sources: list[Source]
    job: Job

    def relpath(self, display: str) -> str:
        for source in self.sources:
            if source.entry.display == display:
                return source.entry.relpath
        return display

    @property
    def rule_classes(self) -> dict[str, type[Rule]]:
        return {r.code: type(r) for r in self.rules}


def _read_stdin() -> bytes:
    try:
        return sys.stdin.buffer.read()
    except (OSError, AttributeError) as exc:
        raise CorpuslintError(f"cannot read stdin: {exc}") from None


def build_session(args: argparse.Namespace, *, overrides: dict | None = None) -> Session:
    """Load configuration and rules and find the files, from parsed arguments."""
    paths = list(args.paths or [])
    use_stdin = args.stdin_filename is not None and (not paths or paths == [STDIN])
    use_stdin = use_stdin or paths == [STDIN]
    if STDIN in paths and not use_stdin:
        raise CorpuslintError("'-' (stdin) cannot be combined with other paths")
    if args.jobs is not None and args.jobs < 1:
        raise CorpuslintError("--jobs must be at least 1")
    start_name = (
        args.stdin_filename
        if use_stdin and args.stdin_filename
        else (paths[0] if paths and not use_stdin else ".")
    )
    start = Path(start_name)
    if not start.exists():
        start = start.parent if str(start.parent) else Path(".")
    cli_layer = SelectionLayer(
        select=tuple(args.select) if args.select is not None else None,
        extend_select=tuple(args.extend_select),
        ignore=tuple(args.ignore),
    )
    all_overrides = {
        "force_exclude": args.force_exclude,
        "jobs": args.jobs,
        "engine": getattr(args, "engine", None),
        "ray_address": getattr(args, "ray_address", None),
    }
    all_overrides.update(overrides or {})
    settings = load_settings(
        start if start.exists() else Path("."),
        config_file=args.config,
        isolated=args.isolated,
        overrides=all_overrides,
        cli_layer=cli_layer,
    )
    if getattr(args, "ray_address", None) is not None and settings.engine != "ray":
        raise CorpuslintError('--ray-address needs --engine ray (or engine = "ray")')
    if settings.engine != "local":
        from corpuslint.engines import check_engine_available

        check_engine_available(settings)
    registry = load_registry()
    validate_selectors(registry, settings)
    rules = instantiate(selected_rules(registry, settings.layers), registry, settings)
    cwd = Path.cwd()
    if use_stdin:
        name = args.stdin_filename or "-"
        abspath = (cwd / name).absolute()
        entry = FileEntry(name, abspath, root_relative(abspath, settings.root))
        sources = [Source(entry, stdin=_read_stdin())]
    else:
        sources = [Source(e) for e in discover(paths or ["."], settings, cwd)]
    if settings.corpus is None:
        # Without a configured corpus, corpus-wide rules see the paths of this run.
        roots = tuple((cwd / p).absolute() for p in (paths or ["."]) if p != STDIN)
        settings = _with_corpus(settings, roots)
    ctx = CheckContext(root=settings.root, max_file_size=settings.max_file_size)
    job = Job(
        settings=settings,
        rules=rules,
        ctx=ctx,
        fingerprint=fingerprint(settings, rules, registry.fingerprint(), ctx),
        use_cache=not args.no_cache,
        finding_filter=FindingFilter(settings.per_file_ignores),
    )
    return Session(settings, registry, rules, sources, job)


def _with_corpus(settings: Settings, roots: tuple[Path, ...]) -> Settings:
    from dataclasses import replace

    return replace(settings, corpus=roots)


def fail_level(value: str) -> Severity:
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def output_format(value: str) -> str:
    if value not in OUTPUT_FORMATS:
        raise argparse.ArgumentTypeError(
            f"invalid choice {value!r} (choose from {', '.join(OUTPUT_FORMATS)})"
        )
    return value
