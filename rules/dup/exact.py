"""DUP001: a document whose normalised text equals another corpus document's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from corpuslint.rules.dup.normalize import exact_key_of

from corpuslint.corpus import Corpus, chunks, insert_rows
from corpuslint.document import Document
from corpuslint.model import Diagnostic, Severity
from corpuslint.rule import CheckContext, CorpusRule, Target

# Files named in a message; the data lists them all.
SHOWN = 3


def group_message(original: str, others: list[str]) -> str:
    rest = [p for p in others if p != original]
    text = f"Exact duplicate of {original} (same text after normalising Unicode, case and spaces)"
    if rest:
        shown = ", ".join(rest[:SHOWN])
        more = f" and {len(rest) - SHOWN} more" if len(rest) > SHOWN else ""
        text += f"; also equal to {shown}{more}"
    return text


class ExactDuplicate(CorpusRule):
    """The document is an exact duplicate of another document of the corpus.

    ## What it does
    Hashes each document's text after Unicode NFC normalisation, case folding and
    folding every run of whitespace to one space, and flags a document whose hash
    another corpus document shares. In a group of equal documents the first in
    path order is the original and gets no finding; every other member is flagged
    and the message names the original (and the other copies). The whole corpus
    is consulted through the index, so a pre-commit run on one new file finds a
    copy committed long ago.

    ## Why it matters
    Duplicated documents over-weight their content in training and evaluation,
    leak test items into training splits, and usually mean a scrape or a merge ran
    twice.

    ## Example
    `seeds/007_a.txt` holds the same article as `seeds/003_b.txt` with different
    line wrapping and capitalisation: `007_a.txt` is flagged as a copy of
    `003_b.txt`.

    ## Fix safety
    No fix: which copy to keep (and whether to delete files) is the curator's call.
    """

    code = "DUP001"
    name = "exact-duplicate"
    severity = Severity.WARNING
    index_summary = False  # the hash lives in dup_exact

    def summarize(self, doc: Document) -> Any:
        return exact_key_of(doc)

    def index_tables(self, db: Any) -> None:
        db.execute(
            "CREATE TABLE IF NOT EXISTS dup_exact (file_id INTEGER PRIMARY KEY, hash BLOB NOT NULL)"
        )
        db.execute("CREATE INDEX IF NOT EXISTS dup_exact_by_hash ON dup_exact(hash)")

    def index_add(self, db: Any, file_id: int, summary: Any) -> None:
        self.index_add_many(db, [(file_id, summary)])

    def index_add_many(self, db: Any, items: list[tuple[int, Any]]) -> None:
        insert_rows(db, "INSERT OR REPLACE INTO dup_exact VALUES", items)

    def index_remove(self, db: Any, file_ids: list[int]) -> None:
        db.executemany("DELETE FROM dup_exact WHERE file_id = ?", [(i,) for i in file_ids])

    def check_corpus(
        self, targets: list[Target], corpus: Corpus, ctx: CheckContext
    ) -> Iterator[Diagnostic]:
        groups: dict[bytes, dict[str, str]] = {}  # hash -> {relpath: display}
        for t in targets:
            if t.summary is not None:
                groups.setdefault(t.summary, {})[corpus.relpath(t.path)] = t.path
        # other corpus files with these hashes (none to look up when every one is a target)
        hashes = list(groups) if corpus.others != 0 else []
        for part in chunks(hashes):
            marks = ",".join("?" * len(part))
            rows = corpus.db.execute(
                "SELECT e.hash, f.path FROM dup_exact e JOIN files f ON f.id = e.file_id "
                f"WHERE e.hash IN ({marks})",
                part,
            )
            for digest, rel in rows:
                members = groups[digest]
                if rel not in members:
                    members[rel] = corpus.display(rel)
        for t in targets:
            if t.summary is None:
                continue
            members = groups[t.summary]
            if len(members) < 2:
                continue
            ordered = [members[r] for r in sorted(members)]
            original = ordered[0]
            if t.path == original:
                continue
            others = [p for p in ordered if p != t.path]
            yield self.diagnostic(
                t.path,
                None,
                group_message(original, others),
                data={
                    "duplicate_of": original,
                    "others": others,
                    "group_size": len(ordered),
                },
            )
