"""Text normalisation shared by the DUP rules (pure Python, no heavy imports).

Two documents count as *exact* duplicates when their normalised texts are equal:
Unicode NFC, case folded, every run of whitespace folded to one space, leading
and trailing whitespace dropped. Near-duplicate shingles are built from tokens of
text normalised the same way (the Unicode form and case folding are options).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from typing import Any

WORD = re.compile(r"\w+")


def fold(text: str, *, form: str = "NFC", casefold: bool = True) -> str:
    """Unicode-normalised (and by default case-folded) text; never raises."""
    if not unicodedata.is_normalized(form, text):
        text = unicodedata.normalize(form, text)
    return text.casefold() if casefold else text


def _native_fold() -> Any:
    if os.environ.get("CORPUSLINT_NO_NATIVE"):
        return None
    try:
        from corpuslint.rules.dup._minhash import fold_ascii
    except ImportError:
        return None
    return fold_ascii


_fold_ascii = _native_fold()


def exact_text(text: str) -> bytes:
    """The text DUP001 compares: NFC, case folded, whitespace runs as one space, stripped."""
    if _fold_ascii is not None and text.isascii():
        return _fold_ascii(text.encode("ascii"))  # the same bytes, about ten times faster
    return " ".join(fold(text).split()).encode("utf-8", "surrogatepass")


def exact_key(text: str) -> bytes:
    """The normalised content hash of DUP001 (16 bytes)."""
    return hashlib.blake2b(exact_text(text), digest_size=16).digest()


def exact_key_of(doc: Any) -> bytes:
    """``exact_key`` of a Document, computed once per document (DUP001 and DUP002 share it)."""
    key = doc.meta.get("dup.exact")
    if key is None:
        key = doc.meta["dup.exact"] = exact_key(doc.text)
    return key


def tokens(text: str, unit: str) -> list[str]:
    """Words (``\\w+``) or, for ``unit == "char"``, the characters of the
    whitespace-folded text."""
    if unit == "char":
        return list(" ".join(text.split()))
    return WORD.findall(text)
