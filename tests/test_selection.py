"""Rule selection: layers, longest prefix wins, ALL, off-by-default rules."""

from __future__ import annotations

import pytest

from corpuslint.config import SelectionLayer
from corpuslint.model import Severity
from corpuslint.registry import build_registry
from corpuslint.rule import DocumentRule


def _rule(code: str, *, default: bool = True) -> type[DocumentRule]:
    return type(
        code,
        (DocumentRule,),
        {
            "code": code,
            "name": f"rule-{code.lower()}",
            "severity": Severity.WARNING,
            "default_enabled": default,
        },
    )


REGISTRY = build_registry(
    [
        (
            "test",
            "test==1",
            [
                _rule("AAA001"),
                _rule("AAA002"),
                _rule("AAA101"),
                _rule("BBB001"),
                _rule("BBB002", default=False),
            ],
        )
    ]
)


def _selected(*layers: SelectionLayer) -> list[str]:
    from corpuslint.selection import selected_rules

    return [r.code for r in selected_rules(REGISTRY, layers)]


L = SelectionLayer


@pytest.mark.parametrize(
    ("layers", "expected"),
    [
        ((), ["AAA001", "AAA002", "AAA101", "BBB001"]),
        ((L(select=("AAA",)),), ["AAA001", "AAA002", "AAA101"]),
        ((L(select=("ALL",)),), ["AAA001", "AAA002", "AAA101", "BBB001"]),
        ((L(select=("AAA",), ignore=("AAA0",)),), ["AAA101"]),
        # the longer prefix wins whichever list it is in
        ((L(select=("AAA001",), ignore=("AAA",)),), ["AAA001"]),
        ((L(select=("AAA",), ignore=("AAA001",)),), ["AAA002", "AAA101"]),
        # on a tie, ignore wins
        ((L(select=("AAA001",), ignore=("AAA001",)),), []),
        ((L(extend_select=("BBB",)),), ["AAA001", "AAA002", "AAA101", "BBB001"]),
        # off-by-default rules need their full code
        ((L(select=("BBB",)),), ["BBB001"]),
        ((L(select=("BBB002",)),), ["BBB002"]),
        ((L(extend_select=("BBB002",)),), ["AAA001", "AAA002", "AAA101", "BBB001", "BBB002"]),
        # a later layer (the command line) overrides an earlier one (the config file)
        ((L(select=("AAA",)), L(select=("BBB",))), ["BBB001"]),
        ((L(select=("AAA",)), L(ignore=("AAA1",))), ["AAA001", "AAA002"]),
        ((L(ignore=("AAA",)), L(extend_select=("AAA002",))), ["AAA002", "BBB001"]),
        (
            (L(select=("AAA", "BBB"), ignore=("AAA002",)), L(select=None, ignore=("BBB",))),
            ["AAA001", "AAA101"],
        ),
    ],
)
def test_selection(layers, expected) -> None:
    assert _selected(*layers) == expected


def test_unknown_selector_is_rejected() -> None:
    assert REGISTRY.is_known_selector("AAA")
    assert REGISTRY.is_known_selector("all")
    assert not REGISTRY.is_known_selector("CCC")
    assert not REGISTRY.is_known_selector("AAA9")


def test_duplicate_code_from_two_plugins_is_an_error() -> None:
    from corpuslint.errors import CorpuslintError

    with pytest.raises(CorpuslintError, match="registers AAA001 again"):
        build_registry([("a", "a==1", [_rule("AAA001")]), ("b", "b==1", [_rule("AAA001")])])


@pytest.mark.parametrize(
    ("code", "name"), [("aaa001", "x"), ("AAA01", "x"), ("AAA001", "Not Kebab")]
)
def test_rule_code_and_name_are_validated(code: str, name: str) -> None:
    with pytest.raises(TypeError):
        type("Bad", (DocumentRule,), {"code": code, "name": name})
