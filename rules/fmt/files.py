"""FMT rules about the file itself: its name, its bytes, its size."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from corpuslint.document import Document
from corpuslint.model import Diagnostic, Edit, Fix, FixAvailability, Severity
from corpuslint.options import regex_field
from corpuslint.rule import CheckContext, DocumentRule


@dataclass(frozen=True)
class FilenameOptions:
    pattern: str = regex_field(r"^\d{3}_[0-9a-f]{16}\.txt$")


class FilenamePattern(DocumentRule):
    """File name does not match the corpus naming pattern.

    ## What it does
    Checks each file name (not its directory) against the regular expression
    `pattern`. The default fits the corpus convention `NNN_<16 hex digits>.txt`,
    for example `004_4e425b7157766a74.txt`.

    ## Why it matters
    Pipelines derive document ids from file names and sort by them; a file named
    `article (copy).txt` breaks the join with metadata and the numbering.

    ## Example
    `Article 4.txt` is flagged; `004_4e425b7157766a74.txt` is not.

    ## Fix safety
    No fix: only the curator knows the right id.
    """

    code = "FMT001"
    name = "filename-pattern"
    severity = Severity.WARNING
    requires_text = False
    Options = FilenameOptions

    def __init__(self, options: FilenameOptions | None = None) -> None:
        super().__init__(options)
        self._pattern = re.compile(self.options.pattern)

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        if doc.path == "-":
            return
        if not self._pattern.search(doc.name):
            yield self.diagnostic(
                doc,
                None,
                f"File name {doc.name!r} does not match the pattern {self.options.pattern!r}",
                data={"filename": doc.name, "pattern": self.options.pattern},
            )


_UTF16_BOMS = {b"\xff\xfe": "UTF-16 LE", b"\xfe\xff": "UTF-16 BE"}


class InvalidUtf8(DocumentRule):
    """File is not valid UTF-8.

    ## What it does
    Decodes the file as UTF-8 and points at the first byte that is not valid
    (the column counts the characters decoded before it on its line). The byte
    offset is in the finding's `data`. When the file starts with a UTF-16 byte
    order mark, the message says so.

    ## Why it matters
    Every later stage assumes UTF-8. A file in cp1252 or UTF-16 either crashes
    a pipeline or, decoded leniently, turns into mojibake nobody sees.

    ## Example
    `caf\\xe9` (Latin-1 `é`) is flagged at the `\\xe9` byte.

    ## Fix safety
    No fix, and the file is never rewritten by any rule: guessing the encoding
    is not safe. Convert it yourself (`iconv -f cp1252 -t utf-8`).
    """

    code = "FMT003"
    name = "invalid-utf8"
    severity = Severity.ERROR
    requires_text = False

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        if doc.decode_error is None:
            return
        offset = doc.decode_error
        bad = doc.raw[offset]
        char_offset = len(doc.raw[:offset].decode("utf-8", "surrogateescape"))
        bom = next((name for bom, name in _UTF16_BOMS.items() if doc.raw.startswith(bom)), None)
        if bom:
            message = f"File is {bom} (byte order mark {doc.raw[:2].hex(' ')}), not UTF-8"
        else:
            message = f"Invalid UTF-8: byte 0x{bad:02x} at byte offset {offset}"
        yield self.diagnostic(
            doc,
            (char_offset, char_offset + 1),
            message + "; the file is not rewritten",
            data={"byte_offset": offset, "byte": f"0x{bad:02x}", "encoding": bom},
        )


class ByteOrderMark(DocumentRule):
    """File starts with a UTF-8 byte order mark.

    ## What it does
    Flags a U+FEFF at the very start of the file.

    ## Why it matters
    A BOM is invisible in editors but ends up glued to the first token
    (`\\ufeffdate: ...`), so header parsers and exact-match deduplication miss.

    ## Example
    `EF BB BF 64 61 74 65` (`\\ufeffdate`) is flagged.

    ## Fix safety
    Safe: the BOM is removed; nothing else changes.
    """

    code = "FMT004"
    name = "byte-order-mark"
    fix_availability = FixAvailability.ALWAYS

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        if doc.text.startswith("\ufeff"):
            yield self.diagnostic(
                doc,
                (0, 1),
                "File starts with a UTF-8 byte order mark",
                fix=Fix.safe(Edit.delete(0, 1), message="Remove the byte order mark"),
            )


_MAGIC_NAMES = (
    (b"\x89PNG", "PNG image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x7fELF", "ELF executable"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"SQLite format 3\x00", "SQLite database"),
)


class BinaryFile(DocumentRule):
    """File is binary, not text.

    ## What it does
    Flags files whose first bytes are a known binary format (PNG, PDF, ZIP,
    gzip, JPEG, ...) or mostly control bytes. They are never decoded as text, no
    other rule looks at them, and no fix rewrites them.

    ## Why it matters
    A binary file with a `.txt` name poisons tokenisers and statistics.

    ## Example
    A PNG saved as `005_0123456789abcdef.txt`.

    ## Fix safety
    No fix: remove or replace the file.
    """

    code = "FMT014"
    name = "binary-file"
    severity = Severity.ERROR
    requires_text = False

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        if not doc.is_binary:
            return
        kind = next(
            (name for magic, name in _MAGIC_NAMES if doc.raw.startswith(magic)), "binary data"
        )
        yield self.diagnostic(
            doc,
            None,
            f"File is binary ({kind}), not text; it was not read",
            data={"kind": kind, "size": doc.size},
        )


class FileTooLarge(DocumentRule):
    """File is larger than `max-file-size`.

    ## What it does
    Flags files over the configured `max-file-size` (top-level setting, default
    32 MiB). Only their first bytes are read; no other rule looks at them.

    ## Why it matters
    An "article" of hundreds of megabytes is a dump, a log or a concatenation,
    and loading it whole would stall every worker.

    ## Example
    A 100 MB `all_articles.txt` in the corpus directory.

    ## Fix safety
    No fix: split or remove the file.
    """

    code = "FMT015"
    name = "file-too-large"
    severity = Severity.ERROR
    requires_text = False

    def check(self, doc: Document, ctx: CheckContext) -> Iterator[Diagnostic]:
        if doc.too_large:
            yield self.diagnostic(
                doc,
                None,
                f"File is {doc.size} bytes, over the size limit of {ctx.max_file_size} "
                "(max-file-size); it was not checked",
                data={"size": doc.size, "limit": ctx.max_file_size},
            )
