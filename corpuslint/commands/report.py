"""``corpuslint report``: a self-contained HTML health report of the corpus.

Runs a normal check (same paths, configuration and selection options as
``check``), measures each file (``corpuslint.signals``) and writes one HTML file
(atomically). The report is not a gate: exit 0 when it is written, 2 on an
error (a file or rule that failed is listed in the report and on stderr, and the
exit code is 2; a configuration or write error writes nothing).
"""

from __future__ import annotations

import argparse
from pathlib import Path

HELP = "write a self-contained HTML health report of the corpus"


def _byte_size(value: str) -> int:
    units = {"k": 1_000, "m": 1_000_000, "g": 1_000_000_000}
    text = value.strip().lower().removesuffix("b")
    factor = units.get(text[-1:], 1)
    if text[-1:] in units:
        text = text[:-1]
    try:
        n = int(float(text) * factor)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid size {value!r} (a number of bytes, or with k, M or G)"
        ) from None
    if n < 0:
        raise argparse.ArgumentTypeError("the size must not be negative")
    return n


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from corpuslint.session import add_engine_args, add_path_and_config_args

    p = subparsers.add_parser("report", help=HELP, description=HELP)
    add_path_and_config_args(p)
    add_engine_args(p)
    p.add_argument(
        "-o",
        "--output-file",
        type=Path,
        metavar="FILE",
        required=True,
        help="the HTML file to write (e.g. report.html)",
    )
    p.add_argument(
        "--max-embedded-text-bytes",
        type=_byte_size,
        metavar="BYTES",
        default=None,
        help="budget for the document texts and finding details embedded for the file "
        "view, spent on the worst files first (default 10M; 0 embeds none; every file is "
        "always listed with its figures)",
    )
    p.add_argument("--title", metavar="TEXT", help="the report's title")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import sys
    from datetime import datetime, timezone

    from corpuslint import __version__
    from corpuslint.atomic import write_atomic
    from corpuslint.engines import make_runner
    from corpuslint.errors import CorpuslintError
    from corpuslint.notices import warn
    from corpuslint.progress import terminal_progress
    from corpuslint.report import ReportOptions, render_report
    from corpuslint.report.collect import (
        collect,
        garble_threshold,
        measuring,
        mt_engine,
        text_loader,
    )
    from corpuslint.report.model import DEFAULT_MAX_EMBEDDED_TEXT_BYTES
    from corpuslint.session import build_session

    session = build_session(args)
    if not session.sources:
        warn("no files to check (include: " + ", ".join(session.settings.include) + ")")
    progress = terminal_progress(args.quiet)
    job = measuring(session.job)
    runner = make_runner(job, progress=progress)
    outcome = runner.check(session.sources)
    errors = list(outcome.errors)
    files = collect(job, runner, session.sources, outcome, errors, progress)
    budget = args.max_embedded_text_bytes
    options = ReportOptions(
        title=args.title or "Corpus health report",
        max_embedded_text_bytes=DEFAULT_MAX_EMBEDDED_TEXT_BYTES if budget is None else budget,
        text_loader=text_loader(session.sources, outcome, session.settings.max_file_size),
        rules={
            r.code: (r.name, r.severity.value, (r.__doc__ or "").strip().split("\n")[0])
            for r in session.rules
        },
        garble_threshold=garble_threshold(session.rules),
        mt_measured=mt_engine(session.rules) is not None,
        errors=errors,
        paths=list(args.paths or ["."]),
        generated=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
    )
    html = render_report(files, options).encode("utf-8", "replace")
    try:
        write_atomic(args.output_file, html)
    except OSError as exc:
        raise CorpuslintError(f"{args.output_file}: cannot write: {exc.strerror or exc}") from None
    if not args.quiet:
        n = len(outcome.diagnostics)
        print(
            f"Wrote {args.output_file} ({len(files):,} file{'s' if len(files) != 1 else ''}, "
            f"{n:,} finding{'s' if n != 1 else ''}, {len(html) / 1_000_000:.1f} MB).",
            file=sys.stderr,
        )
    for e in errors:
        print(f"corpuslint: error: {e}", file=sys.stderr)
    return 2 if errors else 0
