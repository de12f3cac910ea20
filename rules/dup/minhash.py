"""MinHash signatures of word (or character) n-gram shingles, vectorised with numpy.

The signatures are datasketch's: for the same shingles, ``Sketcher.signature``
returns exactly the ``hashvalues`` of ``datasketch.MinHash(num_perm, seed,
hashfunc=sketcher.datasketch_hashfunc())`` (datasketch's default ``affine32``
scheme: a MurmurHash3 finaliser, then ``a * h + b`` modulo 2**32 with datasketch's
own permutation parameters). ``corpuslint.rules.dup.interop`` turns them into
``LeanMinHash`` and ``MinHashLSH`` objects. What differs from datasketch's default
is only the 32-bit hash of a shingle: datasketch calls SHA-1 once per shingle from
Python (about 0.5 us each); here a token is hashed once per process (cached) and
the n-gram hashes are combined for all shingles of a document at once in numpy.

Shingle identity (for exact Jaccard) uses the full 64-bit shingle hash, so two
different shingles are confused with probability about 2**-64 per pair.

numpy is imported when a ``Sketcher`` is built, never at module import (startup).
"""

from __future__ import annotations

import math
import os
import struct
import sys
from collections.abc import Callable
from functools import cached_property, lru_cache
from typing import Any

from corpuslint.rules.dup.normalize import WORD, fold, tokens

MASK64 = (1 << 64) - 1
_COMBINE = 0x100000001B3  # FNV-1a 64-bit prime: odd, so the combination is invertible
_BYTE_MULT = 0x9E3779B97F4A7C15  # odd multiplier of the per-token polynomial hash
_BAND_SALT = 0xC2B2AE3D27D4EB4F
_CHAR_SALT = 0x27D4EB2F165667C5

# ASCII fast path: bytes that are not word characters ([A-Za-z0-9_], like the
# regex \w on ASCII text) become spaces; the second table also lowercases.
_KEEP = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_ASCII_WORDS = bytes(c if c in _KEEP else 32 for c in range(256))
_ASCII_WORDS_LOWER = bytes(
    (c + 32 if 65 <= c <= 90 else c) if c in _KEEP else 32 for c in range(256)
)


# What the sketcher needs of the C module (a module built from older sources, e.g. an
# editable install not rebuilt after an update, lacks some: numpy takes over).
NATIVE_FUNCTIONS = ("shingle_ids", "shingle_set", "signature", "intersect_count", "band_keys")


def _load_native() -> Any:
    """The C kernels (``_minhash.c``), or None when not built, out of date or disabled."""
    if os.environ.get("CORPUSLINT_NO_NATIVE"):
        return None
    try:
        from corpuslint.rules.dup import _minhash
    except ImportError:
        return None
    if not all(hasattr(_minhash, name) for name in NATIVE_FUNCTIONS):
        return None
    return _minhash


def token_hash(token: str) -> int:
    """The 64-bit hash of one word token: a polynomial hash of its UTF-8 bytes, mixed."""
    h = 0
    mult = 1
    for c in token.encode("utf-8", "surrogatepass"):
        h = (h + (c + 1) * mult) & MASK64
        mult = (mult * _BYTE_MULT) & MASK64
    return fmix64_int(h)


def char_token_hash(char: str) -> int:
    """The 64-bit hash of one character token."""
    return fmix64_int((ord(char) + _CHAR_SALT) & MASK64)


def fmix64_int(x: int) -> int:
    x ^= x >> 33
    x = (x * 0xFF51AFD7ED558CCD) & MASK64
    x ^= x >> 33
    x = (x * 0xC4CEB9FE1A85EC53) & MASK64
    return x ^ (x >> 33)


def shingle_id_of(token_hashes_: list[int]) -> int:
    """The 64-bit id of one shingle from its tokens' hashes (reference, pure Python)."""
    h = 0
    for t in token_hashes_:
        h = (h * _COMBINE + t) & MASK64
    return fmix64_int(h)


