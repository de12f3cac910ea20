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
    if _has_nested_quantifier(pattern):
        raise ConfigError(
            f"regular expression {pattern!r} nests quantifiers (like (a+)+), which can "
            "backtrack catastrophically; rewrite it without the nested repetition",
            source=source,
            key=key,
        )


# A group that is itself repeated and contains a repeated element: (a+)+, (\w*)*,
# (a|aa)+ with a quantified member. Conservative: it rejects the classic shapes.
_NESTED = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*(?:[+*]|\{\d*,\d*\})")


def _has_nested_quantifier(pattern: str) -> bool:
    return bool(_NESTED.search(pattern))


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
