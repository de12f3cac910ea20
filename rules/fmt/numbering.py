"""FMT002: the numeric prefix of a file name is used by another file of the corpus."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from corpuslint.corpus import Corpus
from corpuslint.document import Document
from corpuslint.model import Diagnostic, Severity
from corpuslint.options import regex_field
from corpuslint.rule import CheckContext, CorpusRule, Target


@dataclass(frozen=True)
class PrefixOptions:
    pattern: str = regex_field(r"^(?P<prefix>\d+)_")

    def __post_init__(self) -> None:
        if "(?P<prefix>" not in self.pattern:
            raise ValueError("pattern must have a named group (?P<prefix>...)")


class DuplicateNumericPrefix(CorpusRule):
    """Two files of the corpus share a numeric prefix.

    ## What it does
    Reads the prefix of each file name with `pattern` (default: the leading
    digits before `_`, as in `004_4e425b7157766a74.txt`) and flags a file
    whose prefix another file of the corpus also uses. The whole configured
    corpus is consulted through the index, so a pre-commit run on one new file
    still sees a clash with a file committed long ago.

    ## Why it matters
    The numeric prefix is the document's position or id in the corpus; two
    documents with one id are a merge accident or an overwrite waiting to happen.

    ## Example
    `004_4e425b7157766a74.txt` and `004_0123456789abcdef.txt` in one corpus.

    ## Fix safety
    No fix: renumbering is the curator's decision.
    """

    code = "FMT002"
    name = "duplicate-numeric-prefix"
    severity = Severity.WARNING
    requires_text = False
    Options = PrefixOptions

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(self.options.pattern)

    def prefix_of(self, name: str) -> str | None:
        m = self._pattern.search(name)
        return m.group("prefix") if m else None

    def summarize(self, doc: Document) -> Any:
        return self.prefix_of(doc.name)

    def index_tables(self, db: Any) -> None:
        db.execute(
            "CREATE TABLE IF NOT EXISTS fmt_prefix (file_id INTEGER PRIMARY KEY, "
            "prefix TEXT NOT NULL)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS fmt_prefix_by_prefix ON fmt_prefix(prefix)")

    def index_add(self, db: Any, file_id: int, summary: Any) -> None:
        db.execute("INSERT OR REPLACE INTO fmt_prefix VALUES (?, ?)", (file_id, summary))

    def index_remove(self, db: Any, file_ids: list[int]) -> None:
        db.executemany("DELETE FROM fmt_prefix WHERE file_id = ?", [(i,) for i in file_ids])

    def check_corpus(
        self, targets: list[Target], corpus: Corpus, ctx: CheckContext
    ) -> Iterator[Diagnostic]:
        by_prefix: dict[str, set[str]] = {}
        for t in targets:
            if t.summary is not None:
                by_prefix.setdefault(t.summary, set()).add(t.path)
        for prefix, paths in by_prefix.items():
            rows = corpus.db.execute(
                "SELECT f.path FROM fmt_prefix p JOIN files f ON f.id = p.file_id "
                "WHERE p.prefix = ?",
                (prefix,),
            ).fetchall()
            paths |= {corpus.display(p) for (p,) in rows}
        for t in targets:
            if t.summary is None:
                continue
            others = sorted(by_prefix[t.summary] - {t.path})
            if others:
                yield self.prefix_finding(t.path, t.summary, others)

    def prefix_finding(self, path: str, prefix: str, others: list[str]) -> Diagnostic:
        """The finding of ``path``, whose ``prefix`` the files ``others`` (sorted) also use
        (shared with the Ray engine)."""
        shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        return self.diagnostic(
            path,
            None,
            f"Numeric prefix {prefix} is also used by {shown}",
            data={"prefix": prefix, "others": others},
        )
