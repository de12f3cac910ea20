"""The ENC rules: mojibake, U+FFFD, HTML entities, invisible characters, non-NFC, C1.

Every rule here is a thin layer over a finder module; the finders are pure
functions of the text, and the mojibake repairs they share are cached on the
document (``scan.repairs``) so that one glitch is reported once.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpuslint.rules.enc.entities import find_entities
from corpuslint.rules.enc.invisible import find_invisible
from corpuslint.rules.enc.normalization import find_non_nfc
from corpuslint.rules.enc.repair import Repair
from corpuslint.rules.enc.scan import repairs, show

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Edit, Fix, FixAvailability
from corpuslint.rule import CheckContext, DocumentRule

_C1_RUN = re.compile("[\x80-\x9f]+")
_C1_CHAR = re.compile("[\x80-\x9f]")  # no repeat: the engine skips text much faster


def _plan_text(plan) -> str:
    return ", ".join(f"{action} {arg}" for action, arg in plan) or "no steps"


def _fix(safe: bool, start: int, end: int, content: str, message: str) -> Fix:
    edit = Edit.replace(start, end, content)
    return Fix.safe(edit, message=message) if safe else Fix.unsafe(edit, message=message)


def _repair_fix(repair: Repair, steps: str) -> Fix:
    """The fix of one ftfy repair (ENC001, ENC006): its span becomes the repaired text."""
    message = f"Replace with {show(repair.fixed)} ({steps})"
    return _fix(repair.safe, repair.start, repair.end, repair.fixed, message)


def _repair_data(repair: Repair) -> dict[str, object]:
    return {
        "original": repair.original,
        "fixed": repair.fixed,
        "plan": [list(step) for step in repair.plan],
        "source": repair.source,
    }


class Mojibake(DocumentRule):
    """Mojibake: UTF-8 text that was decoded in the wrong encoding.

    ## What it does
    Finds the exact spans that ftfy's encoding repair would rewrite (UTF-8 read
    as Windows-1252, Latin-1, MacRoman and other single-byte encodings, doubled
    encodings such as `Ã¢â‚¬â„¢`), one finding per span, with the repaired text
    and the steps ftfy took (`encode sloppy-windows-1252, decode utf-8`). Lines
    are judged as `ftfy.fix_text` judges them, one at a time, with only the
    encoding fixes on; applying every fix gives exactly ftfy's output. Legitimate
    accented letters, other scripts, curly quotes, dashes and emoji are not
    mojibake and are never reported: ftfy's badness heuristic decides, and a
    fast pre-filter skips every line that cannot be mojibake.

    ftfy leaves mojibake alone when it sits in a line that also holds correct
    text of another encoding (MacRoman `Moli√®re` next to `Łódź`), and cuts some
    sequences in two (MacRoman `‚Ä¶` repaired as `‚Ķ`). Such *embedded*
    mojibake is also reported, when decoding the sequence as UTF-8 gives
    ordinary text that fits its neighbours; the message then says that ftfy
    alone would not (or would differently) repair it.

    ## Why it matters
    `Zürich` stored as `ZÃ¼rich` and `it’s` as `itâ€™s` are different words
    to every tokenizer, search index and deduplicator; a model trained on them
    learns to write them.

    ## Example
    `The cafÃ© in ZÃ¼rich` -> `The café in Zürich` (two findings).

    ## Fix safety
    Safe when ftfy's plan for the span only re-encodes and decodes (`encode`,
    `decode`, `transcode` steps) and the result has a lower ftfy badness than
    the original; unsafe otherwise (for example when ftfy had to repair a span
    inside text of another encoding with `decode_inconsistent_utf8`). Repairs
    of embedded mojibake that ftfy does not make itself are always unsafe.
    """

    code = "ENC001"
    name = "mojibake"
    fix_availability = FixAvailability.ALWAYS
    version = 1

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        for repair in repairs(doc).items:
            if repair.c1_only:
                continue  # C1 controls alone are ENC006's
            steps = _plan_text(repair.plan)
            how = f"ftfy: {steps}"
            if repair.ftfy_text is not None:
                how = f"{steps}; ftfy alone would write {show(repair.ftfy_text)}"
            elif repair.source == "embedded":
                how = f"{steps}; ftfy leaves it alone in this line"
            yield self.diagnostic(
                doc,
                (repair.start, repair.end),
                f"Mojibake {show(repair.original)} should be {show(repair.fixed)} ({how})",
                fix=_repair_fix(repair, steps),
                data={
                    **_repair_data(repair),
                    **({"ftfy_text": repair.ftfy_text} if repair.ftfy_text is not None else {}),
                },
            )


class ReplacementCharacter(DocumentRule):
    """Text contains U+FFFD REPLACEMENT CHARACTER: a character was lost.

    ## What it does
    Flags each run of `�` (U+FFFD), the character a decoder writes when it meets
    bytes it cannot decode. A `�` inside mojibake is reported by ENC001 instead.

    ## Why it matters
    The original character is gone: `Z�rich` could have been `Zürich` or
    `Zurich`. Such text poisons vocabularies and duplicates detection, and only
    the source can restore it.

    ## Example
    `The president of Brasil, Lula da Silva, visited S�o Paulo.`

    ## Fix safety
    No fix: the information is lost. Re-extract the document from its source
    with the right encoding, or drop it.
    """

    code = "ENC002"
    name = "replacement-character"

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        if "\ufffd" not in text:
            return
        found = repairs(doc)
        for m in re.finditer("\ufffd+", text):
            for start, end in found.outside(m.start(), m.end()):
                n = end - start
                yield self.diagnostic(
                    doc,
                    (start, end),
                    f"{n} replacement character{'s' if n > 1 else ''} (U+FFFD): the original "
                    "text was lost in decoding and cannot be restored here; re-extract it "
                    "from the source",
                    data={"count": n},
                )


class HtmlEntity(DocumentRule):
    """HTML character reference left in plain text (`&amp;`, `&#8217;`, `&nbsp;`).

    ## What it does
    Flags named references that are real HTML5 entities (`&eacute;`, `&mdash;`),
    numeric ones (`&#8217;`, `&#x2014;`) and the legacy forms browsers accept
    without a semicolon (`&amp`, `&nbsp`). Text that only looks similar is left
    alone: `AT&T`, `R&D`, `Q&A`, `AT&T;`, a URL's `?a=1&lt=5`. A doubly escaped
    reference (`&amp;#8217;`) is one finding.

    ## Why it matters
    A scraper that forgot to unescape leaves `Tom &amp; Jerry` and
    `it&#8217;s` in the corpus; the entity text is learnt as if it were words.

    ## Example
    `Johnson &amp; Johnson said it&#8217;s fine` -> `Johnson & Johnson said it’s fine`.

    ## Fix safety
    Safe: the reference is replaced by the character it stands for (every level
    of a double escape). Unsafe when that character is a control or format
    character, or when the line also holds HTML tags (the text may be markup on
    purpose).
    """

    code = "ENC003"
    name = "html-entity"
    fix_availability = FixAvailability.ALWAYS

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        for entity in find_entities(doc.text):
            kind = "Doubly escaped HTML entity" if entity.levels > 1 else "HTML entity"
            yield self.diagnostic(
                doc,
                (entity.start, entity.end),
                f"{kind} {show(entity.original)} in plain text (stands for {show(entity.decoded)})",
                fix=_fix(
                    entity.safe,
                    entity.start,
                    entity.end,
                    entity.decoded,
                    f"Unescape to {show(entity.decoded)}",
                ),
                data={"entity": entity.original, "decoded": entity.decoded},
            )


@dataclass(frozen=True)
class InvisibleOptions:
    # Characters that are fine in this corpus, as "U+00AD" (or the character itself).
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for item in self.allow:
            _parse_char(item)


def _parse_char(item: str) -> str:
    if len(item) == 1:
        return item
    m = re.fullmatch(r"(?:U\+|u\+|0x)?([0-9A-Fa-f]{4,6})", item)
    if m is None or int(m.group(1), 16) > 0x10FFFF:
        raise ValueError(f"allow: {item!r} is not a character or a code point like 'U+00AD'")
    return chr(int(m.group(1), 16))


class InvisibleCharacter(DocumentRule):
    """Invisible characters: zero-width spaces, soft hyphens, bidi controls, stray BOMs.

    ## What it does
    Flags runs of invisible format characters: zero-width space, zero-width
    joiner and non-joiner, word joiner, soft hyphen, left-to-right and
    right-to-left marks, bidi embeddings, overrides and isolates, invisible
    operators, Hangul fillers and a byte order mark anywhere but at the very
    start of the file (that one is FMT004's). Where such a character is correct
    Unicode it is not flagged: a zero-width joiner inside an emoji sequence, a
    joiner or non-joiner in Arabic, Persian or Indic script, a zero-width space
    in Thai, Lao, Khmer, Myanmar or Tibetan text (written without spaces), a
    directional mark within a few characters of Arabic or Hebrew letters.
    `allow` lists characters the corpus keeps (`["U+00AD"]`).

    ## Why it matters
    Invisible characters split words for a tokenizer (`Mos\\u200bcow` is not
    `Moscow`), defeat exact-match deduplication and search, and bidi overrides
    can make text display differently from what it says.

    ## Example
    `Tehran\\u200b and Moscow`, `inter\\u00adnational`, `\\ufeffThe` mid-file.

    ## Fix safety
    Safe: the characters are deleted. Unsafe for zero-width joiners and
    non-joiners outside the contexts above (they may still be deliberate) and
    for bidi overrides in right-to-left text.
    """

    code = "ENC004"
    name = "invisible-character"
    fix_availability = FixAvailability.ALWAYS
    Options = InvisibleOptions

    def __init__(self, options: InvisibleOptions | None = None) -> None:
        super().__init__(options)
        self._allowed = frozenset(_parse_char(item) for item in self.options.allow)

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        runs = find_invisible(doc.text)
        if not runs:
            return
        found = repairs(doc)
        for run in runs:
            if found.covering(run.start, run.end):
                continue
            if self._allowed and set(run.chars) <= self._allowed:
                continue
            names = ", ".join(run.names)
            n = len(run.chars)
            yield self.diagnostic(
                doc,
                (run.start, run.end),
                f"Invisible character{'s' if n > 1 else ''} {names}",
                fix=_fix(
                    run.safe,
                    run.start,
                    run.end,
                    "",
                    f"Delete the invisible character{'s' if n > 1 else ''}",
                ),
                data={"characters": list(run.names)},
            )


class NonNfc(DocumentRule):
    """Text is not in Unicode normalization form C (NFC).

    ## What it does
    Flags each span that NFC normalisation would change: decomposed letters
    (`e` + U+0301 instead of `é`, typical of text from macOS file systems),
    combining marks out of canonical order, and canonical singletons such as
    U+212B ANGSTROM SIGN. Only the characters that change are reported, never
    the whole file.

    ## Why it matters
    `Café` and `Cafe\\u0301` look identical but compare, hash, tokenize and
    deduplicate differently; NFC is the form the web and most tools expect.

    ## Example
    `Zu\\u0308rich` -> `Zürich`.

    ## Fix safety
    Safe: NFC is canonically equivalent text. Unsafe for CJK compatibility
    ideographs (U+F900-U+FAFF, U+2F800-U+2FA1F), which NFC maps to unified
    ideographs although some texts use them to keep distinct readings apart.
    """

    code = "ENC005"
    name = "non-nfc"
    fix_availability = FixAvailability.ALWAYS

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        changes = find_non_nfc(doc.text)
        if not changes:
            return
        found = repairs(doc)
        for change in changes:
            if found.covering(change.start, change.end):
                continue
            yield self.diagnostic(
                doc,
                (change.start, change.end),
                f"Not in NFC: {show(change.original, marks=True)} should be "
                f"{show(change.normalized, marks=True)}{_code_points(change)}",
                fix=_fix(
                    change.safe,
                    change.start,
                    change.end,
                    change.normalized,
                    "Normalize to NFC",
                ),
                data={"original": change.original, "normalized": change.normalized},
            )


class C1Control(DocumentRule):
    """C1 control characters (U+0080-U+009F), usually Windows-1252 read as Latin-1.

    ## What it does
    Flags C1 control characters. Almost always they are Windows-1252
    punctuation decoded as Latin-1 (`\\x93quoted\\x94` for `“quoted”`); the fix
    is ftfy's repair of the span, with its steps. C1 characters that are part
    of a longer mojibake span are reported once, by ENC001.

    ## Why it matters
    C1 controls have no use in text; they are invisible in most editors, and
    break XML, JSON consumers and tokenizers.

    ## Example
    `He said \\x93hello\\x94 \\x96 twice` -> `He said “hello” – twice`.

    ## Fix safety
    Safe when ftfy maps them to Windows-1252 characters by re-encoding, as web
    browsers do; unsafe when ftfy could not do it by encoding alone. The five
    C1 codes that Windows-1252 leaves undefined (U+0081, U+008D, U+008F, U+0090,
    U+009D) get an unsafe fix that deletes them.
    """

    code = "ENC006"
    name = "c1-control"
    fix_availability = FixAvailability.ALWAYS

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        text = doc.text
        if text.isascii() or not _C1_CHAR.search(text):
            return
        found = repairs(doc)
        for repair in found.items:
            if not repair.c1_only:
                continue
            steps = _plan_text(repair.plan)
            yield self.diagnostic(
                doc,
                (repair.start, repair.end),
                f"C1 control character {_codes(repair.original)} should be "
                f"{show(repair.fixed)} (ftfy: {steps})",
                fix=_repair_fix(repair, steps),
                data=_repair_data(repair),
            )
        for m in _C1_RUN.finditer(text):
            for start, end in found.outside(m.start(), m.end()):
                n = end - start
                yield self.diagnostic(
                    doc,
                    (start, end),
                    f"C1 control character{'s' if n > 1 else ''} {_codes(text[start:end])} "
                    "that ftfy cannot map to a character",
                    fix=Fix.unsafe(
                        Edit.delete(start, end),
                        message=f"Delete the control character{'s' if n > 1 else ''}",
                    ),
                )


def _code_points(change) -> str:
    """Code points for short changes, which often look identical on screen."""
    if len(change.original) > 3 or len(change.normalized) > 3:
        return ""
    before = " ".join(f"U+{ord(c):04X}" for c in change.original)
    after = " ".join(f"U+{ord(c):04X}" for c in change.normalized)
    return f" ({before} -> {after})"


def _codes(chars: str) -> str:
    return ", ".join(f"U+{ord(c):04X}" for c in chars)
