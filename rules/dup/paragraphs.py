"""DUP003: a paragraph that repeats an earlier paragraph of the same document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpuslint.rules.dup.normalize import exact_paragraphs, exact_text, fold, folded_of

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Edit, Fix, FixAvailability, Severity
from corpuslint.rule import CheckContext, DocumentRule

# A blank line (only spaces or tabs) with its line break ends a paragraph.
_BLANK = re.compile(r"(?:\r\n|\r|\n)[ \t]*(?=\r\n|\r|\n|$)")
_LINE = re.compile(r"[^\r\n]+")
_PREVIEW = 60


@dataclass(frozen=True)
class ParagraphOptions:
    min_words: int = 8

    def __post_init__(self) -> None:
        if self.min_words < 1:
            raise ValueError("min-words must be at least 1")


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph's text (without surrounding line breaks).

    Paragraphs are separated by blank lines; a document without any blank line
    has one paragraph per line.
    """
    out = []
    if _BLANK.search(text.strip("\r\n")):
        pos = 0
        for m in _BLANK.finditer(text):
            out.append((pos, m.start()))
            pos = m.end()
        out.append((pos, len(text)))
    else:
        out = [(m.start(), m.end()) for m in _LINE.finditer(text)]
    spans = []
    for start, end in out:
        chunk = text[start:end]
        lead = len(chunk) - len(chunk.lstrip())
        trail = len(chunk) - len(chunk.rstrip())
        if lead + trail < len(chunk):
            spans.append((start + lead, end - trail))
    return spans


def _chunks(text: str) -> list[str]:
    """The paragraphs of ``paragraphs`` as strings (surrounding whitespace kept)."""
    if _BLANK.search(text.strip("\r\n")):
        return _BLANK.split(text)
    return _LINE.findall(text)


class RepeatedParagraph(DocumentRule):
    """A paragraph repeats an earlier paragraph of the same document.

    ## What it does
    Splits the document into paragraphs (blocks separated by blank lines; one per
    line when there is no blank line), compares them after Unicode normalisation,
    case folding and whitespace folding, and flags every repeat of a paragraph of
    at least `min-words` words (default 8), naming the line of its first
    occurrence. Short repeated lines (ad markers, "Read more") are left to the
    boilerplate rules.

    ## Why it matters
    A paragraph that appears twice is a scraping or merge error (a page fetched
    with its teaser, a template applied twice); it skews n-gram statistics and
    teaches a model to repeat itself.

    ## Example
    The lead paragraph of an article appears again after the byline: the second
    copy is flagged as a repeat of line 3.

    ## Fix safety
    The fix deletes the repeated paragraph. It is unsafe: a repetition can be
    deliberate (a quoted refrain, a poem's chorus).
    """

    def may_repeat(self, text: str) -> bool:
        """False when no paragraph of at least ``min-words`` words repeats (certain);
        True when one does (or, rarely, may: ``check`` confirms it on the strings)."""
        return self._screen(Document.from_text("", text))

    def _screen(self, doc: Document) -> bool:
        """The C kernel folds the document's paragraphs and hashes them in one pass
        (its "no" is certain; its rare "yes" is confirmed on the strings). It also
        gives DUP001's normalised text, left in ``doc.meta`` for it."""
        if exact_paragraphs is None:
            return self._has_repeat(doc.text)
        text = doc.text
        folded = text if text.isascii() else folded_of(doc)
        exact, maybe = exact_paragraphs(folded, self.options.min_words, True)
        doc.meta.setdefault("dup.exact_text", exact)
        return maybe and self._has_repeat(text)

    def _has_repeat(self, text: str) -> bool:
        seen: set[bytes] = set()
        least = self.options.min_words
        for chunk in _chunks(text):
            key = exact_text(chunk)
            if key and key.count(b" ") + 1 >= least:
                if key in seen:
                    return True
                seen.add(key)
        return False

    code = "DUP003"
    name = "repeated-paragraph"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    Options = ParagraphOptions

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        if not self._screen(doc):  # the common case, found without building spans
            return
        spans = paragraphs(text)
        first: dict[str, int] = {}
        for n, (start, end) in enumerate(spans):
            chunk = text[start:end]
            words = chunk.split()
            if len(words) < self.options.min_words:
                continue
            key = " ".join(fold(chunk).split())
            if key not in first:
                first[key] = start
                continue
            original = first[key]
            row = doc.line_index.location(original).row
            # delete up to the next paragraph (or from the previous one, at the end)
            if n + 1 < len(spans):
                edit = Edit.delete(start, spans[n + 1][0])
            else:
                edit = Edit.delete(spans[n - 1][1], end)
            preview = " ".join(words)
            if len(preview) > _PREVIEW:
                preview = preview[: _PREVIEW - 1] + "…"
            yield self.diagnostic(
                doc,
                (start, end),
                f'Paragraph repeats the one at line {row}: "{preview}"',
                fix=Fix.unsafe(edit, message="Delete the repeated paragraph"),
                data={"first_line": row, "words": len(words)},
            )
