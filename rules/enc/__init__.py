"""ENC: encoding glitches: mojibake (ftfy), U+FFFD, HTML entities, invisible
characters, non-NFC text, C1 controls. ftfy is imported only when a line could
hold mojibake."""

from corpuslint.rules.enc.rules import (
    C1Control,
    HtmlEntity,
    InvisibleCharacter,
    Mojibake,
    NonNfc,
    ReplacementCharacter,
)

RULES = [Mojibake, ReplacementCharacter, HtmlEntity, InvisibleCharacter, NonNfc, C1Control]
