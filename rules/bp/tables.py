"""The BP pattern tables: TOML data files under ``patterns/``, compiled once per process.

Each category is one table (``ads.toml``, ``navigation.toml``, ...). A table holds
``[[pattern]]`` entries (a regex, whether deleting a matching line is safe, examples),
optionally ``[[fuzzy]]`` lone words matched with a small edit distance and, for
navigation, ``[[header]]`` entries that start a block of linked headlines. Patterns may
use the named fragments of ``macros.toml`` as ``{NAME}``. All patterns of a table are
combined into one regular expression (one named group per entry), matched
case-insensitively against the whole line, so adding a phrase is a data change.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PATTERN_DIR = Path(__file__).parent / "patterns"

# Line-level tables in the order they are tried; the first that matches a line claims it,
# so a line gets at most one BP code. Specific categories go before general ones: a
# cookie banner's "Accept" is not a call to action, "View comments" is not navigation,
# a line with an @handle is contact before it is "follow us".
LINE_TABLES = (
    "ads",
    "notices",
    "comments",
    "contact",
    "captions",
    "legal",
    "cta",
    "navigation",
)
INLINE_TABLE = "inline"

_MACRO_REF = re.compile(r"\{([A-Z][A-Z0-9_]*)\}")
FLAGS = re.IGNORECASE


class PatternError(ValueError):
    """A pattern table is malformed (a bug in the data files, caught by the tests)."""


@dataclass(frozen=True)
class Pattern:
    name: str
    regex: str  # expanded source
    safe: bool = False
    kind: str = ""  # headers: "single" | "list"; inline: "credit" | "marker"
    boundary: bool = False
    examples: tuple[str, ...] = ()
    # Substrings of which the line must contain one before the regex is tried (a cheap
    # pre-filter for patterns that would otherwise scan every line). Line tables test
    # them (lower-case) against the lower-cased line, the inline table against the line.
    requires: tuple[str, ...] = ()
    # Longest line (normalised characters) this kind of boilerplate plausibly has.
    max_chars: int = 0
    # "full": the regex matches the whole line; "search": it matches a phrase starting
    # within the first ``max_start`` characters; "end": it matches the end of the line.
    match: str = "full"
    max_start: int = 0
    caption: bool = False  # text closed by a credit (see captions.toml)

    def compiled(self) -> re.Pattern[str]:
        return re.compile(f"(?:{self.regex})\\Z" if self.match == "end" else self.regex, FLAGS)

    def test(self, regex: re.Pattern[str], text: str) -> bool:
        """Whether ``regex`` (this entry's ``compiled()``) accepts the line ``text``."""
        if self.match == "full":
            return regex.fullmatch(text) is not None
        m = regex.search(text)
        return m is not None and (self.match == "end" or m.start() <= self.max_start)


@dataclass(frozen=True)
class Fuzzy:
    word: str
    max_distance: int


@dataclass
class Table:
    """One category: its code, message label, what it matches against, its patterns."""

    key: str
    code: str
    label: str
    input: str  # "core" (decoration stripped) or "line" (stripped line)
    max_chars: int
    patterns: tuple[Pattern, ...]
    fuzzy: tuple[Fuzzy, ...] = ()
    headers: tuple[Pattern, ...] = ()
    counterexamples: tuple[str, ...] = ()
    header_regex: re.Pattern[str] | None = field(default=None, repr=False)

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        """The whole-line entries without pre-filter as one alternation (see ``match``)."""
        return combine(self.patterns, [i for i, p in enumerate(self.patterns) if _plain(p)])

    @cached_property
    def conditional(self) -> tuple[tuple[int, re.Pattern[str], tuple[str, ...]], ...]:
        return tuple(
            (i, p.compiled(), p.requires) for i, p in enumerate(self.patterns) if not _plain(p)
        )

    @cached_property
    def compiled_entries(self) -> tuple[tuple[Pattern, re.Pattern[str]], ...]:
        """Each entry with its own compiled regex (for searching inside lines)."""
        return tuple((p, p.compiled()) for p in self.patterns)

    def match(self, text: str) -> Pattern | None:
        """This table's entry that claims ``text`` (one table on its own; tests use it)."""
        if self.regex is not None:
            m = self.regex.fullmatch(text)
            if m is not None:
                return self.patterns[int(m.lastgroup[1:])]
        if self.conditional:
            low = text.lower()
            for index, regex, words in self.conditional:
                if (not words or any(w in low for w in words)) and self.patterns[index].test(
                    regex, text
                ):
                    return self.patterns[index]
        if self.fuzzy and len(text) <= 24:
            word = _squash(text)
            for f in self.fuzzy:
                if within_distance(word, f.word, f.max_distance):
                    return Pattern(name=f"fuzzy-{f.word}", regex="", safe=True)
        return None

    def match_header(self, text: str) -> Pattern | None:
        if self.header_regex is None:
            return None
        m = self.header_regex.fullmatch(text)
        return self.headers[int(m.lastgroup[1:])] if m is not None else None


def _squash(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


def within_distance(a: str, b: str, limit: int) -> bool:
    """The edit distance of ``a`` and ``b`` is at most ``limit``.

    Optimal string alignment: insertions, deletions, substitutions and swaps of two
    neighbouring letters ("Adevrtisement") each count one. Only short strings (single
    words) are compared.
    """
    if abs(len(a) - len(b)) > limit:
        return False
    if a == b:
        return True
    if limit == 0:
        return False
    rows = [list(range(len(b) + 1))]
    for i, ca in enumerate(a, 1):
        row = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        if min(row) > limit:
            return False
        rows.append(row)
    return rows[-1][-1] <= limit


def expand(pattern: str, macros: dict[str, str], _depth: int = 0) -> str:
    """Replace ``{NAME}`` references with their (recursively expanded) fragments."""
    if _depth > 10:
        raise PatternError(f"macro recursion too deep in {pattern[:60]!r}")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in macros:
            raise PatternError(f"unknown macro {{{name}}}")
        return "(?:" + expand(macros[name], macros, _depth + 1) + ")"

    return _MACRO_REF.sub(sub, pattern)


def _read(name: str) -> dict:
    with open(PATTERN_DIR / f"{name}.toml", "rb") as fh:
        return tomllib.load(fh)


def _patterns(
    entries: list[dict], macros: dict[str, str], where: str, max_chars: int = 0
) -> tuple[Pattern, ...]:
    out = []
    for entry in entries:
        try:
            source = expand(entry["regex"], macros)
            re.compile(source, FLAGS)
        except (KeyError, re.error, PatternError) as exc:
            raise PatternError(f"{where}: pattern {entry.get('name')!r}: {exc}") from None
        if entry.get("match", "full") not in ("full", "search", "end"):
            raise PatternError(f"{where}: pattern {entry.get('name')!r}: bad match mode")
        out.append(
            Pattern(
                name=entry["name"],
                regex=source,
                safe=bool(entry.get("safe", False)),
                kind=entry.get("kind", ""),
                boundary=bool(entry.get("boundary", False)),
                examples=tuple(entry.get("examples", ())),
                requires=tuple(entry.get("requires", ())),
                max_chars=int(entry.get("max-chars", max_chars)),
                match=entry.get("match", "full"),
                max_start=int(entry.get("max-start", 0)),
                caption=bool(entry.get("caption", False)),
            )
        )
    return tuple(out)


def _plain(p: Pattern) -> bool:
    """Matched as part of a combined whole-line alternation (no pre-filter, no search)."""
    return not p.requires and p.match == "full"


def combine(patterns: tuple[Pattern, ...], only: list[int] | None = None) -> re.Pattern[str] | None:
    """One regex of the entries (all, or those in ``only``); group ``pN`` names entry N."""
    indices = range(len(patterns)) if only is None else only
    if not indices:
        return None
    return re.compile("|".join(f"(?P<p{i}>{patterns[i].regex})" for i in indices), FLAGS)


@cache
def macros() -> dict[str, str]:
    return {k: v for k, v in _read("macros").items() if isinstance(v, str)}


@cache
def load_table(key: str) -> Table:
    data = _read(key)
    mac = macros()
    max_chars = int(data.get("max-chars", 400))
    patterns = _patterns(data.get("pattern", []), mac, f"{key}.toml", max_chars)
    headers = _patterns(data.get("header", []), mac, f"{key}.toml [[header]]")
    fuzzy = tuple(
        Fuzzy(f["word"].lower(), int(f.get("max-distance", 1))) for f in data.get("fuzzy", [])
    )
    table = Table(
        key=key,
        code=data["code"],
        label=data["label"],
        input=data.get("input", "core"),
        max_chars=max_chars,
        patterns=patterns,
        fuzzy=fuzzy,
        headers=headers,
        counterexamples=tuple(data.get("counterexamples", ())),
    )
    table.header_regex = combine(headers)
    return table


@cache
def line_tables() -> tuple[Table, ...]:
    return tuple(load_table(k) for k in LINE_TABLES)


class LineClassifier:
    """All line tables as one matcher, with the same answer as trying them in order.

    Patterns without a pre-filter are tried in priority order, but only those that can
    start with the line's first two characters (firstchars.py) and can be that long (the
    candidate lists are built per input form, length band and first two letters on first
    use). Patterns with
    ``requires`` run only when one of their words occurs in the line and could beat the
    alternations' answer (an earlier table).
    """

    BANDS = (60, 160)

    def __init__(self, tables: tuple[Table, ...]):
        from corpuslint.rules.bp.firstchars import first_chars, first_pairs

        self.tables = tables
        self.plain: dict[str, list[tuple[int, int, Pattern, tuple, Any]]] = {
            "core": [],
            "line": [],
        }
        conditional = []
        for ti, table in enumerate(tables):
            for pi, p in enumerate(table.patterns):
                if not _plain(p):
                    conditional.append((ti, pi, p.compiled(), p.requires, p))
                else:
                    compiled = re.compile(p.regex, FLAGS)
                    starts = (first_pairs(p.regex), first_chars(p.regex))
                    self.plain[table.input].append((ti, pi, p, starts, compiled))
        self.conditional = tuple(conditional)
        self.first_line_table = min(
            (ti for ti, t in enumerate(tables) if t.input == "line"), default=len(tables)
        )
        # keyword -> indices of the conditional entries it may trigger
        keywords: dict[str, list[int]] = {}
        for i, (*_, words, _p) in enumerate(conditional):
            for w in words:
                keywords.setdefault(w, []).append(i)
        # longest line each keyword can matter for, longest first (a long line skips the
        # keywords of short kinds of boilerplate)
        reach = {w: max(conditional[i][4].max_chars for i in ids) for w, ids in keywords.items()}
        self.by_keyword = tuple(
            (w, ids, reach[w]) for w, ids in sorted(keywords.items(), key=lambda kv: -reach[kv[0]])
        )
        self.unconditional = frozenset(i for i, c in enumerate(conditional) if not c[3])
        self.fuzzy = tuple((ti, f) for ti, t in enumerate(tables) for f in t.fuzzy)
        self.fuzzy_initials = frozenset(f.word[0] for _, f in self.fuzzy)
        self.fuzzy_max = max((len(f.word) + f.max_distance for _, f in self.fuzzy), default=0)
        self._keyed: dict[tuple[str, int, str], tuple] = {}
        self._cache: dict[str, tuple[Table, Pattern] | None] = {}

    def _band(self, n: int) -> int:
        for low, band in enumerate(self.BANDS):
            if n <= band:
                return low
        return len(self.BANDS)

    def _candidates(self, kind: str, band: int, head: str) -> tuple:
        """Entries (table, entry, compiled) that can match a line of this band whose first
        two characters, lower-cased, are ``head``."""
        key = (kind, band, head)
        found = self._keyed.get(key)
        if found is None:
            shortest = self.BANDS[band - 1] + 1 if band else 0
            first = head[0]
            found = self._keyed[key] = tuple(
                (ti, pi, p, regex)
                for ti, pi, p, (pairs, chars), regex in self.plain[kind]
                if p.max_chars >= shortest
                and (
                    head in pairs
                    if pairs is not None
                    else (chars is None or first in chars or first.upper() in chars)
                )
            )
        return found

    def _plain(self, kind: str, text: str) -> tuple[int, int] | None:
        n = len(text)
        for ti, pi, p, regex in self._candidates(kind, self._band(n), text[:2].lower()):
            if n <= p.max_chars and regex.fullmatch(text) is not None:
                return ti, pi
        return None

    # Boilerplate repeats across a corpus: each distinct line is classified once.
    CACHE_SIZE = 65536

    def clear_cache(self) -> None:
        self._cache.clear()

    def classify(self, norm: str, core: str) -> tuple[Table, Pattern] | None:
        """The table and entry that claim a line (``norm``: normalised, ``core``: undecorated)."""
        cache = self._cache
        try:
            return cache[norm]
        except KeyError:
            pass
        if len(cache) >= self.CACHE_SIZE:
            cache.clear()
        found = cache[norm] = self._classify(norm, core)
        return found

    def _classify(self, norm: str, core: str) -> tuple[Table, Pattern] | None:
        if not core:
            return None
        best = self._plain("core", core)
        if best is None or best[0] > self.first_line_table:
            other = self._plain("line", norm)
            if other is not None and (best is None or other[0] < best[0]):
                best = other
        limit = best[0] if best is not None else len(self.tables)
        if self.conditional and self.conditional[0][0] < limit:
            low = norm.lower()
            n = len(norm)
            triggered = set()
            for w, ids, reach in self.by_keyword:
                if reach < n:
                    break
                if w in low:
                    triggered.update(ids)
            for i in sorted(triggered | self.unconditional):
                ti, pi, regex, _words, p = self.conditional[i]
                if ti >= limit:
                    break
                text = core if self.tables[ti].input == "core" else norm
                if len(text) <= p.max_chars and p.test(regex, text):
                    best, limit = (ti, pi), ti
                    break
        if len(core) <= self.fuzzy_max + 4 and core[0].lower() in self.fuzzy_initials:
            word = _squash(core)
            for ti, f in self.fuzzy:
                if ti >= limit:
                    break
                if within_distance(word, f.word, f.max_distance):
                    fuzzy = Pattern(name=f"fuzzy-{f.word}", regex="", safe=True)
                    return self.tables[ti], fuzzy
        if best is None:
            return None
        table = self.tables[best[0]]
        return table, table.patterns[best[1]]


@cache
def classifier() -> LineClassifier:
    return LineClassifier(line_tables())


@cache
def inline_table() -> Table:
    table = load_table(INLINE_TABLE)
    # Inline patterns are searched inside a line, not matched against all of it.
    return table


def table_for(code: str) -> Table:
    for key in (*LINE_TABLES, INLINE_TABLE):
        table = load_table(key)
        if table.code == code:
            return table
    raise KeyError(code)
