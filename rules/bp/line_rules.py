"""BP001-BP009 and BP011: boilerplate found in one document.

Every rule reads the shared analysis (analysis.py), so a document is scanned once
whatever the number of BP rules selected, and a line gets at most one BP code. Each
rule's ``extra-patterns`` option adds the user's own whole-line regexes (BP009: inline
regexes) for lines that nothing else claimed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from corpuslint.rules.bp.analysis import REPEAT_MAX_CHARS, REPEAT_MIN_CHARS, Analysis, analyse
from corpuslint.rules.bp.lines import Deleter, core, shorten

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Edit, Fix, FixAvailability, Severity
from corpuslint.options import regex_field
from corpuslint.rule import CheckContext, DocumentRule


@dataclass(frozen=True)
class PatternOptions:
    """``extra-patterns``: regexes matched (case-insensitively) against a whole line."""

    extra_patterns: tuple[str, ...] = regex_field(())


class _LineCategoryRule(DocumentRule):
    """A category of whole boilerplate lines, defined by a pattern table."""

    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    Options = PatternOptions
    table_key: str = ""
    label: str = ""

    @cached_property
    def _extra(self) -> re.Pattern[str] | None:
        patterns = self.options.extra_patterns
        if not patterns:
            return None
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        analysis = analyse(doc)
        extra = self._extra_rows(analysis)
        deleter = analysis.deleter
        if extra:
            deleter = Deleter(analysis.lines, analysis.flagged_rows() | set(extra))
        for finding in analysis.by_code.get(self.code, ()):
            yield self._line_diagnostic(
                doc, analysis, deleter, finding.row, finding.message, finding.safe, finding.pattern
            )
        for row in extra:
            message = f'{self.label} "{analysis.quote(row)}"'
            yield self._line_diagnostic(doc, analysis, deleter, row, message, False, "extra")

    def _extra_rows(self, analysis: Analysis) -> list[int]:
        if self._extra is None:
            return []
        taken = analysis.flagged_rows() | {f.row for f in analysis.inline}
        rows = []
        for line in analysis.lines:
            if line.blank or line.row in taken or len(line.text) > 2000:
                continue
            norm = analysis.norm(line.row)
            if self._extra.fullmatch(norm) or self._extra.fullmatch(core(norm)):
                rows.append(line.row)
        return rows

    def _line_diagnostic(
        self,
        doc: Document,
        analysis: Analysis,
        deleter: Deleter,
        row: int,
        message: str,
        safe: bool,
        pattern: str,
    ) -> Diagnostic:
        line = analysis.lines[row]
        fix = deleter.fix(row, safe=safe, message="Delete the line")
        return self.diagnostic(
            doc, (line.start, line.end), message, fix=fix, data={"pattern": pattern}
        )


class AdMarker(_LineCategoryRule):
    """A line that only marks an advertisement (`Advertisement`, `- Advertisment -`).

    ## What it does
    Flags lines whose whole text is an ad marker: `Advertisement` in any case, with
    decoration (`- Advertisement -`, `[Ad]`) or misspelt (`Advertisment`, `Adverstisement`,
    matched within a small edit distance), `Sponsored content`, `Story continues below
    advertisement`, `Scroll to continue with content`, `Report this ad`. The phrases are
    the table `rules/bp/patterns/ads.toml`; `extra-patterns` adds your own.

    ## Why it matters
    Scrapers keep the label of an ad slot after the ad is gone; the marker splits a
    paragraph sequence and teaches a model to emit `Advertisement` between paragraphs.

    ## Example
    `Advertisment` alone on a line between two paragraphs. A sentence that mentions an
    advertisement ("The advertisement ran for three weeks.") is not flagged.

    ## Fix safety
    Safe for a marker alone on a line (the line and the blank line it leaves are
    deleted); unsafe for `Sponsored by <name>`, whose name may belong to the text.
    """

    code = "BP001"
    name = "ad-marker"
    table_key = "ads"
    label = "Ad marker line"


class Navigation(_LineCategoryRule):
    """Site navigation: previous/next links, back to top, breadcrumbs, "read more", related blocks.

    ## What it does
    Flags navigation lines (`Previous`, `Next post »`, `Back to top`, `Read more`,
    `Home > World > Middle East`, `Page 2 of 3`, `Tags: ...`, `Read more: <headline>`)
    and, under a block header (`Previous`, `Next`, `Related stories`, `Most read`,
    `You may also like`), the linked headlines that follow it: one after a previous/next
    link, a list after a related-stories header (short lines without a full stop).
    Table: `rules/bp/patterns/navigation.toml` (`[[header]]` entries start blocks).

    ## Why it matters
    Navigation is page furniture: the headlines of other articles glued to the end of
    this one are text that belongs to different documents.

    ## Example
    The footer `Previous` / `Previous` / `U.S. Launches Another Strike on Houthis` /
    `Next` / `Next` / `Return to Autocracy: ...`: six findings, the headlines included.

    ## Fix safety
    Safe for a navigation word alone on a line (`Back to top`, `Read more`). Unsafe for
    everything in a block with linked headlines (header included, so a safe run never
    strips the header and leaves its headlines orphaned), breadcrumbs, tag lists and
    `Read more: <headline>` lines.
    """

    code = "BP002"
    name = "navigation"
    table_key = "navigation"
    label = "Navigation line"


class CallToAction(_LineCategoryRule):
    """Calls to action: newsletter sign-up, subscribe, share buttons, app download, listen.

    ## What it does
    Flags lines that ask the reader to do something for the site: `Sign up for our
    newsletter`, `Subscribe now`, `Already a subscriber? Log in`, `Share this article`,
    `Facebook Twitter Email`, `Download our app`, `Listen to this article (4 min)`,
    `Follow us on Facebook`, `Support our journalism`. Table:
    `rules/bp/patterns/cta.toml`.

    ## Why it matters
    These lines are the page's user interface, repeated on every article of a site; they
    are not part of the article.

    ## Example
    `Sign up for the Morning Brief newsletter to get the news in your inbox.` A sentence
    about a newsletter ("The company's newsletter reached 2 million readers.") or a
    heading such as `Follow the Money` is not flagged.

    ## Fix safety
    Unsafe: the line is deleted; a call to action can be worded like a sentence.
    """

    code = "BP003"
    name = "call-to-action"
    table_key = "cta"
    label = "Call-to-action line"


class CommentSection(_LineCategoryRule):
    """Comment-section text: comment policy, "comments are closed", comment buttons.

    ## What it does
    Flags lines of a page's comment section: `Please read our comment policy before
    commenting.`, `Comments are closed.`, `Comments (14)`, `Leave a Reply`, `Your email
    address will not be published.`, `Join the conversation`. Table:
    `rules/bp/patterns/comments.toml`.

    ## Why it matters
    The comment widget's text is identical across a site's articles and says nothing
    about the article.

    ## Example
    `Please read our comment policy before commenting.` at the end of an article. "The
    minister declined to comment." is not flagged.

    ## Fix safety
    Unsafe: the line is deleted.
    """

    code = "BP004"
    name = "comment-section"
    table_key = "comments"
    label = "Comment-section line"


class ContactByline(_LineCategoryRule):
    """Contact and byline lines: e-mail addresses, "can be reached at", handles, credits.

    ## What it does
    Flags short lines with an author's contact (`— Guy Taylor can be reached at
    gtaylor@example.com.`, `Email: tips@example.com`, `Twitter: @handle`), reporting and
    editing credits (`Reporting by X; Editing by Y`), bylines (`By Jane Doe, Staff
    Writer`), publication timestamps (`Updated: March 20, 2024`, `5 min read`) and
    author blurbs (`— The writer is a fellow at ...`). Table:
    `rules/bp/patterns/contact.toml`.

    ## Why it matters
    Bylines and contact lines are metadata: they put names and addresses into the text
    and repeat across every article of an author.

    ## Example
    `— Guy Taylor can be reached at gtaylor@washingtontimes.com.` A sentence in a
    paragraph that happens to contain an address is not flagged.

    ## Fix safety
    Unsafe: the line is deleted; a curator may want to keep the author in metadata first.
    """

    code = "BP005"
    name = "contact-byline"
    table_key = "contact"
    label = "Contact/byline line"


class CaptionCredit(_LineCategoryRule):
    """Image captions and photo credits as lines.

    ## What it does
    Flags a line that is a caption closed by a credit (`... speaking at an address
    (Wikimedia Commons)`, `... (AP Photo/Vahid Salemi)`, `... | Photo credit: AFP`), a
    credit line (`Photo: Jane Doe/Reuters`, `REUTERS/John Doe`, `Getty Images`) or a
    gallery control (`Image 3 of 12`, `hide caption`). Table:
    `rules/bp/patterns/captions.toml`.

    ## Why it matters
    A caption describes a picture that is no longer there; between paragraphs it reads
    as a non-sequitur, and credits put agency and photographer names into the text.

    ## Example
    `Iranian President Masoud Pezeshkian speaking at an address (Wikimedia Commons)`.
    "The photo, taken by a bystander, was widely shared." is not flagged.

    ## Fix safety
    Unsafe: the line is deleted; a caption can carry facts the text does not repeat.
    """

    code = "BP006"
    name = "caption-credit"
    table_key = "captions"
    label = "Caption/photo credit line"


class CopyrightLegal(_LineCategoryRule):
    """Copyright and legal lines: ©, "All rights reserved", reproduction bans, disclaimers.

    ## What it does
    Flags `© 2024 Example Media. All rights reserved.`, `This material may not be
    published, broadcast, rewritten or redistributed.`, syndication notes (`This article
    originally appeared on ...`, `Distributed by ...`), licence lines, disclaimers and
    rows of legal links (`Privacy Policy | Terms of Use`). Table:
    `rules/bp/patterns/legal.toml`.

    ## Why it matters
    Legal footers repeat on every page of a site and are not the article's text.

    ## Example
    `Copyright © 2024 The Meridian Post. All Rights Reserved.` "Copyright law was
    reformed in 1998." is not flagged.

    ## Fix safety
    Unsafe: the line is deleted; a licence line may be needed to keep the document.
    """

    code = "BP007"
    name = "copyright-legal"
    table_key = "legal"
    label = "Copyright/legal line"


class CookieNotice(_LineCategoryRule):
    """Cookie, consent, JavaScript, browser and ad-blocker notices.

    ## What it does
    Flags notices the page showed the scraper: `We use cookies to improve your
    experience.`, `Accept all cookies`, `Please enable JavaScript to view this content.`,
    `Your browser does not support the video tag.`, `It looks like you're using an ad
    blocker.` Table: `rules/bp/patterns/notices.toml`.

    ## Why it matters
    They describe the web page, not the article, and recur across whole sites.

    ## Example
    `This website uses cookies.` "Regulators fined the firm for setting tracking cookies
    without consent." is not flagged.

    ## Fix safety
    Unsafe: the line is deleted.
    """

    code = "BP008"
    name = "cookie-notice"
    table_key = "notices"
    label = "Cookie/JavaScript notice"


@dataclass(frozen=True)
class InlineOptions:
    """``extra-patterns``: regexes searched inside lines; each match is a finding."""

    extra_patterns: tuple[str, ...] = regex_field(())


class InlineBoilerplate(DocumentRule):
    """Boilerplate run into a paragraph: a caption and its photo credit, a glued ad marker.

    ## What it does
    Finds a photo credit inside a paragraph (`(credit: ... VIA REUTERS)`, `(AP
    Photo/Name)`, `(Photo: AFP)`, `Caption. REUTERS/Name`) and flags the caption sentence
    it closes together with the credit: from the end of the previous sentence (skipping
    abbreviations such as `U.S.` and `Mr.`) to the end of the credit. Also flags ad
    markers glued into the text (`... said. ADVERTISEMENT The ...`). Only that span is
    flagged, not the paragraph. Table: `rules/bp/patterns/inline.toml`. When the caption
    is the whole line, the line is a caption line (BP006) instead.

    ## Why it matters
    A caption pasted into a paragraph breaks its sentence flow and puts agency names
    into the prose; it cannot be removed line by line.

    ## Example
    `... Fars News noted. A drone is seen during a military exercise ... (credit: IRANIAN
    ARMY/WANA (WEST ASIA NEWS AGENCY) VIA REUTERS)`: the finding starts at `A drone`.

    ## Fix safety
    Unsafe: the span (and one space next to it) is deleted; where the caption starts is
    a judgement.
    """

    code = "BP009"
    name = "inline-boilerplate"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    Options = InlineOptions

    @cached_property
    def _extra(self) -> re.Pattern[str] | None:
        patterns = self.options.extra_patterns
        if not patterns:
            return None
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        analysis = analyse(doc)
        spans = [(f.start, f.end, f.message, f.pattern) for f in analysis.inline]
        if self._extra is not None:
            spans.extend(self._extra_spans(doc, analysis, spans))
        text = doc.text
        for start, end, message, pattern in sorted(spans):
            a, b = start, end
            if a > 0 and text[a - 1] == " ":
                a -= 1
            elif b < len(text) and text[b] == " ":
                b += 1
            message_fix = "Delete the inline boilerplate"
            yield self.diagnostic(
                doc,
                (start, end),
                message,
                fix=Fix.unsafe(Edit.delete(a, b), message=message_fix),
                data={"pattern": pattern},
            )

    def _extra_spans(self, doc: Document, analysis: Analysis, taken: list) -> list:
        assert self._extra is not None
        claimed = analysis.flagged_rows()
        out = []
        for line in analysis.lines:
            if line.blank or line.row in claimed:
                continue
            for m in self._extra.finditer(line.text):
                if m.end() == m.start():
                    continue
                start, end = line.start + m.start(), line.start + m.end()
                if any(s < end and start < e for s, e, *_ in taken):
                    continue
                out.append((start, end, f'Inline boilerplate "{shorten(m.group())}"', "extra"))
        return out


@dataclass(frozen=True)
class RepeatedLineOptions:
    """Lines shorter than ``min-length`` or longer than ``max-length`` are not compared."""

    min_length: int = REPEAT_MIN_CHARS
    max_length: int = REPEAT_MAX_CHARS

    def __post_init__(self) -> None:
        if self.min_length < 1 or self.max_length < self.min_length:
            raise ValueError("need 1 <= min-length <= max-length")


class RepeatedLine(DocumentRule):
    """A line repeats an earlier line of the same file.

    ## What it does
    Flags every repetition of a non-blank line (compared with whitespace collapsed and
    case ignored) after its first occurrence, for lines of `min-length` to `max-length`
    characters (default 8 to 200: repeated long paragraphs are the DUP family's) with at
    least two letters. Lines that another BP rule flags are left to it: `Previous` /
    `Previous` is navigation (BP002), two `Advertisement` lines are ad markers (BP001).

    ## Why it matters
    A scraped page often carries its title, a teaser or a caption twice; the second copy
    is an extraction artefact.

    ## Example
    The headline repeated as the last line of the article.

    ## Fix safety
    Unsafe: the repetition is deleted; a refrain or a repeated heading can be intended.
    """

    code = "BP011"
    name = "repeated-line"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    Options = RepeatedLineOptions

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        analysis = analyse(doc)
        if not analysis.repeats:
            return
        lo, hi = self.options.min_length, self.options.max_length
        for row, first in sorted(analysis.repeats.items()):
            line = analysis.lines[row]
            if not lo <= len(analysis.norm(row)) <= hi:
                continue
            fix = analysis.deleter.fix(row, safe=False, message="Delete the repeated line")
            yield self.diagnostic(
                doc,
                (line.start, line.end),
                f'Line repeats line {first + 1}: "{analysis.quote(row)}"',
                fix=fix,
                data={"first_row": first + 1},
            )
