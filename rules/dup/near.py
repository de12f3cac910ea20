"""DUP002: near-duplicate documents (MinHash LSH candidates, exact Jaccard verification)."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, NamedTuple

from corpuslint.rules.dup.normalize import exact_key_of, folded_of

from corpuslint.corpus import Corpus, insert_rows
from corpuslint.document import Document
from corpuslint.model import Diagnostic, Severity
from corpuslint.rule import CheckContext, CorpusRule, Target

# Up to this many files, index rows are written and removed in plain Python (the
# same rows as the vectorised path): a pre-commit run on a few files needs no numpy.
FEW_FILES = 16


def _pack_keys(keys: list[int]) -> bytes:
    return struct.pack(f"={len(keys)}q", *keys)


def _unpack_keys(blob: bytes) -> list[int]:
    return list(struct.unpack(f"={len(blob) // 8}q", blob))


@dataclass(frozen=True)
class NearOptions:
    threshold: float = 0.8
    ngram: int = 5
    unit: Literal["word", "char"] = "word"
    num_perm: int = 128
    seed: int = 1
    unicode_form: Literal["NFC", "NFKC"] = "NFC"
    casefold: bool = True

    def __post_init__(self) -> None:
        if not 0.0 < self.threshold <= 1.0:
            raise ValueError("threshold must be above 0 and at most 1")
        if not 1 <= self.ngram <= 64:
            raise ValueError("ngram must be between 1 and 64")
        if not 8 <= self.num_perm <= 1024:
            raise ValueError("num-perm must be between 8 and 1024")
        if not 0 <= self.seed < 2**32:
            raise ValueError("seed must be between 0 and 2**32 - 1")


class NearSummary(NamedTuple):
    """What a worker computes per document (kept small: it travels and is stored)."""

    signature: bytes  # uint32[num_perm], datasketch hashvalues
    shingles: int  # number of shingles (with repeats)
    exact: bytes  # DUP001's normalised-text hash (exact copies are DUP001's findings)


def sketcher_for(options: NearOptions) -> Any:
    """The ``minhash.Sketcher`` of DUP002's options (numpy is not imported yet)."""
    from corpuslint.rules.dup.minhash import Sketcher

    return Sketcher(
        ngram=options.ngram,
        unit=options.unit,
        num_perm=options.num_perm,
        seed=options.seed,
        threshold=options.threshold,
        form=options.unicode_form,
        casefold=options.casefold,
    )


