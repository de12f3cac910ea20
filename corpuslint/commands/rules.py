"""``corpuslint rules``: a table of every installed rule."""

from __future__ import annotations

import argparse
import json
import sys

from corpuslint.registry import load_registry
from corpuslint.rule import CorpusRule

HELP = "list all rules (built-in and plugins)"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("rules", help=HELP, description=HELP)
    p.add_argument("--output-format", choices=("text", "json"), default="text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    registry = load_registry()
    rows = [
        {
            "code": r.code,
            "name": r.name,
            "severity": r.severity.value,
            "fix": r.fix_availability.value,
            "scope": "corpus" if issubclass(r, CorpusRule) else "document",
            "default": r.default_enabled,
            "summary": r.summary(),
            "source": registry.sources.get(r.code, "?"),
        }
        for r in registry.rules
    ]
    if args.output_format == "json":
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    width = max((len(r["name"]) for r in rows), default=4)
    for r in rows:
        fix = {"none": "   ", "sometimes": "(*)", "always": "[*]"}[r["fix"]]
        flag = "" if r["default"] else " (off by default)"
        sys.stdout.write(f"{r['code']}  {fix}  {r['name']:<{width}}  {r['summary']}{flag}\n")
    sys.stdout.write(
        f"\n{len(rows)} rules. [*] always fixable, (*) sometimes fixable. "
        "Details: corpuslint rule CODE\n"
    )
    return 0
