"""FMT rules about line endings, whitespace, blank lines and control characters."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Edit, Fix, FixAvailability, Severity
from corpuslint.rule import CheckContext, DocumentRule

_CRLF_OR_CR = re.compile(r"\r\n?")
# Whitespace before a line end (or the end of the text); \s covers NBSP, U+3000, ...
_TRAILING = re.compile(r"[^\S\r\n]+(?=\r\n|\r|\n|\Z)")
_LEADING = re.compile(r"\A\s+")
# C0 controls other than tab, LF, CR; and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]+")
_BLANK_RUN = re.compile(r"(?:^[^\S\r\n]*(?:\r\n|\r|\n))+", re.MULTILINE)


@dataclass(frozen=True)
class LineEndingOptions:
    line_ending: Literal["lf", "crlf"] = "lf"


class LineEnding(DocumentRule):
    """Line endings are CRLF, CR or mixed instead of the corpus convention.

    ## What it does
    Counts LF, CRLF and lone CR line endings. One finding per file, at the
    first offending line ending, says which kinds occur and how often.
    `line-ending` sets the convention (`lf`, the default, or `crlf`).

    ## Why it matters
    A stray `\\r` survives into tokens (`word\\r`), breaks line-based
    deduplication and makes diffs of the corpus unreadable.

    ## Example
    A file saved on Windows (`\\r\\n`) in an LF corpus; a file whose copied
    paragraphs end in `\\r` (classic Mac).

    ## Fix safety
    Safe: every line ending is rewritten to the convention; no other byte changes.
    """

    code = "FMT005"
    name = "line-ending"
    fix_availability = FixAvailability.ALWAYS
    Options = LineEndingOptions

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        if "\r" not in text and self.options.line_ending == "lf":
            return
        want = "\n" if self.options.line_ending == "lf" else "\r\n"
        crlf = text.count("\r\n")
        cr = text.count("\r") - crlf
        lf = text.count("\n") - crlf
        counts = {"lf": lf, "crlf": crlf, "cr": cr}
        wrong = [m for m in re.finditer(r"\r\n|\r|\n", text) if m.group() != want]
        if not wrong:
            return
        kinds = [k for k, n in counts.items() if n]
        if len(kinds) > 1:
            message = "Mixed line endings: " + ", ".join(f"{counts[k]} {k.upper()}" for k in kinds)
        else:
            message = (
                f"Line endings are {kinds[0].upper()}, expected {self.options.line_ending.upper()}"
            )
        edits = [Edit.replace(m.start(), m.end(), want) for m in wrong]
        first = wrong[0]
        yield self.diagnostic(
            doc,
            (first.start(), first.end()),
            message,
            fix=Fix.safe(
                *edits,
                message=f"Convert {len(edits)} line endings to {self.options.line_ending.upper()}",
            ),
            data=counts,
        )


class ControlCharacter(DocumentRule):
    """Text contains control characters (NUL, backspace, escape, ...).

    ## What it does
    Flags runs of C0 control characters other than tab, line feed and carriage
    return, and DEL. NUL bytes are errors.

    ## Why it matters
    Control characters are leftovers of binary formats, terminals and broken
    conversions; they are invisible, break tokenisers and some tools truncate a
    string at a NUL.

    ## Example
    `Tehran\\x08 and Moscow`, `\\x1b[31m` colour codes, `\\x00` padding.

    ## Fix safety
    Unsafe: the characters are deleted, which is right for debris but not for a
    form feed used as a page break. NUL bytes get no fix at all, and a file with
    a NUL byte is never rewritten (it may be a mis-detected binary).
    """

    code = "FMT006"
    name = "control-character"
    fix_availability = FixAvailability.SOMETIMES

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        for m in _CONTROL.finditer(doc.text):
            chars = m.group()
            names = ", ".join(sorted({f"U+{ord(c):04X}" for c in chars}))
            if "\x00" in chars:
                yield self.diagnostic(
                    doc,
                    (m.start(), m.end()),
                    f"NUL byte{'s' if len(chars) > 1 else ''} in text ({names}); "
                    "the file is not rewritten",
                    severity=Severity.ERROR,
                    data={"characters": names},
                )
                continue
            yield self.diagnostic(
                doc,
                (m.start(), m.end()),
                f"Control character{'s' if len(chars) > 1 else ''} {names} in text",
                fix=Fix.unsafe(
                    Edit.delete(m.start(), m.end()), message="Delete the control characters"
                ),
                data={"characters": names},
            )


class TrailingWhitespace(DocumentRule):
    """Line ends with whitespace.

    ## What it does
    Flags spaces, tabs, no-break spaces (U+00A0) and other Unicode whitespace
    at the end of a line, including lines that hold nothing but whitespace.

    ## Why it matters
    Trailing whitespace is invisible noise that makes identical paragraphs
    differ byte for byte; a no-break space at a paragraph end is a typical
    scraping artefact.

    ## Example
    `...relationship.\\u00a0` at the end of a paragraph.

    ## Fix safety
    Safe: only the trailing whitespace is removed.
    """

    code = "FMT007"
    name = "trailing-whitespace"
    fix_availability = FixAvailability.ALWAYS

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        for m in _TRAILING.finditer(doc.text):
            names = sorted({_ws_name(c) for c in m.group()})
            yield self.diagnostic(
                doc,
                (m.start(), m.end()),
                f"Trailing whitespace ({', '.join(names)})",
                fix=Fix.safe(Edit.delete(m.start(), m.end()), message="Remove trailing whitespace"),
            )


def _ws_name(c: str) -> str:
    return {" ": "space", "\t": "tab", "\u00a0": "no-break space"}.get(c, f"U+{ord(c):04X}")


class LeadingWhitespace(DocumentRule):
    """File starts with whitespace or blank lines.

    ## What it does
    Flags whitespace (spaces, tabs, blank lines) before the first visible
    character of the file.

    ## Why it matters
    The first line is where headers and titles are parsed; a leading space or
    blank line hides them and is a sign of a sloppy export.

    ## Example
    ` date 2024-03-20 ...` (a space before the header), or two empty lines
    before the title.

    ## Fix safety
    Safe: the leading whitespace is removed.
    """

    code = "FMT008"
    name = "leading-whitespace"
    fix_availability = FixAvailability.ALWAYS

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text.lstrip("\ufeff")
        offset = len(doc.text) - len(text)
        m = _LEADING.match(text)
        if m is None or m.end() == len(text):  # empty / whitespace-only: FMT013's job
            return
        start, end = offset, offset + m.end()
        yield self.diagnostic(
            doc,
            (start, end),
            "File starts with whitespace",
            fix=Fix.safe(Edit.delete(start, end), message="Remove leading whitespace"),
        )


class MissingFinalNewline(DocumentRule):
    """File does not end with a newline.

    ## What it does
    Flags a non-empty file whose last character is not a line ending.

    ## Why it matters
    POSIX tools (`wc -l`, `cat a b`, `read`) expect a final newline; without it
    concatenating files glues the last line of one to the first of the next.

    ## Example
    `...close ties with Hamas.` with no `\\n` after it.

    ## Fix safety
    Safe: a newline (CRLF when the file uses CRLF) is appended.
    """

    code = "FMT009"
    name = "missing-final-newline"
    fix_availability = FixAvailability.ALWAYS

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        if not text.strip() or text.endswith(("\n", "\r")):
            return
        newline = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
        end = len(text)
        yield self.diagnostic(
            doc,
            (end, end),
            "No newline at end of file",
            fix=Fix.safe(Edit.insert(end, newline), message="Add a final newline"),
        )


@dataclass(frozen=True)
class BlankLineOptions:
    max_blank_lines: int = 1


class BlankLineRun(DocumentRule):
    """Too many consecutive blank lines, or blank lines at the end of the file.

    ## What it does
    Flags runs of more than `max-blank-lines` (default 1) blank lines between
    paragraphs, and any blank line after the last paragraph.

    ## Why it matters
    Paragraph splitting treats one blank line as a boundary; runs of them are
    left over from removed content (ads, images) and distort layout statistics.

    ## Example
    Three empty lines between two paragraphs.

    ## Fix safety
    Safe: the extra blank lines are removed; one (or `max-blank-lines`) is kept.
    """

    code = "FMT010"
    name = "blank-line-run"
    fix_availability = FixAvailability.ALWAYS
    Options = BlankLineOptions

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        if not text.strip():
            return
        keep = self.options.max_blank_lines
        content_end = len(text.rstrip())
        for m in _BLANK_RUN.finditer(text):
            if m.start() == 0:
                continue  # blank lines at the start are FMT008's
            lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)", m.group())
            if m.start() >= content_end:  # blank lines after the last paragraph
                yield self.diagnostic(
                    doc,
                    (m.start(), m.end()),
                    f"{len(lines)} blank line{'s' if len(lines) > 1 else ''} at end of file",
                    fix=Fix.safe(
                        Edit.delete(m.start(), m.end()), message="Remove blank lines at end of file"
                    ),
                )
            elif len(lines) > keep:
                cut = m.start() + sum(len(line) for line in lines[:keep])
                yield self.diagnostic(
                    doc,
                    (cut, m.end()),
                    f"{len(lines)} consecutive blank lines (at most {keep} expected)",
                    fix=Fix.safe(Edit.delete(cut, m.end()), message="Remove the extra blank lines"),
                )