@lru_cache(maxsize=8)
def lsh_params(threshold: float, num_perm: int, max_miss: float = 1e-3) -> tuple[int, int]:
    """Bands ``b`` and rows ``r`` (``b * r <= num_perm``) for a Jaccard threshold.

    Every candidate is verified exactly, so a false candidate costs time only and
    a missed pair is lost. Among the (b, r) whose chance of missing a pair *at*
    the threshold, ``(1 - t**r) ** b``, is at most ``max_miss`` (pairs above it
    are missed even less often), take the one with the fewest expected false
    candidates: the integral of ``1 - (1 - s**r) ** b`` over ``s`` in [0, t).
    For each ``r`` that is the smallest ``b`` meeting the bound (more bands only
    add false candidates). If no banding meets it, the one that misses least.
    """
    t = min(max(threshold, 1e-6), 1.0)
    best: tuple[float, int, int] | None = None
    fallback: tuple[float, int, int] | None = None
    steps = 200
    for r in range(1, num_perm + 1):
        hit = t**r
        most = num_perm // r
        miss = (1.0 - hit) ** most
        if fallback is None or miss < fallback[0]:
            fallback = (miss, most, r)
        if miss > max_miss:
            continue
        b = (
            most
            if hit >= 1.0
            else max(1, min(most, math.ceil(math.log(max_miss) / math.log1p(-hit))))
        )
        fp = sum(1.0 - (1.0 - ((i + 0.5) * t / steps) ** r) ** b for i in range(steps)) * t / steps
        if best is None or fp < best[0]:
            best = (fp, b, r)
    chosen = best or fallback
    assert chosen is not None
    return chosen[1], chosen[2]


def band_keys_of_signature(signature: bytes, bands: int, rows: int) -> list[int]:
    """``Sketcher.band_keys`` in plain Python (signed 64-bit keys) for one signature
    (uint32 bytes in the machine's order): checking a few files needs no numpy."""
    values = struct.unpack(f"={len(signature) // 4}I", signature)
    keys = []
    for band in range(bands):
        h = (band * _BAND_SALT) & MASK64
        for value in values[band * rows : (band + 1) * rows]:
            h = (h * _COMBINE + value) & MASK64
        key = fmix64_int(h)
        keys.append(key - (1 << 64) if key >> 63 else key)
    return keys


def candidate_probability(jaccard: float, bands: int, rows: int) -> float:
    """Chance that a pair with this Jaccard similarity shares at least one band."""
    return 1.0 - (1.0 - jaccard**rows) ** bands


