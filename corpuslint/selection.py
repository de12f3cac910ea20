"""Which rules run, and which findings are kept.

Selection is applied layer by layer (configuration file, then command line). In a
layer, ``select`` (when given) starts again from nothing, then ``select`` and
``extend-select`` entries add and ``ignore`` entries remove rules, least specific
prefix first, so the longest matching prefix wins (flake8's decision engine); on
a tie ``ignore`` wins. ``ALL`` matches every rule. Rules that are off by default
run only when a selector names their full code.
"""

from __future__ import annotations

from dataclasses import dataclass

from corpuslint.config import SelectionLayer, Settings
from corpuslint.errors import ConfigError
from corpuslint.globs import compile_glob
from corpuslint.options import build_options
from corpuslint.registry import Registry
from corpuslint.rule import Rule


def _specificity(prefix: str) -> int:
    return 0 if prefix == "ALL" else len(prefix)


def validate_selectors(registry: Registry, settings: Settings) -> None:
    """Unknown rule codes anywhere in the configuration are an error naming the key."""
    for layer in settings.layers:
        for key, values in (
            ("select", layer.select or ()),
            ("extend-select", layer.extend_select),
            ("ignore", layer.ignore),
        ):
            for value in values:
                if not registry.is_known_selector(value):
                    raise ConfigError(
                        f"unknown rule code or prefix {value!r}",
                        source=layer.source,
                        key=key if layer.source != "<command line>" else f"--{key}",
                    )
    for glob, codes in settings.per_file_ignores.items():
        for code in codes:
            if not registry.is_known_selector(code):
                raise ConfigError(
                    f"unknown rule code or prefix {code!r}",
                    source=settings.source,
                    key=f"per-file-ignores.{glob!r}",
                )


def _matches(rule: type[Rule], prefix: str, *, selecting: bool) -> bool:
    if prefix == "ALL":
        return rule.default_enabled or not selecting
    if not rule.code.startswith(prefix):
        return False
    return rule.default_enabled or not selecting or prefix == rule.code


def selected_rules(registry: Registry, layers: tuple[SelectionLayer, ...]) -> list[type[Rule]]:
    enabled = {r.code for r in registry.rules if r.default_enabled}
    for layer in layers:
        if layer.select is not None:
            enabled = set()
        entries = [(p, True) for p in (*(layer.select or ()), *layer.extend_select)]
        entries += [(p, False) for p in layer.ignore]
        # least specific first; on equal specificity select before ignore (ignore wins)
        entries.sort(key=lambda e: (_specificity(e[0]), not e[1]))
        for prefix, selecting in entries:
            for rule in registry.rules:
                if _matches(rule, prefix, selecting=selecting):
                    if selecting:
                        enabled.add(rule.code)
                    else:
                        enabled.discard(rule.code)
    return [r for r in registry.rules if r.code in enabled]


def instantiate(rules: list[type[Rule]], registry: Registry, settings: Settings) -> list[Rule]:
    """Create rule objects with their validated options."""
    for name in settings.rule_options:
        if registry.get(name) is None or registry.by_name.get(name) is None:
            hint = ""
            rule = registry.get(name)
            if rule is not None:
                hint = f" (use the rule name {rule.name!r})"
            raise ConfigError(
                f"unknown rule name{hint}", source=settings.source, key=f"rules.{name}"
            )
    options = {
        name: build_options(
            registry.by_name[name].Options, raw, source=settings.source, prefix=f"rules.{name}"
        )
        for name, raw in settings.rule_options.items()
    }
    return [rule(options.get(rule.name)) for rule in rules]


@dataclass(frozen=True)
class FindingFilter:
    """Drops findings of rules ignored for a path by ``per-file-ignores``."""

    per_file_ignores: dict[str, tuple[str, ...]]

    def ignored_codes(self, relpath: str) -> tuple[str, ...]:
        codes: list[str] = []
        for glob, prefixes in self.per_file_ignores.items():
            if compile_glob(glob).match(relpath):
                codes.extend(prefixes)
        return tuple(codes)

    def keeps(self, code: str, ignored: tuple[str, ...]) -> bool:
        return not any(p == "ALL" or code.startswith(p) for p in ignored)
