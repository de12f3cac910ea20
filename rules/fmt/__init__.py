"""FMT: the file format (name, bytes, line endings, whitespace, header, size)."""

from corpuslint.rules.fmt.files import (
    BinaryFile,
    ByteOrderMark,
    FilenamePattern,
    FileTooLarge,
    InvalidUtf8,
)
from corpuslint.rules.fmt.header import HeaderLine, InvalidDate, TooShort
from corpuslint.rules.fmt.numbering import DuplicateNumericPrefix
from corpuslint.rules.fmt.whitespace import (
    BlankLineRun,
    ControlCharacter,
    LeadingWhitespace,
    LineEnding,
    MissingFinalNewline,
    TrailingWhitespace,
)

RULES = [
    FilenamePattern,
    DuplicateNumericPrefix,
    InvalidUtf8,
    ByteOrderMark,
    LineEnding,
    ControlCharacter,
    TrailingWhitespace,
    LeadingWhitespace,
    MissingFinalNewline,
    BlankLineRun,
    HeaderLine,
    InvalidDate,
    TooShort,
    BinaryFile,
    FileTooLarge,
]
