"""Which characters can start a match of a regex (its FIRST set), for dispatching lines.

A line can only match the patterns whose FIRST set holds its first character, so the
classifier combines, per first character, just those patterns: a prose line that starts
with "The" is never tried against "Advertisement" or "Sign up". The set is computed from
Python's own parse of the pattern; anything it cannot bound (``.``, ``\\w``, a negated
class) makes the pattern "any start" (None), which is always tried.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as C  # type: ignore[no-redef]
    import sre_parse as P  # type: ignore[no-redef]

_DIGITS = frozenset("0123456789")
_SPACE = frozenset(" \t\n\r\f\v")
_MAX_RANGE = 400


def first_chars(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Characters that can begin a non-empty match, or None when unbounded or nullable."""
    chars, nullable = _sequence(list(P.parse(pattern, flags)))
    if chars is None or nullable:
        return None
    return frozenset(chars)


def _both(c: str) -> set[str]:
    return {c, c.lower(), c.upper()}


def _sequence(items: list) -> tuple[set[str] | None, bool]:
    out: set[str] = set()
    for op, av in items:
        chars, nullable = _item(op, av)
        if chars is None:
            return None, False
        out |= chars
        if not nullable:
            return out, False
    return out, True


def _sub(av) -> list:
    return list(av.data) if hasattr(av, "data") else list(av)


def _item(op, av) -> tuple[set[str] | None, bool]:
    if op is C.LITERAL:
        return _both(chr(av)), False
    if op is C.IN:
        return _charset(av), False
    if op is C.BRANCH:
        out: set[str] = set()
        nullable = False
        for alt in av[1]:
            chars, n = _sequence(_sub(alt))
            if chars is None:
                return None, False
            out |= chars
            nullable = nullable or n
        return out, nullable
    if op is C.SUBPATTERN:
        return _sequence(_sub(av[-1]))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
        low, _high, sub = av
        chars, n = _sequence(_sub(sub))
        return chars, (low == 0 or n)
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _sequence(_sub(av))
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return set(), True  # zero-width: does not consume the first character
    if op is C.CATEGORY:
        return _category(av), False
    return None, False  # ANY, NOT_LITERAL, GROUPREF, ...


def _category(code) -> set[str] | None:
    if code is C.CATEGORY_DIGIT:
        return set(_DIGITS)
    if code is C.CATEGORY_SPACE:
        return set(_SPACE)
    return None


def _charset(items) -> set[str] | None:
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out |= _both(chr(av))
        elif op is C.RANGE:
            low, high = av
            if high - low > _MAX_RANGE:
                return None
            for code in range(low, high + 1):
                out |= _both(chr(code))
        elif op is C.CATEGORY:
            chars = _category(av)
            if chars is None:
                return None
            out |= chars
        else:  # NEGATE, ...
            return None
    return out


_PREFIX_LIMIT = 4000


def first_pairs(pattern: str, flags: int = re.IGNORECASE) -> frozenset[str] | None:
    """Lower-cased two-character prefixes a match can start with (shorter strings for whole
    matches shorter than two characters), or None when too many or unbounded."""
    try:
        found = _seq2(list(P.parse(pattern, flags)))
    except _Unbounded:
        return None
    if found is None or "" in found:
        return None
    return frozenset(found)


class _Unbounded(Exception):
    pass


def _join(heads: set[str], tails: set[str]) -> set[str]:
    out = set()
    for h in heads:
        if len(h) >= 2:
            out.add(h)
            continue
        for t in tails:
            out.add((h + t)[:2])
    if len(out) > _PREFIX_LIMIT:
        raise _Unbounded
    return out


def _seq2(items: list) -> set[str]:
    cur = {""}
    for op, av in items:
        if all(len(s) >= 2 for s in cur):
            break
        cur = _join(cur, _item2(op, av))
    return cur


def _item2(op, av) -> set[str]:
    if op is C.LITERAL:
        return {chr(av).lower()}
    if op is C.IN:
        chars = _charset(av)
        if chars is None:
            raise _Unbounded
        return {c.lower() for c in chars}
    if op is C.CATEGORY:
        chars = _category(av)
        if chars is None:
            raise _Unbounded
        return set(chars)
    if op is C.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            out |= _seq2(_sub(alt))
        return out
    if op is C.SUBPATTERN:
        return _seq2(_sub(av[-1]))
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _seq2(_sub(av))
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
        low, high, sub = av
        one = _seq2(_sub(sub))
        out = {""} if low == 0 else set()
        cur = {""}
        for reps in range(1, min(high, 2) + 1):
            cur = _join(cur, one)
            if reps >= low:
                out |= cur
        if low > 2:
            out = {s for s in cur if len(s) >= 2}
        return out
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {""}
    raise _Unbounded
