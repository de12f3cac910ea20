"""Typed validation of per-rule options (``[tool.corpuslint.rules.<rule-name>]``).

A rule's ``Options`` is a frozen dataclass. Field types drive validation; a field
whose metadata has ``regex=True`` must hold a valid regular expression (or a list
of them). Errors name the file and the dotted key.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from typing import Any

from corpuslint.errors import ConfigError

# A user regex is compiled with this bound on its length; pathological patterns
# are rejected by ``check_regex`` before any text is matched with them.
MAX_REGEX_LENGTH = 2000


def regex_field(default: Any, **kwargs: Any) -> Any:
    """A dataclass field holding a regular expression (or a list of them)."""
    if isinstance(default, (list, tuple, dict)):
        return dataclasses.field(
            default_factory=lambda: type(default)(default), metadata={"regex": True}, **kwargs
        )
    return dataclasses.field(default=default, metadata={"regex": True}, **kwargs)


def check_regex(pattern: str, *, source: str | None, key: str) -> None:
    if not isinstance(pattern, str):
        raise ConfigError(
            f"expected a regular expression string, got {pattern!r}", source=source, key=key
        )
    if len(pattern) > MAX_REGEX_LENGTH:
        raise ConfigError(
            f"regular expression longer than {MAX_REGEX_LENGTH} characters", source=source, key=key
        )
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ConfigError(
            f"invalid regular expression {pattern!r}: {exc}", source=source, key=key
        ) from None
    if _NESTED.search(pattern):
        raise ConfigError(
            f"regular expression {pattern!r} nests quantifiers (like (a+)+), which can "
            "backtrack catastrophically; rewrite it without the nested repetition",
            source=source,
            key=key,
        )
    why = ambiguous_repeat(pattern)
    if why is not None:
        raise ConfigError(
            f"regular expression {pattern!r} has {why} (like (a+)+, (a|aa)+ or (a?)*), "
            "which can backtrack catastrophically; rewrite it so that each repetition "
            "can match the text in only one way",
            source=source,
            key=key,
        )


# A group that is itself repeated and contains a repeated element: (a+)+, (\w*)*,
# (a|aa)+ with a quantified member. Conservative: it rejects the classic shapes.
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,\d*\})")


def _has_nested_quantifier(pattern: str) -> bool:
    return bool(_NESTED.search(pattern)) or ambiguous_repeat(pattern) is not None


# -- repeats that can backtrack exponentially, found in the parsed pattern ------------
#
# A repeated part whose body can match the same text in more than one way makes a
# failing match try every way: ``(a+)+$``, ``(a|aa)+$``, ``(.|\s)*$``, ``(a?){30}a{30}``.
# The parse tree shows the three shapes: a body holding a repeat of variable length,
# a body that can match the empty string, and a body with alternatives that can start
# with the same character. (Polynomial cases such as ``.*.*.*x`` are not caught.)

_MAX_REPEAT = 2**32 - 1
# Characters tried when two first-character sets are compared (besides the ones the
# sets name): one of each category a class may name.
_PROBES = "aA0 \t\n_-.é"


def ambiguous_repeat(pattern: str) -> str | None:
    """Why ``pattern`` can backtrack exponentially, or None."""
    try:
        from re import _parser as sre_parse  # Python 3.11+
    except ImportError:  # pragma: no cover
        import sre_parse  # type: ignore[no-redef]
    try:
        tree = sre_parse.parse(pattern)
    except Exception:
        return None
    ignorecase = bool(tree.state.flags & re.IGNORECASE)
    return _scan(list(tree), ignorecase, repeated=False)


def _scan(items: list, ignorecase: bool, repeated: bool) -> str | None:
    from re import _constants as c

    for op, av in items:
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, high, body = av
            body = list(body)
            if high > 1:
                if repeated and low != high:
                    return "a repeat inside a repeat"
                if _nullable(body):
                    return "a repeated part that can match nothing"
                if _overlapping_branches(body, ignorecase):
                    return "a repeated choice whose alternatives start alike"
            why = _scan(body, ignorecase, repeated or high > 1)
            if why:
                return why
        elif op == c.SUBPATTERN:
            why = _scan(list(av[-1]), ignorecase, repeated)
            if why:
                return why
        elif op == c.BRANCH:
            for branch in av[1]:
                why = _scan(list(branch), ignorecase, repeated)
                if why:
                    return why
        elif op in (c.ASSERT, c.ASSERT_NOT):
            why = _scan(list(av[1]), ignorecase, repeated)
            if why:
                return why
    return None


def _nullable(items: list) -> bool:
    from re import _constants as c

    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT) and (
            av[0] == 0 or _nullable(list(av[2]))
        ):
            continue
        if op == c.SUBPATTERN and _nullable(list(av[-1])):
            continue
        if op == c.ATOMIC_GROUP and _nullable(list(av)):
            continue
        if op == c.BRANCH and any(_nullable(list(b)) for b in av[1]):
            continue
        return False
    return True


def _first(items: list) -> list | None:
    """The first-character tests of ``items`` (None: any character may start it)."""
    from re import _constants as c

    out: list = []
    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue
        if op == c.LITERAL:
            return [*out, (op, av)]
        if op == c.IN:
            return [*out, (op, av)]
        if op == c.SUBPATTERN:
            sub = _first(list(av[-1]))
            if sub is None:
                return None
            out += sub
            if not _nullable(list(av[-1])):
                return out
            continue
        if op == c.BRANCH:
            for b in av[1]:
                sub = _first(list(b))
                if sub is None:
                    return None
                out += sub
            if not any(_nullable(list(b)) for b in av[1]):
                return out
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            sub = _first(list(av[2]))
            if sub is None:
                return None
            out += sub
            if av[0] > 0 and not _nullable(list(av[2])):
                return out
            continue
        return None  # any character, a back reference, a negated literal: assume any
    return out


def _matches(tests: list, ch: str, ignorecase: bool) -> bool:
    from re import _constants as c

    chars = {ch, ch.lower(), ch.upper()} if ignorecase else {ch}
    for op, av in tests:
        if op == c.LITERAL and chr(av) in chars:
            return True
        if op == c.IN and any(_in_class(av, x) for x in chars):
            return True
    return False


def _in_class(items: list, ch: str) -> bool:
    from re import _constants as c

    negate = False
    hit = False
    for op, av in items:
        if op == c.NEGATE:
            negate = True
        elif op == c.LITERAL:
            hit = hit or ch == chr(av)
        elif op == c.RANGE:
            hit = hit or av[0] <= ord(ch) <= av[1]
        elif op == c.CATEGORY:
            hit = hit or bool(re.match(_CATEGORIES.get(str(av), "(?!)"), ch))
    return hit != negate


_CATEGORIES = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
}


def _probe_chars(tests: list) -> set[str]:
    from re import _constants as c

    out = set(_PROBES)
    for op, av in tests:
        if op == c.LITERAL:
            out.add(chr(av))
        elif op == c.IN:
            for iop, iav in av:
                if iop == c.LITERAL:
                    out.add(chr(iav))
                elif iop == c.RANGE:
                    out.update((chr(iav[0]), chr(iav[1])))
    return out


def _overlapping_branches(body: list, ignorecase: bool) -> bool:
    """Whether a choice in ``body`` (outside nested repeats, which are checked on their
    own) has an alternative that can match nothing, or two that can start with the same
    character (or one that may start with anything)."""
    from re import _constants as c

    for op, av in body:
        if op == c.SUBPATTERN:
            if _overlapping_branches(list(av[-1]), ignorecase):
                return True
        elif op == c.BRANCH:
            branches = [list(b) for b in av[1]]
            if any(_nullable(b) for b in branches):
                return True
            firsts = [_first(b) for b in branches]
            if any(f is None for f in firsts):
                return True
            for i, a in enumerate(firsts):
                for b in firsts[i + 1 :]:
                    probes = _probe_chars(a) | _probe_chars(b)
                    if any(
                        _matches(a, ch, ignorecase) and _matches(b, ch, ignorecase) for ch in probes
                    ):
                        return True
            if any(_overlapping_branches(b, ignorecase) for b in branches):
                return True
    return False


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _coerce(value: Any, tp: Any, *, source: str | None, key: str, regex: bool) -> Any:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _coerce(value, arg, source=source, key=key, regex=regex)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(f"expected {_type_name(tp)}, got {value!r}", source=source, key=key)
    if origin is typing.Literal:
        if value not in args:
            choices = ", ".join(repr(a) for a in args)
            raise ConfigError(f"expected one of {choices}, got {value!r}", source=source, key=key)
        return value
    if origin in (list, tuple) or tp in (list, tuple):
        if not isinstance(value, list):
            raise ConfigError(f"expected a list, got {value!r}", source=source, key=key)
        item = args[0] if args else Any
        items = [
            _coerce(v, item, source=source, key=f"{key}[{i}]", regex=regex)
            for i, v in enumerate(value)
        ]
        return tuple(items) if (origin is tuple or tp is tuple) else items
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"expected a table, got {value!r}", source=source, key=key)
        vt = args[1] if len(args) == 2 else Any
        return {
            str(k): _coerce(v, vt, source=source, key=f"{key}.{k}", regex=regex)
            for k, v in value.items()
        }
    if tp is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"expected true or false, got {value!r}", source=source, key=key)
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"expected an integer, got {value!r}", source=source, key=key)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"expected a number, got {value!r}", source=source, key=key)
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"expected a string, got {value!r}", source=source, key=key)
        if regex:
            check_regex(value, source=source, key=key)
        return value
    raise ConfigError(f"unsupported option type {_type_name(tp)}", source=source, key=key)


def build_options(
    options_cls: type, raw: dict[str, Any], *, source: str | None, prefix: str
) -> Any:
    """Validate ``raw`` (kebab-case keys) against ``options_cls`` and build it."""
    if not dataclasses.is_dataclass(options_cls):
        raise TypeError(f"{options_cls!r} is not a dataclass")
    hints = typing.get_type_hints(options_cls)
    fields = {f.name.replace("_", "-"): f for f in dataclasses.fields(options_cls)}
    values = {}
    for key, value in raw.items():
        f = fields.get(key)
        if f is None:
            known = ", ".join(sorted(fields)) or "none"
            raise ConfigError(
                f"unknown option (known: {known})", source=source, key=f"{prefix}.{key}"
            )
        values[f.name] = _coerce(
            value,
            hints[f.name],
            source=source,
            key=f"{prefix}.{key}",
            regex=bool(f.metadata.get("regex")),
        )
    try:
        return options_cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc), source=source, key=prefix) from None


def options_as_dict(options: Any) -> dict[str, Any]:
    """Kebab-case view of an options object (for docs and cache keys)."""
    if not dataclasses.is_dataclass(options):
        return {}
    return {f.name.replace("_", "-"): getattr(options, f.name) for f in dataclasses.fields(options)}
