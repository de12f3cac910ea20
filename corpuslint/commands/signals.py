"""``corpuslint signals``: per-document quality signals as JSONL.

Runs a normal check (same paths, configuration and selection as ``check``),
then writes one JSON object per document (see ``corpuslint.signals``). Exit
code 0, or 2 on an error.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

HELP = "write per-document quality signals (JSONL) for filtering and ranking"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    from corpuslint.session import add_engine_args, add_path_and_config_args

    p = subparsers.add_parser("signals", help=HELP, description=HELP)
    add_path_and_config_args(p)
    add_engine_args(p)
    p.add_argument(
        "-o", "--output-file", type=Path, metavar="FILE", help="write to FILE instead of stdout"
    )
    p.add_argument(
        "--no-sentences",
        action="store_true",
        help="leave out the per-sentence MT records (document figures only)",
    )
    p.set_defaults(run=run)


def _mt_engine(session):
    from corpuslint.rules.mt.analysis import EngineConfig

    codes = {r.code for r in session.rules}
    if not any(c.startswith("MT") for c in codes):
        return None
    for rule in session.rules:
        if rule.code == "MT001":
            return rule.options.engine_config
    return EngineConfig()


def run(args: argparse.Namespace) -> int:
    from corpuslint.atomic import write_atomic
    from corpuslint.engines import make_runner
    from corpuslint.errors import CorpuslintError
    from corpuslint.notices import warn
    from corpuslint.runner import read_source
    from corpuslint.session import build_session
    from corpuslint.signals import SignalOptions, document_signals

    session = build_session(args)
    if not session.sources:
        warn("no files to check (include: " + ", ".join(session.settings.include) + ")")
    outcome = make_runner(session.job).check(session.sources)
    options = SignalOptions(mt=_mt_engine(session), sentences=not args.no_sentences)
    by_path: dict = {}
    for d in outcome.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    buffer = io.StringIO()
    errors = list(outcome.errors)
    for source in session.sources:
        try:
            doc = read_source(source, session.settings.max_file_size)[0]
        except OSError as exc:
            errors.append(f"{source.entry.display}: {exc.strerror or exc}")
            continue
        try:
            record = document_signals(doc, by_path.get(doc.path, []), options)
        except CorpuslintError as exc:
            errors.append(f"{doc.path}: {exc}")
            continue
        buffer.write(json.dumps(record, ensure_ascii=False) + "\n")
    text = buffer.getvalue()
    if args.output_file is not None:
        try:
            write_atomic(args.output_file, text.encode("utf-8"))
        except OSError as exc:
            raise CorpuslintError(
                f"{args.output_file}: cannot write: {exc.strerror or exc}"
            ) from None
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    for e in errors:
        print(f"corpuslint: error: {e}", file=sys.stderr)
    return 2 if errors else 0