class NearDuplicate(CorpusRule):
    """The document is a near-duplicate of another document of the corpus.

    ## What it does
    Splits each document into shingles (word 5-grams by default, after Unicode
    normalisation and case folding), computes a MinHash signature (datasketch's,
    128 permutations) and finds candidate pairs with locality-sensitive hashing,
    with bands chosen so that a pair at the `threshold` (Jaccard 0.8 by default) is
    missed with probability below 0.1%. Every candidate pair is then verified with
    the exact Jaccard similarity of the two shingle sets, read from the files, so
    no pair below the threshold is ever reported.

    Verified pairs are joined into clusters (connected components). The first file
    of a cluster in path order is the original and gets no finding; every other
    file is flagged, naming the original. `data` holds `duplicate_of` (the file it
    duplicates: the original when its own similarity to it reaches the threshold,
    otherwise its most similar verified neighbour), `jaccard` (with that file),
    `cluster` (the original's path), `cluster_size` and `original`. Files whose
    normalised text is identical are DUP001's findings, not this rule's.

    The whole configured corpus is consulted through the persistent index, so
    `corpuslint check new.txt` compares the new file with every corpus file.

    Options: `threshold`, `ngram`, `unit` (`word` or `char`), `num-perm`, `seed`,
    `unicode-form` (`NFC` or `NFKC`), `casefold`.

    ## Why it matters
    Near-duplicates (the same article re-scraped with a different footer, lightly
    edited syndication copies) inflate a corpus, bias what a model learns and leak
    evaluation data into training.

    ## Example
    `news/0412.txt` is `news/0099.txt` with its last paragraph replaced: Jaccard
    0.86, flagged as a near-duplicate of `news/0099.txt`.

    ## Fix safety
    No fix: which version to keep is the curator's call.
    """

    code = "DUP002"
    name = "near-duplicate"
    severity = Severity.WARNING
    Options = NearOptions
    index_summary = False  # the signature, band keys and exact hash live in dup_near_keys

    @cached_property
    def sketcher(self) -> Any:
        return sketcher_for(self.options)

    def prepare(self) -> None:
        """Build the sketcher (numpy, permutations) once, before workers are forked."""
        self.sketcher  # noqa: B018

    def summarize(self, doc: Document) -> Any:
        sk = self.sketcher
        if sk.native is not None and sk.unit == "word":  # bytes in, bytes out: no numpy
            text = doc.text
            folded = None if text.isascii() else folded_of(doc, sk.form, sk.casefold)
            raw = sk.native.shingle_ids(sk.word_buffer(text, folded), sk.ngram)
            if not raw:
                return None
            signature = sk.native.signature(raw, sk.a_bytes, sk.b_bytes)
            return NearSummary(signature, len(raw) // 8, exact_key_of(doc))
        ids = sk.shingle_ids(doc.text)
        if len(ids) == 0:
            return None
        return NearSummary(sk.signature_of_ids(ids).tobytes(), len(ids), exact_key_of(doc))

    def band_keys(self, summaries: list[NearSummary]) -> Any:
        """LSH band keys (int64, one row per summary) of many signatures at once."""
        np = self.sketcher.np
        sigs = np.frombuffer(b"".join(s.signature for s in summaries), dtype=np.uint32)
        return self.sketcher.band_keys_matrix(sigs.reshape(len(summaries), -1))

    # -- index ---------------------------------------------------------------

    def index_tables(self, db: Any) -> None:
        db.execute(
            "CREATE TABLE IF NOT EXISTS dup_near_keys (file_id INTEGER PRIMARY KEY, "
            "keys BLOB NOT NULL, exact BLOB, signature BLOB NOT NULL, shingles INTEGER)"
        )
        # One integer per (band key, file): the key's high bits and the file id in
        # the low FILE_BITS bits, so a lookup is a range scan of the rowid B-tree.
        db.execute("CREATE TABLE IF NOT EXISTS dup_near_bands (entry INTEGER PRIMARY KEY)")

    def index_add(self, db: Any, file_id: int, summary: Any) -> None:
        self.index_add_many(db, [(file_id, summary)])

    def index_add_many(self, db: Any, items: list[tuple[int, Any]]) -> None:
        if not items:
            return
        from corpuslint.rules.dup.bands import entries_of, insert_entries

        # (the index calls index_remove first for a file it had before)
        if len(items) <= FEW_FILES:  # plain Python: a pre-commit run imports no numpy
            rows = [(fid, s, self.plain_band_keys(s.signature)) for fid, s in items]
            insert_rows(
                db,
                "INSERT INTO dup_near_keys VALUES",
                [
                    (fid, _pack_keys(keys), s.exact, s.signature, s.shingles)
                    for fid, s, keys in rows
                ],
            )
            insert_entries(
                db, sorted(e for fid, _, keys in rows for e in entries_of(None, keys, fid))
            )
            return
        import numpy as np

        matrix = self.band_keys([s for _, s in items])
        insert_rows(
            db,
            "INSERT INTO dup_near_keys VALUES",
            [
                (fid, row.tobytes(), s.exact, s.signature, s.shingles)
                for (fid, s), row in zip(items, matrix)
            ],
        )
        owners = np.repeat(np.array([fid for fid, _ in items], dtype=np.int64), matrix.shape[1])
        insert_entries(db, np.sort(entries_of(np, matrix.ravel(), owners)))

    def plain_band_keys(self, signature: bytes) -> list[int]:
        """The band keys of one signature in plain Python (no numpy: few files)."""
        from corpuslint.rules.dup.minhash import band_keys_of_signature, lsh_params

        o = self.options
        return band_keys_of_signature(signature, *lsh_params(o.threshold, o.num_perm))

    def index_remove(self, db: Any, file_ids: list[int]) -> None:
        from corpuslint.rules.dup.bands import entries_of

        from corpuslint.corpus import chunks

        for part in chunks(file_ids):
            marks = ",".join("?" * len(part))
            rows = db.execute(
                f"SELECT file_id, keys FROM dup_near_keys WHERE file_id IN ({marks})", part
            ).fetchall()
            if not rows:
                continue
            if len(rows) <= FEW_FILES:  # plain Python (see index_add_many)
                entries = [
                    e for fid, blob in rows for e in entries_of(None, _unpack_keys(blob), fid)
                ]
            else:
                import numpy as np

                keys = np.concatenate([np.frombuffer(blob, dtype=np.int64) for _, blob in rows])
                owners = np.repeat(
                    np.array([fid for fid, _ in rows], dtype=np.int64),
                    [len(b) // 8 for _, b in rows],
                )
                entries = entries_of(np, keys, owners).tolist()
            db.executemany("DELETE FROM dup_near_bands WHERE entry = ?", [(e,) for e in entries])
            db.executemany(
                "DELETE FROM dup_near_keys WHERE file_id = ?", [(fid,) for fid, _ in rows]
            )

    # -- checking ------------------------------------------------------------

    def check_corpus(
        self, targets: list[Target], corpus: Corpus, ctx: CheckContext
    ) -> Iterator[Diagnostic]:
        from corpuslint.rules.dup.clusters import find_near_duplicates

        from corpuslint.corpus import gc_paused

        with gc_paused():
            found = list(find_near_duplicates(self, targets, corpus, ctx))
        yield from found