class Sketcher:
    """Shingles, signatures and band keys for one configuration.

    ``text`` arguments are raw document text; the sketcher normalises it (Unicode
    ``form``, case folding) and tokenises it: words are runs of ``\\w`` characters,
    characters are those of the whitespace-folded text.
    """

    def __init__(
        self,
        *,
        ngram: int = 5,
        unit: str = "word",
        num_perm: int = 128,
        seed: int = 1,
        threshold: float = 0.8,
        form: str = "NFC",
        casefold: bool = True,
    ) -> None:
        self.ngram = max(1, ngram)
        self.unit = unit
        self.num_perm = num_perm
        self.seed = seed
        self.threshold = threshold
        self.form = form
        self.casefold = casefold
        self.bands, self.rows = lsh_params(threshold, num_perm)
        self._powers: Any = None
        self.native = _load_native()

    # numpy and what is built with it come on first use: signing one new word-shingled
    # document with the C kernel (the pre-commit case) needs none of it.

    @cached_property
    def np(self) -> Any:
        import numpy as np

        return np

    @cached_property
    def _permutations(self) -> tuple[Any, Any]:
        np = self.np
        gen = np.random.RandomState(self.seed)  # datasketch's affine32 permutations, same order
        a = gen.randint(0, 1 << 31, self.num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b = gen.randint(0, 1 << 32, self.num_perm, dtype=np.uint32)
        return a, b

    @property
    def a(self) -> Any:
        return self._permutations[0]

    @property
    def b(self) -> Any:
        return self._permutations[1]

    @cached_property
    def _permutation_bytes(self) -> tuple[bytes, bytes]:
        from corpuslint.rules.dup import default_permutations as default

        if (self.seed, self.num_perm) == (default.SEED, default.NUM_PERM) and (
            sys.byteorder == "little"
        ):
            return default.A, default.B
        return self.a.tobytes(), self.b.tobytes()

    @property
    def a_bytes(self) -> bytes:
        return self._permutation_bytes[0]

    @property
    def b_bytes(self) -> bytes:
        return self._permutation_bytes[1]

    @cached_property
    def _band_offsets(self) -> Any:
        np = self.np
        return np.arange(self.bands, dtype=np.uint64) * np.uint64(_BAND_SALT)

    def params(self) -> dict[str, Any]:
        """The keyword arguments that build an equal sketcher (e.g. in another process)."""
        return {
            "ngram": self.ngram,
            "unit": self.unit,
            "num_perm": self.num_perm,
            "seed": self.seed,
            "threshold": self.threshold,
            "form": self.form,
            "casefold": self.casefold,
        }

    # -- tokens -------------------------------------------------------------

    def tokens(self, text: str) -> list[str]:
        """The tokens as strings (reference path, for interop and tests)."""
        return tokens(fold(text, form=self.form, casefold=self.casefold), self.unit)

    def token_hashes(self, text: str) -> Any:
        """64-bit hashes of the document's tokens, in order (uint64 array)."""
        np = self.np
        if self.unit == "char":
            folded = " ".join(fold(text, form=self.form, casefold=self.casefold).split())
            cps = np.frombuffer(folded.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
            with np.errstate(over="ignore"):
                return fmix64(np, cps.astype(np.uint64) + np.uint64(_CHAR_SALT))
        return self._hash_space_separated(self.word_buffer(text))

    def word_buffer(self, text: str, folded: str | None = None) -> bytes:
        """The normalised words of ``text`` as UTF-8, separated by spaces (``folded``:
        ``fold(text)`` with this sketcher's options, when the caller has it)."""
        if text.isascii():  # the common case: no regex, no per-token Python
            table = _ASCII_WORDS_LOWER if self.casefold else _ASCII_WORDS
            return text.encode("ascii").translate(table)
        if folded is None:
            folded = fold(text, form=self.form, casefold=self.casefold)
        word_bytes = getattr(self.native, "word_bytes", None)
        if word_bytes is not None:
            return word_bytes(folded, False)  # the same bytes, in one pass
        return " ".join(WORD.findall(folded)).encode("utf-8", "surrogatepass")

    def _hash_space_separated(self, buf: bytes) -> Any:
        """``token_hash`` of every space-separated token of ``buf``, vectorised."""
        np = self.np
        arr = np.frombuffer(buf, dtype=np.uint8)
        pos = np.flatnonzero(arr != 32)
        if len(pos) == 0:
            return np.zeros(0, dtype=np.uint64)
        starts = np.empty(len(pos), dtype=bool)
        starts[0] = True
        np.not_equal(pos[1:], pos[:-1] + 1, out=starts[1:])
        first = np.flatnonzero(starts)
        offsets = np.arange(len(pos)) - np.repeat(first, np.diff(np.append(first, len(pos))))
        powers = self._power_table(int(offsets.max()) + 1)
        with np.errstate(over="ignore"):
            weighted = (arr[pos].astype(np.uint64) + np.uint64(1)) * powers[offsets]
            return fmix64(np, np.add.reduceat(weighted, first))

    def _power_table(self, n: int) -> Any:
        np = self.np
        if self._powers is None or len(self._powers) < n:
            size = max(n, 64)
            steps = np.full(size, _BYTE_MULT, dtype=np.uint64)
            steps[0] = 1
            with np.errstate(over="ignore"):
                self._powers = np.cumprod(steps, dtype=np.uint64)
        return self._powers

    # -- shingles -----------------------------------------------------------

    def shingle_ids(self, text: str) -> Any:
        """The 64-bit ids of the document's shingles (with repeats, in order)."""
        if self.native is not None and self.unit == "word":
            raw = self.native.shingle_ids(self.word_buffer(text), self.ngram)
            return self.np.frombuffer(raw, dtype=self.np.uint64)
        return self.shingle_ids_of_tokens(self.token_hashes(text))

    def shingle_ids_of_tokens(self, tok: Any) -> Any:
        np = self.np
        if len(tok) == 0:
            return np.zeros(0, dtype=np.uint64)
        n = min(self.ngram, len(tok))
        m = len(tok) - n + 1
        h = tok[:m].copy()
        mult = np.uint64(_COMBINE)
        with np.errstate(over="ignore"):
            for j in range(1, n):
                h *= mult
                h += tok[j : j + m]
            return fmix64(np, h)

    def shingle_set(self, text: str) -> Any:
        """Sorted unique shingle ids: the set whose Jaccard similarity is verified."""
        if self.native is not None and self.unit == "word":
            raw = self.native.shingle_set(self.word_buffer(text), self.ngram)
            return self.np.frombuffer(raw, dtype=self.np.uint64)
        ids = self.np.sort(self.shingle_ids(text))
        if len(ids) < 2:
            return ids
        return ids[self.np.concatenate(([True], ids[1:] != ids[:-1]))]

    # -- signatures ---------------------------------------------------------

    def signature_of_ids(self, ids: Any) -> Any:
        """MinHash signature (uint32[num_perm]) of shingle ids; all 0xFFFFFFFF if empty."""
        np = self.np
        if len(ids) == 0:
            return np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        if self.native is not None:
            ids = np.ascontiguousarray(ids, dtype=np.uint64)
            return np.frombuffer(self.native.signature(ids, self.a, self.b), dtype=np.uint32)
        hv = fmix32(np, (ids & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        out = np.full(self.num_perm, 0xFFFFFFFF, dtype=np.uint32)
        # chunks keep the (chunk x num_perm) block in cache
        step = max(1, 65536 // self.num_perm)
        buf = np.empty((min(step, len(hv)), self.num_perm), dtype=np.uint32)
        for start in range(0, len(hv), step):
            part = hv[start : start + step, None]
            block = buf[: len(part)]
            np.multiply(part, self.a, out=block)
            block += self.b
            np.minimum(out, block.min(axis=0), out=out)
        return out

    def signature(self, text: str) -> Any:
        return self.signature_of_ids(self.shingle_ids(text))

    # -- LSH ----------------------------------------------------------------

    def band_keys(self, signature: Any) -> Any:
        """One signed 64-bit key per band (band number mixed in), for SQLite."""
        np = self.np
        bands = signature[: self.bands * self.rows].astype(np.uint64).reshape(self.bands, self.rows)
        mult = np.uint64(_COMBINE)
        with np.errstate(over="ignore"):
            h = self._band_offsets.copy()
            for j in range(self.rows):
                h *= mult
                h += bands[:, j]
            return fmix64(np, h).view(np.int64)

    def band_keys_matrix(self, signatures: Any) -> Any:
        """Band keys of many signatures at once (rows: documents)."""
        np = self.np
        n = len(signatures)
        if self.native is not None and signatures.dtype == np.uint32 and n:
            raw = self.native.band_keys(
                np.ascontiguousarray(signatures), self.num_perm, self._band_offsets, self.rows
            )
            return np.frombuffer(raw, dtype=np.int64).reshape(n, self.bands)
        sub = signatures[:, : self.bands * self.rows].astype(np.uint64)
        sub = sub.reshape(n, self.bands, self.rows)
        mult = np.uint64(_COMBINE)
        with np.errstate(over="ignore"):
            h = np.broadcast_to(self._band_offsets, (n, self.bands)).copy()
            for j in range(self.rows):
                h *= mult
                h += sub[:, :, j]
            return fmix64(np, h).view(np.int64)

    # -- datasketch ---------------------------------------------------------

    def datasketch_hashfunc(self) -> Callable[[bytes | str], int]:
        """The 32-bit shingle hash to give ``datasketch.MinHash(hashfunc=...)``.

        A word shingle is its tokens joined by one space (``b"the cat sat on the"``);
        a character shingle is its characters (``"the c"``).
        """
        unit = self.unit

        def shingle_hash32(shingle: bytes | str) -> int:
            text = (
                shingle.decode("utf-8", "surrogatepass") if isinstance(shingle, bytes) else shingle
            )
            if unit == "char":
                return shingle_id_of([char_token_hash(c) for c in text]) & 0xFFFFFFFF
            return shingle_id_of([token_hash(t) for t in text.split(" ")]) & 0xFFFFFFFF

        return shingle_hash32

    def shingle_strings(self, text: str) -> list[str]:
        """The shingles as datasketch users would build them (for interop and tests)."""
        tokens = self.tokens(text)
        n = min(self.ngram, len(tokens))
        sep = "" if self.unit == "char" else " "
        return [sep.join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)] if tokens else []


def fmix64(np: Any, x: Any) -> Any:
    """MurmurHash3's 64-bit finaliser on a uint64 array (returns a new array)."""
    x = x ^ (x >> np.uint64(33))
    x *= np.uint64(0xFF51AFD7ED558CCD)
    x ^= x >> np.uint64(33)
    x *= np.uint64(0xC4CEB9FE1A85EC53)
    x ^= x >> np.uint64(33)
    return x


def fmix32(np: Any, x: Any) -> Any:
    """MurmurHash3's 32-bit finaliser (datasketch's pre-mix of the affine32 scheme)."""
    x = x ^ (x >> np.uint32(16))
    x *= np.uint32(0x85EBCA6B)
    x ^= x >> np.uint32(13)
    x *= np.uint32(0xC2B2AE35)
    x ^= x >> np.uint32(16)
    return x
