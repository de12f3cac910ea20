"""``corpuslint rule CODE``: print a rule's documentation."""

from __future__ import annotations

import argparse
import sys

from corpuslint.errors import CorpuslintError
from corpuslint.model import FixAvailability
from corpuslint.options import options_as_dict
from corpuslint.registry import load_registry
from corpuslint.rule import CorpusRule, Rule

HELP = "print the documentation of a rule"

_FIX_TEXT = {
    FixAvailability.NONE: "No fix is available.",
    FixAvailability.SOMETIMES: "A fix is sometimes available.",
    FixAvailability.ALWAYS: "A fix is always available.",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("rule", help=HELP, description=HELP)
    p.add_argument("code", metavar="CODE", help="rule code (FMT001) or name")
    p.set_defaults(run=run)


def render(rule: type[Rule]) -> str:
    kind = "corpus-wide" if issubclass(rule, CorpusRule) else "per document"
    lines = [
        f"# {rule.name} ({rule.code})",
        "",
        f"Severity: {rule.severity.value}. Scope: {kind}. {_FIX_TEXT[rule.fix_availability]}"
        + ("" if rule.default_enabled else " Off by default: select it by its code."),
        "",
        rule.docs(),
    ]
    options = options_as_dict(rule.Options())
    if options:
        lines += ["", "## Options", "", f"[tool.corpuslint.rules.{rule.name}]"]
        for key, value in options.items():
            lines.append(f"{key} = {_toml(value)}")
    return "\n".join(lines).rstrip() + "\n"


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value + "'" if "'" not in value and "\n" not in value else repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k!r} = {_toml(v)}" for k, v in value.items()) + " }"
    return str(value)


def run(args: argparse.Namespace) -> int:
    registry = load_registry()
    rule = registry.get(args.code)
    if rule is None:
        raise CorpuslintError(f"unknown rule {args.code!r} (see `corpuslint rules`)")
    sys.stdout.write(render(rule))
    return 0
