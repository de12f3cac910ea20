"""FMT rules about the header line (`date: YYYY-MM-DD`) and the document's length."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Edit, Fix, FixAvailability, Severity
from corpuslint.options import regex_field
from corpuslint.rule import CheckContext, DocumentRule

# A header written sloppily: any case, optional leading whitespace, `:`/`=` or
# nothing between the key and an ISO-like date. It may be glued to the body.
DEFAULT_LOOSE = r"(?i)^[^\S\r\n]*date[^\S\r\n]*[:=]?[^\S\r\n]*(?P<date>\d{4}-\d{1,2}-\d{1,2})\b"


@dataclass(frozen=True)
class HeaderOptions:
    pattern: str = regex_field(r"^date: (?P<date>\d{4}-\d{2}-\d{2})$")
    loose_pattern: str = regex_field(DEFAULT_LOOSE)
    template: str = "date: {date}"
    required: bool = False

    def __post_init__(self) -> None:
        if "(?P<date>" not in self.loose_pattern:
            raise ValueError("loose-pattern must have a named group (?P<date>...)")
        try:
            self.template.format(date="2024-01-01")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"template must use only {{date}}: {exc}") from None


@dataclass(frozen=True)
class HeaderMatch:
    start: int  # offset of the header text (after any leading whitespace)
    end: int  # end of the header text on the first line
    line_end: int  # end of the first line (before its terminator)
    date: str
    glued: bool  # body text follows on the same line
    canonical: bool


def _first_line(text: str) -> tuple[int, int]:
    start = 1 if text.startswith("\ufeff") else 0
    m = re.compile(r"\r\n|\r|\n").search(text, start)
    return start, (m.start() if m else len(text))


def find_header(text: str, pattern: re.Pattern[str], loose: re.Pattern[str]) -> HeaderMatch | None:
    """The header on the first line, canonical or sloppy, or None."""
    start, end = _first_line(text)
    line = text[start:end]
    m = pattern.match(line)
    if m is not None and m.end() == len(line):
        date = m.groupdict().get("date") or ""
        return HeaderMatch(start, end, end, date, glued=False, canonical=True)
    m = loose.match(line)
    if m is None:
        return None
    rest = line[m.end() :]
    glued = bool(rest.strip())
    return HeaderMatch(start, start + m.end(), end, m.group("date"), glued, canonical=False)


def parse_date(value: str) -> dt.date | None:
    try:
        year, month, day = (int(p) for p in value.split("-"))
        return dt.date(year, month, day)
    except ValueError:
        return None


class HeaderLine(DocumentRule):
    """Header line is glued to the text, malformed, or missing.

    ## What it does
    The first line may hold a header, by default `date: YYYY-MM-DD` on its own
    line (`pattern`). A header written another way (`loose-pattern`: any case,
    leading spaces, no colon) is flagged, and so is a header glued to the
    first paragraph on the same line. With `required = true` a file without a
    header is flagged too.

    ## Why it matters
    Pipelines read the date from the header line; a glued header turns the date
    into the first words of the article and loses the metadata.

    ## Example
    ` date 2024-03-20 Iranian President ...` becomes
    `date: 2024-03-20` on line 1 and `Iranian President ...` on line 2.

    ## Fix safety
    Safe: the header is rewritten into `template` on its own line; the body
    text is not touched.
    """

    code = "FMT011"
    name = "header-line"
    fix_availability = FixAvailability.SOMETIMES
    Options = HeaderOptions

    @cached_property
    def _pattern(self) -> re.Pattern[str]:
        return re.compile(self.options.pattern)

    @cached_property
    def _loose(self) -> re.Pattern[str]:
        return re.compile(self.options.loose_pattern)

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        header = find_header(text, self._pattern, self._loose)
        if header is None:
            if self.options.required and text.strip():
                yield self.diagnostic(
                    doc,
                    None,
                    "Missing header line (expected "
                    f"{self.options.template.format(date='YYYY-MM-DD')!r})",
                )
            return
        if header.canonical:
            return
        date = header.date
        parsed = parse_date(date)
        canonical = self.options.template.format(date=parsed.isoformat() if parsed else date)
        found = text[header.start : header.end].strip()
        line_start = 1 if text.startswith("\ufeff") else 0
        if header.glued:
            newline = "\r\n" if "\r\n" in text else "\n"
            body = header.end
            while body < header.line_end and text[body] in " \t\u00a0":
                body += 1
            edit = Edit.replace(line_start, body, canonical + newline)
            message = (
                f"Header {found!r} is glued to the first paragraph; expected "
                f"{canonical!r} on its own line"
            )
            span = (line_start, header.end)
        else:
            edit = Edit.replace(line_start, header.line_end, canonical)
            message = f"Header {found!r} should read {canonical!r}"
            span = (line_start, header.line_end)
        yield self.diagnostic(
            doc,
            span,
            message,
            fix=Fix.safe(edit, message=f"Rewrite the header as {canonical!r}"),
            data={"date": date, "glued": header.glued},
        )


@dataclass(frozen=True)
class DateOptions:
    earliest: str = "1900-01-01"
    max_future_days: int = 1

    def __post_init__(self) -> None:
        if parse_date(self.earliest) is None:
            raise ValueError(f"earliest must be a date YYYY-MM-DD, got {self.earliest!r}")


class InvalidDate(DocumentRule):
    """Header date does not exist, or lies in the future or the distant past.

    ## What it does
    Reads the date of the header line (as `header-line` recognises it, glued
    or not) and flags dates that are not on the calendar (`2024-02-30`), later
    than today plus `max-future-days` (default 1, for time zones), or earlier
    than `earliest` (default 1900-01-01).

    ## Why it matters
    Corpora are sliced by date; an impossible date silently drops a document
    from every time window or puts it in the wrong one.

    ## Example
    `date: 2024-13-01`, `date: 2099-01-01`.

    ## Fix safety
    No fix: the true date is unknown.
    """

    code = "FMT012"
    name = "invalid-date"
    Options = DateOptions

    _pattern = re.compile(HeaderOptions().pattern)
    _loose = re.compile(DEFAULT_LOOSE)

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        header = find_header(doc.text, self._pattern, self._loose)
        if header is None or not header.date:
            return
        span = (header.start, header.end)
        date = parse_date(header.date)
        data = {"date": header.date}
        if date is None:
            yield self.diagnostic(
                doc, span, f"Header date {header.date} is not a valid date", data=data
            )
        elif date > ctx.today + dt.timedelta(days=self.options.max_future_days):
            yield self.diagnostic(
                doc, span, f"Header date {header.date} is in the future", data=data
            )
        elif date < parse_date(self.options.earliest):
            yield self.diagnostic(
                doc,
                span,
                f"Header date {header.date} is before {self.options.earliest} (earliest)",
                data=data,
            )


@dataclass(frozen=True)
class LengthOptions:
    min_words: int = 20


_WORD = re.compile(r"\w+")


class TooShort(DocumentRule):
    """Document is empty or too short to be an article.

    ## What it does
    Counts the words of the text after the header line. An empty or
    whitespace-only file is an error; fewer than `min-words` (default 20)
    words is a warning.

    ## Why it matters
    Stubs, failed downloads and "page not found" placeholders slip into
    scraped corpora as tiny files and skew every statistic.

    ## Example
    A file that holds only `date: 2024-03-20`, or only `Access denied`.

    ## Fix safety
    No fix: remove or re-fetch the document.
    """

    code = "FMT013"
    name = "too-short"
    Options = LengthOptions

    _pattern = re.compile(HeaderOptions().pattern)
    _loose = re.compile(DEFAULT_LOOSE)

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        if not text.strip(" \t\r\n\f\v\ufeff\u00a0"):
            yield self.diagnostic(
                doc, None, "Empty document", severity=Severity.ERROR, data={"words": 0}
            )
            return
        header = find_header(text, self._pattern, self._loose)
        body = text[header.end :] if header is not None else text
        words = 0
        for words, _ in enumerate(_WORD.finditer(body), start=1):
            if words >= self.options.min_words:
                return
        yield self.diagnostic(
            doc,
            None,
            f"Document has {words} word{'s' if words != 1 else ''} "
            f"(fewer than min-words = {self.options.min_words})",
            data={"words": words},
        )
