"""``corpuslint check``: lint files, optionally fix them, print findings."""

from __future__ import annotations

import argparse
import difflib
import io
import sys
from collections import Counter
from pathlib import Path

from corpuslint.atomic import write_atomic
from corpuslint.baseline import apply_baseline, load_baseline, write_baseline
from corpuslint.emitters import EmitContext, get_emitter
from corpuslint.engines import make_runner
from corpuslint.errors import CorpuslintError
from corpuslint.model import Diagnostic
from corpuslint.notices import warn
from corpuslint.progress import terminal_progress
from corpuslint.runner import FixResult
from corpuslint.session import (
    add_engine_args,
    add_path_and_config_args,
    build_session,
    fail_level,
    output_format,
)

HELP = "check files (directories are searched for **/*.txt)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("check", help=HELP, description=HELP)
    add_path_and_config_args(p)
    add_engine_args(p)
    p.add_argument("--fix", action="store_true", help="apply safe fixes (atomic writes)")
    p.add_argument(
        "--unsafe-fixes",
        action="store_true",
        help="also apply (and show as available) unsafe fixes",
    )
    p.add_argument(
        "--diff", action="store_true", help="show the fixes as a unified diff; write nothing"
    )
    p.add_argument(
        "--output-format",
        type=output_format,
        metavar="FORMAT",
        help="concise (default), full, json, jsonl, github, sarif, junit, gitlab",
    )
    p.add_argument(
        "-o",
        "--output-file",
        type=Path,
        metavar="FILE",
        help="write the report to FILE instead of stdout",
    )
    p.add_argument(
        "--statistics",
        action="store_true",
        help="print the number of findings per rule instead of the findings",
    )
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    p.add_argument(
        "--fail-level",
        type=fail_level,
        metavar="LEVEL",
        help="lowest severity that makes the exit code 1: info, warning, error",
    )
    p.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="report only findings not recorded in this baseline file",
    )
    p.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record all current findings in FILE (and exit 0)",
    )
    p.set_defaults(run=run)


def _unified_diff(fix: FixResult) -> str:
    assert fix.original is not None and fix.fixed is not None
    return "".join(
        difflib.unified_diff(
            fix.original.splitlines(keepends=True),
            fix.fixed.splitlines(keepends=True),
            fromfile=f"a/{fix.display}",
            tofile=f"b/{fix.display}",
        )
    )


def _statistics(diagnostics: list[Diagnostic], unsafe: bool) -> str:
    counts = Counter((d.code, d.name) for d in diagnostics)
    fixable = {d.code for d in diagnostics if d.fix is not None and d.fix.is_applicable(unsafe)}
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = []
    for (code, name), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        marker = "[*]" if code in fixable else "[ ]"
        lines.append(f"{n:>{width}}\t{code}\t{marker} {name}")
    return "\n".join(lines) + ("\n" if lines else "")


def run(args: argparse.Namespace) -> int:
    session = build_session(
        args, overrides={"output_format": args.output_format, "fail_level": args.fail_level}
    )
    settings = session.settings
    if not session.sources:
        warn("no files to check (include: " + ", ".join(settings.include) + ")")
    runner = make_runner(session.job, progress=terminal_progress(args.quiet))
    outcome = runner.check(session.sources)
    stdin_source = next((s for s in session.sources if s.stdin is not None), None)
    fixed = 0
    out = sys.stdout

    if args.diff or args.fix:
        fixes = runner.fix(session.sources, outcome, unsafe=args.unsafe_fixes, dry_run=args.diff)
        outcome.errors.extend(f.error for f in fixes if f.error)
        for f in fixes:
            if f.warning:  # e.g. changed on disk meanwhile: left as it is
                warn(f.warning)
        changed = [f for f in fixes if f.fixed is not None]
        if args.diff:
            for f in changed:
                out.write(_unified_diff(f))
            n = sum(sum(f.counts.values()) for f in changed)
            if not args.quiet:
                print(
                    f"Would fix {n} finding{'s' if n != 1 else ''} in "
                    f"{len(changed)} file{'s' if len(changed) != 1 else ''}.",
                    file=sys.stderr,
                )
            for e in outcome.errors:
                print(f"corpuslint: error: {e}", file=sys.stderr)
            return 2 if outcome.errors else (1 if changed else 0)
        fixed = sum(sum(f.counts.values()) for f in changed if f.written or stdin_source)
        if stdin_source is not None:
            text = (
                changed[0].fixed
                if changed
                else stdin_source.stdin.decode("utf-8", "surrogateescape")
            )
            sys.stdout.write(text)
            sys.stdout.flush()
            out = sys.stderr  # the fixed document owns stdout
            if changed:
                stdin_source.stdin = changed[0].fixed.encode("utf-8")
        if any(f.written for f in changed) or (stdin_source is not None and changed):
            errors = outcome.errors
            outcome = runner.check(session.sources)
            outcome.errors = errors + outcome.errors

    relpaths = {s.entry.display: s.entry.relpath for s in session.sources}
    pairs = [(relpaths.get(d.path, d.path), d) for d in outcome.diagnostics]
    if args.write_baseline is not None:
        write_baseline(args.write_baseline, pairs)
        if not args.quiet:
            print(
                f"Wrote {len(pairs)} finding{'s' if len(pairs) != 1 else ''} to the baseline "
                f"{args.write_baseline}.",
                file=sys.stderr,
            )
        for e in outcome.errors:
            print(f"corpuslint: error: {e}", file=sys.stderr)
        return 2 if outcome.errors else 0
    diagnostics = outcome.diagnostics
    if args.baseline is not None:
        diagnostics = apply_baseline(load_baseline(args.baseline), pairs)

    buffer = io.StringIO()
    if args.statistics and settings.output_format in ("json", "jsonl"):
        from corpuslint.emitters.statistics import emit_json

        emit_json(diagnostics, settings.output_format, args.unsafe_fixes, buffer)
    elif args.statistics:
        buffer.write(_statistics(diagnostics, args.unsafe_fixes))
    else:
        ctx = EmitContext(
            format=settings.output_format,
            rules=session.rule_classes,
            files=outcome.files,
            paths=[s.entry.display for s in session.sources],
            unsafe_fixes=args.unsafe_fixes,
            fixed=fixed,
            quiet=args.quiet,
            color=False,
        )
        get_emitter(settings.output_format).emit(diagnostics, ctx, buffer)
    report = buffer.getvalue()
    if args.output_file is not None:
        try:
            write_atomic(args.output_file, report.encode("utf-8"))
        except OSError as exc:
            raise CorpuslintError(
                f"{args.output_file}: cannot write: {exc.strerror or exc}"
            ) from None
    else:
        out.write(report)
        out.flush()

    for e in outcome.errors:
        print(f"corpuslint: error: {e}", file=sys.stderr)
    if outcome.errors:
        return 2
    if args.exit_zero:
        return 0
    failing = any(d.severity.rank >= settings.fail_level.rank for d in diagnostics)
    return 1 if failing else 0
