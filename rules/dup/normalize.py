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
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

WORD = re.compile(r"\w+")


def fold(text: str, *, form: str = "NFC", casefold: bool = True) -> str:
    """Unicode-normalised (and by default case-folded) text; never raises."""
    if not unicodedata.is_normalized(form, text):
        text = unicodedata.normalize(form, text)
    return text.casefold() if casefold else text


def _native() -> Any:
    """The C kernels (``_minhash``), or None when not built or disabled."""
    if os.environ.get("CORPUSLINT_NO_NATIVE"):
        return None
    try:
        from corpuslint.rules.dup import _minhash
    except ImportError:
        return None
    return _minhash


_kernels = _native()
_fold_ascii = getattr(_kernels, "fold_ascii", None)
# exact_paragraphs(folded, min_words, lower) -> (exact text, a paragraph may repeat)
exact_paragraphs: Callable[[str, int, bool], tuple[bytes, bool]] | None = getattr(
    _kernels, "exact_paragraphs", None
)
# word_bytes(folded, lower) -> the \w+ words joined by spaces, as UTF-8
word_bytes: Callable[[str, bool], bytes] | None = getattr(_kernels, "word_bytes", None)
_NO_PARAGRAPHS = sys.maxsize  # min_words that no paragraph reaches: the exact text only


def exact_text(text: str) -> bytes:
    """The text DUP001 compares: NFC, case folded, whitespace runs as one space, stripped."""
    if _fold_ascii is not None and text.isascii():
        return _fold_ascii(text.encode("ascii"))  # the same bytes, about ten times faster
    if exact_paragraphs is not None:
        return exact_paragraphs(fold(text), _NO_PARAGRAPHS, False)[0]
    return " ".join(fold(text).split()).encode("utf-8", "surrogatepass")


def exact_key(text: str) -> bytes:
    """The normalised content hash of DUP001 (16 bytes)."""
    return hashlib.blake2b(exact_text(text), digest_size=16).digest()


def folded_of(doc: Any, form: str = "NFC", casefold: bool = True) -> str:
    """``fold(doc.text, ...)``, computed once per document and options."""
    key = ("dup.fold", form, casefold)
    got = doc.meta.get(key)
    if got is None:
        got = doc.meta[key] = fold(doc.text, form=form, casefold=casefold)
    return got


def exact_text_of(doc: Any) -> bytes:
    """``exact_text`` of a Document, computed once (DUP003's screening leaves it here)."""
    got = doc.meta.get("dup.exact_text")
    if got is None:
        text = doc.text
        if exact_paragraphs is not None and not text.isascii():
            got = exact_paragraphs(folded_of(doc), _NO_PARAGRAPHS, False)[0]
        else:
            got = exact_text(text)
        doc.meta["dup.exact_text"] = got
    return got


def exact_key_of(doc: Any) -> bytes:
    """``exact_key`` of a Document, computed once per document (DUP001 and DUP002 share it)."""
    key = doc.meta.get("dup.exact")
    if key is None:
        key = doc.meta["dup.exact"] = hashlib.blake2b(exact_text_of(doc), digest_size=16).digest()
    return key


def tokens(text: str, unit: str) -> list[str]:
    """Words (``\\w+``) or, for ``unit == "char"``, the characters of the
    whitespace-folded text."""
    if unit == "char":
        return list(" ".join(text.split()))
    return WORD.findall(text)
