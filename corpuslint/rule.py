"""The rule API: every built-in family and every plugin implements these classes.

A rule is a class with a ``code`` (prefix + three digits), a kebab-case ``name``,
a ``severity``, whether it can fix, an ``Options`` dataclass read from
``[tool.corpuslint.rules.<name>]`` and its documentation in its docstring
(What it does / Why it matters / Example / Fix safety).

Two kinds:

* ``DocumentRule.check(doc, ctx)`` looks at one document. It is pure and runs in
  worker processes.
* ``CorpusRule`` looks at the whole corpus. ``summarize(doc)`` runs per document
  in the workers (results are cached and stored in the persistent index), and
  ``check_corpus(targets, corpus, ctx)`` runs once in the main process with the
  targets' summaries and the whole configured corpus behind ``corpus``. It must
  give the same answer whether it is asked about one file or all of them.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from corpuslint.model import Diagnostic, Fix, FixAvailability, Severity, Span

if TYPE_CHECKING:
    from corpuslint.corpus import Corpus
    from corpuslint.document import Document

_CODE = re.compile(r"^[A-Z]{1,6}[0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class NoOptions:
    """Options of a rule that has none."""


@dataclass(frozen=True)
class CheckContext:
    """Run-wide facts a rule may need; the same for every document of a run."""

    root: Path = field(default_factory=Path.cwd)
    today: _dt.date = field(default_factory=_dt.date.today)
    max_file_size: int = 32 * 1024 * 1024


class Rule:
    """Base of all rules. Subclass ``DocumentRule`` or ``CorpusRule`` instead."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    Options: ClassVar[type] = NoOptions
    # Off-by-default rules run only when selected by their full code.
    default_enabled: ClassVar[bool] = True
    # False for byte-level rules that also run on binary / non-UTF-8 / huge files.
    requires_text: ClassVar[bool] = True
    # Bump when a rule's behaviour changes, so cached results are not reused.
    version: ClassVar[int] = 1

    def __init__(self, options: Any = None) -> None:
        self.options = options if options is not None else self.Options()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if inspect.isabstract(cls) or "code" not in cls.__dict__:
            return
        if not _CODE.match(cls.code):
            raise TypeError(f"{cls.__name__}: code {cls.code!r} is not PREFIX + 3 digits")
        if not _NAME.match(cls.name):
            raise TypeError(f"{cls.__name__}: name {cls.name!r} is not kebab-case")

    @classmethod
    def docs(cls) -> str:
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        return cls.docs().split("\n", 1)[0].strip()

    @property
    def prefix(self) -> str:
        return self.code.rstrip("0123456789")

    def diagnostic(
        self,
        doc: Document | str,
        span: Span | tuple[int, int] | None,
        message: str,
        *,
        fix: Fix | None = None,
        data: dict[str, Any] | None = None,
        severity: Severity | None = None,
    ) -> Diagnostic:
        """Build a finding of this rule (``doc`` may be the document or its path)."""
        if isinstance(span, tuple):
            span = Span(*span)
        return Diagnostic(
            code=self.code,
            name=self.name,
            message=message,
            severity=severity or self.severity,
            path=doc if isinstance(doc, str) else doc.path,
            span=span,
            fix=fix,
            data=dict(data or {}),
        )


class DocumentRule(Rule):
    """A rule that judges one document on its own."""

    def check(self, doc: Document, ctx: CheckContext) -> Iterable[Diagnostic]:
        raise NotImplementedError


@dataclass(frozen=True)
class Target:
    """A document being checked, as a corpus rule sees it in the main process."""

    path: str  # display path, as in findings
    key: str  # content hash
    summary: Any  # what this rule's ``summarize`` returned for the document


class CorpusRule(Rule):
    """A rule that needs the whole corpus (duplicates, lines repeated across files).

    Corpus rules report findings only for targets. Findings may carry spans; the
    runner resolves them against the target's text.
    """

    def summarize(self, doc: Document) -> Any:
        """Per-document facts this rule needs later (picklable, small). Runs in workers."""
        return None

    # Optional hooks for rules that keep their own tables in the index (a
    # sqlite3 connection): create them, add one file's summary, remove files.
    def index_tables(self, db: Any) -> None:
        pass

    def index_add(self, db: Any, file_id: int, summary: Any) -> None:
        pass

    def index_remove(self, db: Any, file_ids: list[int]) -> None:
        pass

    def check_corpus(
        self, targets: list[Target], corpus: Corpus, ctx: CheckContext
    ) -> Iterator[Diagnostic]:
        raise NotImplementedError
