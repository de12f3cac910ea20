"""BP010: a line that recurs in many files of the corpus (learned boilerplate).

Each file's eligible lines are hashed (whitespace collapsed, case folded) in the
workers; the persistent index keeps a table ``bp_lines (hash, file_id)``, so a run on
one new file counts the line in every other file of the corpus without reading them.
Only the targets' hashes are queried.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from corpuslint.rules.bp.analysis import analyse
from corpuslint.rules.bp.lines import Line, deletion_fix, has_two_letters

from corpuslint.document import Document
from corpuslint.model import Diagnostic, FixAvailability, Severity
from corpuslint.rule import CheckContext, CorpusRule, Target


@dataclass(frozen=True)
class CorpusLineOptions:
    """Thresholds: in at least ``min-files`` files and ``min-share`` of all files."""

    min_files: int = 3
    min_share: float = 0.01
    min_words: int = 3
    max_length: int = 300

    def __post_init__(self) -> None:
        if self.min_files < 2:
            raise ValueError("min-files must be at least 2")
        if not 0.0 <= self.min_share <= 1.0:
            raise ValueError("min-share must be between 0 and 1")
        if self.min_words < 1 or self.max_length < 1:
            raise ValueError("min-words and max-length must be positive")


def line_hash(normalised: str) -> int:
    """A signed 64-bit hash of a normalised line (an SQLite INTEGER)."""
    digest = hashlib.blake2b(normalised.casefold().encode("utf-8", "surrogatepass"), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class CorpusRepeatedLine(CorpusRule):
    """A line recurs in many files of the corpus: a site's footer no pattern list knows.

    ## What it does
    Counts, through the corpus index, the files that contain each line of a checked
    file (compared with whitespace collapsed and case ignored) and flags lines found in
    at least `min-files` files (default 3) and at least `min-share` of all corpus files
    (default 0.01). Only lines of `min-words` words (default 3) up to `max-length`
    characters (default 300) count: short headings such as `Background` recur
    naturally, long paragraphs that recur are duplicates (DUP). Lines that a pattern
    rule (BP001-BP009) or BP011 already flags are left to that rule.

    ## Why it matters
    Every site has its own footer (`The Meridian Post is published by Halvorsen Media`)
    that no pattern table can know; repetition across files gives it away. The index
    makes the answer the same when pre-commit checks one new file as when the whole
    corpus is checked.

    ## Example
    `Independent, local and reader-funded: this is The Lantern.` at the end of 140 of
    3,000 files.

    ## Fix safety
    Unsafe: the line is deleted; a recurring line can be a legitimate formula.
    """

    code = "BP010"
    name = "corpus-repeated-line"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    Options = CorpusLineOptions

    # -- workers -------------------------------------------------------------------

    def summarize(self, doc: Document) -> Any:
        """(hashes for the index, candidates (hash, row, start, end), row starts, kinds)."""
        analysis = analyse(doc)
        flagged = analysis.flagged_rows()
        skip = flagged | set(analysis.repeats) | {f.row for f in analysis.inline}
        opts = self.options
        hashes: set[int] = set()
        candidates = []
        kinds = []
        for line in analysis.lines:
            if line.blank:
                kinds.append("b")
                continue
            kinds.append("f" if line.row in flagged else "t")
            if len(line.text) > 2 * opts.max_length:
                continue
            norm = analysis.norm(line.row)
            if len(norm) > opts.max_length or len(norm.split()) < opts.min_words:
                continue
            if not has_two_letters(norm):
                continue
            h = line_hash(norm)
            hashes.add(h)
            if line.row not in skip:
                candidates.append((h, line.row, line.start, line.end))
        starts = tuple(line.start for line in analysis.lines)
        ends = analysis.lines[-1].next if analysis.lines else 0
        return (tuple(sorted(hashes)), tuple(candidates), (*starts, ends), "".join(kinds))

    # -- index -----------------------------------------------------------------------

    def index_tables(self, db: Any) -> None:
        db.execute(
            "CREATE TABLE IF NOT EXISTS bp_lines (hash INTEGER NOT NULL, "
            "file_id INTEGER NOT NULL, PRIMARY KEY (hash, file_id)) WITHOUT ROWID"
        )
        db.execute("CREATE INDEX IF NOT EXISTS bp_lines_by_file ON bp_lines(file_id)")

    def index_add(self, db: Any, file_id: int, summary: Any) -> None:
        db.executemany(
            "INSERT OR IGNORE INTO bp_lines (hash, file_id) VALUES (?, ?)",
            [(h, file_id) for h in summary[0]],
        )

    def index_remove(self, db: Any, file_ids: list[int]) -> None:
        db.executemany("DELETE FROM bp_lines WHERE file_id = ?", [(i,) for i in file_ids])

    # -- main process ------------------------------------------------------------------

    def check_corpus(
        self, targets: list[Target], corpus: Any, ctx: CheckContext
    ) -> Iterator[Diagnostic]:
        wanted = {c[0] for t in targets if t.summary for c in t.summary[1]}
        if not wanted:
            return
        db = corpus.db
        counts = _file_counts(db, wanted)
        indexed = _indexed_keys(db, {t.key for t in targets if t.summary})
        total = corpus.file_count()
        for t in targets:
            if t.summary:
                yield from self.target_findings(t, counts, total, t.key in indexed)

    def target_findings(
        self, t: Target, counts: dict[int, int], total: int, indexed: bool
    ) -> Iterator[Diagnostic]:
        """Findings of one target: ``counts`` maps line hashes to the number of indexed
        files holding them, ``total`` is the number of indexed files, ``indexed`` whether
        the target's content is among them (shared with the Ray engine)."""
        _hashes, candidates, starts, kinds = t.summary
        extra = 0 if indexed else 1  # a target outside the index counts itself
        files = total + extra
        need = self.files_needed(files)
        hits = [c for c in candidates if counts.get(c[0], 0) + extra >= need]
        if hits:
            lines = [
                Line(i, starts[i], starts[i], starts[i + 1], "", k == "b")
                for i, k in enumerate(kinds)
            ]
            flagged = {i for i, k in enumerate(kinds) if k == "f"} | {c[1] for c in hits}
            for h, row, start, end in hits:
                n = counts.get(h, 0) + extra
                yield self.diagnostic(
                    t.path,
                    (start, end),
                    f"Line recurs in {n} of {files} corpus files ({n / files:.1%})",
                    fix=deletion_fix(lines, flagged, row, safe=False, message="Delete the line"),
                    data={"files": n, "corpus_files": files},
                )

    def files_needed(self, files: int) -> int:
        """In how many of ``files`` corpus files a line must recur to be flagged."""
        opts = self.options
        return max(opts.min_files, math.ceil(opts.min_share * files - 1e-9))


def _file_counts(db: Any, hashes: set[int]) -> dict[int, int]:
    """How many indexed files hold each hash (one query, through a temporary table)."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS bp_wanted (hash INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM bp_wanted")
    db.executemany("INSERT OR IGNORE INTO bp_wanted (hash) VALUES (?)", [(h,) for h in hashes])
    rows = db.execute(
        "SELECT w.hash, count(*) FROM bp_wanted w "
        "JOIN bp_lines l ON l.hash = w.hash JOIN files f ON f.id = l.file_id "
        "GROUP BY w.hash"
    ).fetchall()
    db.execute("DELETE FROM bp_wanted")
    return dict(rows)


def _indexed_keys(db: Any, keys: set[str]) -> set[str]:
    """Which of these content keys the index holds."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS bp_keys (key TEXT PRIMARY KEY)")
    db.execute("DELETE FROM bp_keys")
    db.executemany("INSERT OR IGNORE INTO bp_keys (key) VALUES (?)", [(k,) for k in keys])
    rows = db.execute("SELECT DISTINCT f.key FROM files f JOIN bp_keys k ON k.key = f.key")
    found = {k for (k,) in rows}
    db.execute("DELETE FROM bp_keys")
    return found
