"""Finds rules through the entry-point group ``corpuslint.rules`` (flake8's model).

An entry point names a module (or any object) holding a ``RULES`` sequence of rule
classes, a rule class itself, a list of them, or a callable returning rule classes. The built-in
families are registered exactly the same way as third-party plugins.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from corpuslint.errors import CorpuslintError
from corpuslint.rule import CorpusRule, DocumentRule, Rule

ENTRY_POINT_GROUP = "corpuslint.rules"


@dataclass(frozen=True)
class Registry:
    """All known rules, by code and by name."""

    rules: tuple[type[Rule], ...]
    by_code: dict[str, type[Rule]] = field(default_factory=dict)
    by_name: dict[str, type[Rule]] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # code -> "dist==version"

    def get(self, code_or_name: str) -> type[Rule] | None:
        return self.by_code.get(code_or_name.upper()) or self.by_name.get(code_or_name)

    def matching(self, prefix: str) -> list[type[Rule]]:
        prefix = prefix.upper()
        if prefix == "ALL":
            return list(self.rules)
        return [r for r in self.rules if r.code.startswith(prefix)]

    def is_known_selector(self, prefix: str) -> bool:
        return prefix.upper() == "ALL" or bool(self.matching(prefix))

    def fingerprint(self) -> str:
        """The distributions (with versions) that provide rules, for cache keys."""
        return ";".join(sorted(set(self.sources.values())))


def _rules_from(obj: object) -> Iterable[type[Rule]]:
    if isinstance(obj, type) and issubclass(obj, Rule):
        return [obj]
    if isinstance(obj, (list, tuple)):
        return list(obj)
    rules = getattr(obj, "RULES", None)
    if rules is None and callable(obj):
        rules = obj()
    if rules is None:
        raise TypeError(
            "an entry point must name a rule class, a module with RULES, "
            "or a callable returning rule classes"
        )
    return list(rules)


def build_registry(entries: Iterable[tuple[str, str, object]]) -> Registry:
    """Build a registry from ``(entry point name, distribution, loaded object)``."""
    rules: list[type[Rule]] = []
    by_code: dict[str, type[Rule]] = {}
    by_name: dict[str, type[Rule]] = {}
    sources: dict[str, str] = {}
    for ep_name, dist, obj in entries:
        for rule in _rules_from(obj):
            if not (isinstance(rule, type) and issubclass(rule, (DocumentRule, CorpusRule))):
                raise CorpuslintError(
                    f"plugin {ep_name!r} ({dist}) provides {rule!r}, which is not a rule class"
                )
            for table, key in ((by_code, rule.code), (by_name, rule.name)):
                other = table.get(key)
                if other is not None and other is not rule:
                    raise CorpuslintError(
                        f"plugin {ep_name!r} ({dist}) registers {key} again "
                        f"(already provided by {sources.get(other.code, '?')})"
                    )
            if rule.code in by_code:
                continue
            rules.append(rule)
            by_code[rule.code] = rule
            by_name[rule.name] = rule
            sources[rule.code] = dist
    rules.sort(key=lambda r: r.code)
    return Registry(tuple(rules), by_code, by_name, sources)


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    """Load every installed rule family (cached for the life of the process)."""
    from importlib.metadata import entry_points

    entries = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        dist = f"{ep.dist.name}=={ep.dist.version}" if ep.dist is not None else ep.value
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plugin must not take the linter down
            raise CorpuslintError(
                f"cannot load rule plugin {ep.name!r} from {dist}: {type(exc).__name__}: {exc}"
            ) from exc
        entries.append((ep.name, dist, obj))
    if not entries:
        raise CorpuslintError(
            "no rules found: corpuslint is not installed (entry points missing); "
            f"install it with pip (python {sys.version.split()[0]})"
        )
    return build_registry(entries)
