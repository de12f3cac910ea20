"""The ``corpuslint`` command line.

Exit codes: 0 no finding at or above ``fail-level``; 1 findings; 2 usage,
configuration or I/O error (one line on stderr, never a traceback, nothing
half-written).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from corpuslint import __version__
from corpuslint.commands import COMMANDS
from corpuslint.errors import CorpuslintError
from corpuslint.notices import set_quiet

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse's default is 2 too)
        self.exit(EXIT_ERROR, f"corpuslint: error: {message} (see `corpuslint --help`)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="corpuslint",
        description="A linter for corpora of plain-text documents.",
    )
    parser.add_argument("--version", action="version", version=f"corpuslint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        importlib.import_module(f"corpuslint.commands.{name}").add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    set_quiet(bool(getattr(args, "quiet", False)))
    try:
        return args.run(args)
    except CorpuslintError as exc:
        print(f"corpuslint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("corpuslint: interrupted", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # the reader went away (``| head``); say nothing more
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FINDINGS
    except Exception as exc:  # never a traceback for users; CORPUSLINT_DEBUG=1 shows it
        if os.environ.get("CORPUSLINT_DEBUG"):
            raise
        print(
            f"corpuslint: internal error: {type(exc).__name__}: {exc} "
            "(set CORPUSLINT_DEBUG=1 for details and please report it)",
            file=sys.stderr,
        )
        return EXIT_ERROR


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
