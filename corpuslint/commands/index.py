"""``corpuslint index build | update | stats | clear``: manage the persistent corpus index.

The index (``.corpuslint/index.sqlite`` at the project root, or the ``index`` key)
is what corpus-wide rules (duplicates, lines repeated across files) compare a
checked file with. ``check`` keeps it up to date by itself; these commands let CI
build it ahead of time, refresh it after files changed outside a check (a quick
sync trusts directory mtimes; ``update`` stats every file), inspect it, or drop it.
Paths and configuration options are those of ``check``: without a configured
``corpus``, the paths named are the corpus.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from corpuslint.session import add_path_and_config_args, build_session

HELP = "build, update, inspect or clear the corpus index used by corpus-wide rules"
ACTIONS = ("build", "update", "stats", "clear")


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("index", help=HELP, description=HELP)
    p.add_argument(
        "action",
        choices=ACTIONS,
        help="build (clear + update), update (sync with the corpus), stats, clear",
    )
    add_path_and_config_args(p)
    p.add_argument(
        "--output-format",
        choices=("text", "json"),
        default="text",
        help="how stats and summaries are printed",
    )
    p.set_defaults(run=run)


def _print(data: dict, fmt: str, text: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        sys.stdout.write(text + "\n")


def run(args: argparse.Namespace) -> int:
    from corpuslint.corpus import Corpus
    from corpuslint.progress import terminal_progress
    from corpuslint.runner import Runner, _map, summarise_entry

    session = build_session(args)
    job = session.job
    corpus = Corpus(session.settings, job.corpus_rules)
    try:
        if args.action == "clear":
            corpus.clear()
            _print(
                {"index": str(corpus.index_path), "cleared": True},
                args.output_format,
                f"Removed the index {corpus.index_path}.",
            )
            return 0
        if args.action == "stats":
            stats = corpus.stats()
            rows = [
                ("index", stats["index"]),
                ("files", stats["files"]),
                ("corpus bytes", stats["corpus_bytes"]),
                ("index bytes", stats["index_bytes"]),
                ("directories", stats["directories"]),
            ]
            rows += [("summaries", f"{code}: {n}") for code, n in stats["summaries"].items()]
            for key in ("last_sync", "last_full_sync"):
                if stats[key]:
                    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(float(stats[key])))
                    rows.append((key.replace("_", " "), when))
            lines = [f"{label:<15}{value}" for label, value in rows]
            _print(stats, args.output_format, "\n".join(lines))
            return 0
        if args.action == "build":
            corpus.clear()
        runner = Runner(job, progress=terminal_progress(args.quiet))
        start = time.perf_counter()
        counts = corpus.sync(
            {},
            lambda entries: list(
                _map(
                    job,
                    summarise_entry,
                    entries,
                    runner.jobs,
                    runner.progress("indexing", len(entries)),
                )
            ),
            full=True,
        )
        counts["seconds"] = round(time.perf_counter() - start, 3)
        counts["files"] = corpus.file_count()
        rules = ", ".join(r.code for r in job.corpus_rules) or "no corpus rules selected"
        _print(
            counts,
            args.output_format,
            f"Indexed {counts['files']} files in {counts['seconds']:.2f} s "
            f"({counts['added']} added, {counts['updated']} updated, "
            f"{counts['removed']} removed, {counts['unchanged']} unchanged; {rules}).",
        )
        return 0
    finally:
        corpus.close()
