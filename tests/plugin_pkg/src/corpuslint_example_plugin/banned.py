"""XMP001: a phrase the corpus owners do not want (configurable, case-insensitive)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Edit, Fix, FixAvailability, Severity
from corpuslint.rule import CheckContext, DocumentRule


@dataclass(frozen=True)
class BannedPhraseOptions:
    phrases: list[str] = field(default_factory=lambda: ["lorem ipsum"])


class BannedPhrase(DocumentRule):
    """A banned phrase occurs in the document.

    ## What it does
    Reports every case-insensitive occurrence of the phrases listed in
    `phrases` (default: `lorem ipsum`).

    ## Why it matters
    Placeholder text left in a corpus teaches a model nonsense.

    ## Example
    `The minister said lorem ipsum dolor sit amet.`

    ## Fix safety
    Unsafe: the fix deletes the phrase, which may leave a sentence incomplete.
    """

    code = "XMP001"
    name = "banned-phrase"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    Options = BannedPhraseOptions

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        phrases = [p for p in self.options.phrases if p]
        if not phrases:
            return
        pattern = re.compile("|".join(re.escape(p) for p in phrases), re.IGNORECASE)
        for match in pattern.finditer(doc.text):
            yield self.diagnostic(
                doc,
                (match.start(), match.end()),
                f"Banned phrase {match.group()!r}",
                fix=Fix.unsafe(
                    Edit.delete(match.start(), match.end()), message="Delete the phrase"
                ),
                data={"phrase": match.group()},
            )
