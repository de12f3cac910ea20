"""Runs a check: files -> Documents -> rules -> Diagnostics -> (fixer).

Stage 1 reads each file and runs the document rules and the corpus rules'
``summarize`` in parallel worker processes (results cached by content, config and
version). Stage 2 brings the corpus index up to date and runs the corpus rules in
the main process. With ``fix``, files that have applicable fixes are fixed in the
workers (atomic writes) and everything is checked again for the final report.
Output order is deterministic: by path, row, column, code.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing
import os
import signal
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from corpuslint import __version__
from corpuslint.atomic import FileChangedError, write_atomic
from corpuslint.cache import ResultCache, cache_key
from corpuslint.config import Settings
from corpuslint.corpus import Corpus, IndexSync, Summarised, content_key, gc_paused
from corpuslint.document import Document
from corpuslint.files import FileEntry
from corpuslint.fixer import fix_until_stable
from corpuslint.model import Diagnostic
from corpuslint.options import options_as_dict
from corpuslint.rule import CheckContext, CorpusRule, DocumentRule, Rule, Target
from corpuslint.selection import FindingFilter

# Below this many files a run stays in one process (forking costs more than it saves).
PARALLEL_MIN_FILES = 48
# What a finding without a span or a fix is resolved against (it needs no text).
_NO_TEXT = Document.from_bytes("", b"")


@dataclass
class Source:
    """A file to check, or standard input under a file name."""

    entry: FileEntry
    stdin: bytes | None = None


@dataclass
class FileResult:
    display: str
    relpath: str
    key: str | None = None
    size: int = 0
    mtime_ns: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)
    summaries: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    rule_errors: list[str] = field(default_factory=list)
    cache_put: tuple[str, Any] | None = None
    measured: Any = None  # Job.measure's value for this document


@dataclass
class FixResult:
    display: str
    original: str | None = None
    fixed: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    warning: str | None = None  # not written, for a reason that is no error (changed)
    written: bool = False


@dataclass
class Job:
    """Everything a worker needs for a run (inherited by forked workers)."""

    settings: Settings
    rules: list[Rule]
    ctx: CheckContext
    fingerprint: str
    use_cache: bool
    finding_filter: FindingFilter
    # Optional: a figure computed per document in the worker, right after its rules
    # (so it can share their per-text caches, e.g. the MT analysis); never cached.
    # The report's garble scores use it. Must be picklable where workers are spawned.
    measure: Callable[[Document], Any] | None = None

    @property
    def document_rules(self) -> list[DocumentRule]:
        return [r for r in self.rules if isinstance(r, DocumentRule)]

    @property
    def corpus_rules(self) -> list[CorpusRule]:
        return [r for r in self.rules if isinstance(r, CorpusRule)]


def fingerprint(settings: Settings, rules: list[Rule], plugins: str, ctx: CheckContext) -> str:
    parts = [
        __version__,
        f"py{sys.version_info[0]}.{sys.version_info[1]}",
        plugins,
        str(settings.max_file_size),
        ctx.today.isoformat(),
    ]
    for rule in sorted(rules, key=lambda r: r.code):
        opts = sorted(options_as_dict(rule.options).items())
        parts.append(f"{rule.code}:{rule.version}:{opts!r}")
    return hashlib.blake2b("\n".join(parts).encode(), digest_size=16).hexdigest()


# -- reading ---------------------------------------------------------------------


def read_source(source: Source, max_size: int) -> tuple[Document, int, int]:
    """Read a file into a Document without ever blocking on a FIFO or loading a huge file."""
    entry = source.entry
    if source.stdin is not None:
        raw = source.stdin
        too_large = len(raw) > max_size
        return Document.from_bytes(entry.display, raw, too_large=too_large), len(raw), 0
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(entry.abspath, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(f"not a regular file (skipped): {entry.display}")
        too_large = st.st_size > max_size
        raw = read_fd(fd, 64 * 1024 if too_large else None, st.st_size)
    finally:
        os.close(fd)
    doc = Document.from_bytes(entry.display, raw, size=st.st_size, too_large=too_large)
    return doc, st.st_size, st.st_mtime_ns


def read_fd(fd: int, limit: int | None, size: int) -> bytes:
    """The first ``limit`` bytes of an open file, or all of it (to EOF, even if it grew
    since ``fstat`` said ``size``), with plain ``os.read`` calls: no buffered file
    object per file, and no buffer of ``limit`` bytes for a small file."""
    parts = []
    got = 0
    # one byte more than the size: EOF at once
    want = size + 1 if limit is None else max(1, min(limit, size + 1))
    while True:
        chunk = os.read(fd, want)
        if not chunk:
            break
        parts.append(chunk)
        got += len(chunk)
        if limit is not None:
            if got >= limit:
                break
            want = limit - got
        else:
            want = 1 << 20
    return parts[0] if len(parts) == 1 else b"".join(parts)


# -- worker side -------------------------------------------------------------------

_job: Job | None = None
_cache: ResultCache | None = None


def _init_worker(job: Job) -> None:
    global _job, _cache
    _job = job
    _cache = (
        ResultCache(job.settings.resolved_cache_dir(), job.fingerprint) if job.use_cache else None
    )


def _init_pool_worker(job: Job) -> None:
    """A forked worker process: the main process may have paused garbage collection
    for its run; a worker collects its own garbage (and never scans what it inherited)."""
    gc.freeze()
    gc.enable()
    _init_child_worker(job)


def _init_child_worker(job: Job) -> None:
    """A worker process ignores Ctrl-C (SIGINT goes to the whole process group): the
    main process handles it, cancels the tasks not started and waits for those
    running, so a worker never stops half-way through writing a file."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _init_worker(job)


def _run_chunk(func: Callable[[Any], Any], items: list[Any]) -> list[Any]:
    return [func(item) for item in items]


def run_document_rules(
    doc: Document, rules: Iterable[DocumentRule], ctx: CheckContext, errors: list[str]
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in rules:
        if rule.requires_text and not doc.is_text:
            continue
        try:
            out.extend(d.resolve(doc) for d in rule.check(doc, ctx))
        except Exception as exc:  # one broken rule must not hide the others' findings
            errors.append(
                f"rule {rule.code} ({rule.name}) failed on {doc.path}: {type(exc).__name__}: {exc}"
            )
    return out


def summarize(doc: Document, rules: Iterable[CorpusRule], errors: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rule in rules:
        if rule.requires_text and not doc.is_text:
            out[rule.code] = None
            continue
        try:
            out[rule.code] = rule.summarize(doc)
        except Exception as exc:
            errors.append(
                f"rule {rule.code} ({rule.name}) failed on {doc.path}: {type(exc).__name__}: {exc}"
            )
            out[rule.code] = None
    return out


def check_source(source: Source) -> FileResult:
    job = _job
    assert job is not None
    entry = source.entry
    result = FileResult(entry.display, entry.relpath)
    try:
        doc, result.size, result.mtime_ns = read_source(source, job.settings.max_file_size)
    except OSError as exc:
        result.error = f"{entry.display}: {exc.strerror or exc}"
        return result
    result.key = content_key(doc.raw) if not doc.too_large else f"size:{result.size}"
    ckey = cache_key(job.fingerprint, entry.relpath, doc.raw) if _cache is not None else None
    if ckey is not None and not doc.too_large:
        hit = _cache.get(ckey)
        if hit is not None:
            result.diagnostics, result.summaries = hit
            for d in result.diagnostics:  # cached under another working directory
                d.path = entry.display
            _measure(job, doc, result)
            return result
    result.diagnostics = run_document_rules(doc, job.document_rules, job.ctx, result.rule_errors)
    result.summaries = summarize(doc, job.corpus_rules, result.rule_errors)
    if ckey is not None and not result.rule_errors and not doc.too_large:
        result.cache_put = (ckey, (result.diagnostics, result.summaries))
    _measure(job, doc, result)
    return result


def summarise_entry(entry: FileEntry) -> Summarised | None:
    """Stage for index sync: read a corpus file and summarise it for the corpus rules."""
    job = _job
    assert job is not None
    try:
        doc, size, mtime = read_source(Source(entry), job.settings.max_file_size)
    except OSError:
        return None
    errors: list[str] = []
    return Summarised(
        entry, content_key(doc.raw), size, mtime, summarize(doc, job.corpus_rules, errors)
    )


def fix_source(item: tuple[Source, str | None, list[Diagnostic], bool, bool]) -> FixResult:
    """Fix one file until stable; write it atomically unless ``dry_run``.

    ``first`` are the findings of the check (corpus-wide ones included) for the
    content whose hash is ``key``; if the file changed since, they are recomputed.
    """
    source, key, first, unsafe, dry_run = item
    job = _job
    assert job is not None
    entry = source.entry
    out = FixResult(entry.display)
    try:
        doc, _size, _mtime = read_source(source, job.settings.max_file_size)
    except OSError as exc:
        out.error = f"{entry.display}: {exc.strerror or exc}"
        return out
    if not doc.fixable:
        return out
    if content_key(doc.raw) != key:
        first = None  # changed since the check: start from a fresh check
    ignored = job.finding_filter.ignored_codes(entry.relpath)
    rules = [r for r in job.document_rules if job.finding_filter.keeps(r.code, ignored)]
    errors: list[str] = []

    def check(text: str) -> list[Diagnostic]:
        return run_document_rules(Document.from_text(entry.display, text), rules, job.ctx, errors)

    outcome = fix_until_stable(doc.text, check, unsafe=unsafe, first=first)
    if errors:
        out.error = errors[0]
    if outcome.text == doc.text:
        return out
    out.original, out.fixed, out.counts = doc.text, outcome.text, outcome.fixed
    if dry_run or source.stdin is not None:
        return out
    try:
        write_atomic(entry.path, outcome.text.encode("utf-8"), expect=doc.raw)
        out.written = True
    except FileChangedError as exc:
        out.warning = f"{entry.display}: {exc}"
    except OSError as exc:
        out.error = f"{entry.display}: cannot write: {exc.strerror or exc}"
    return out


def _measure(job: Job, doc: Document, result: FileResult) -> None:
    if job.measure is None:
        return
    try:
        result.measured = job.measure(doc)
    except Exception as exc:
        result.rule_errors.append(f"measuring {doc.path} failed: {type(exc).__name__}: {exc}")


# -- main side -------------------------------------------------------------------


def fix_items(
    sources: list[Source], outcome: RunOutcome, *, unsafe: bool, dry_run: bool
) -> list[tuple[Source, str | None, list[Diagnostic], bool, bool]]:
    """``fix_source``'s work items: the sources with an applicable fix, each with its
    cache key and its findings (corpus findings included: they seed the first pass)."""
    by_path: dict[str, list[Diagnostic]] = {}
    for d in outcome.diagnostics:
        by_path.setdefault(d.path, []).append(d)
    items = []
    for source in sources:
        diags = by_path.get(source.entry.display, [])
        if any(d.fix is not None and d.fix.is_applicable(unsafe) for d in diags):
            key = outcome.keys.get(source.entry.display)
            items.append((source, key, diags, unsafe, dry_run))
    return items


def _map(
    job: Job,
    func: Callable[[Any], Any],
    items: list[Any],
    jobs: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[Any]:
    """Map ``func`` over ``items`` in worker processes (or in-process for small runs)."""
    try:
        if jobs <= 1 or len(items) < PARALLEL_MIN_FILES:
            _init_worker(job)
            for item in items:
                yield func(item)
                if progress:
                    progress(1)
            return
        method = "fork" if sys.platform.startswith("linux") else "spawn"
        ctx = multiprocessing.get_context(method)
        chunk = max(1, min(64, len(items) // (jobs * 8) or 1))
        pool = ProcessPoolExecutor(
            max_workers=jobs, mp_context=ctx, initializer=_init_child_worker, initargs=(job,)
        )
        try:
            for result in pool.map(func, items, chunksize=chunk):
                yield result
                if progress:
                    progress(1)
        finally:  # interrupted: tasks not started are dropped, running ones finish
            pool.shutdown(wait=True, cancel_futures=True)
    finally:
        close = getattr(progress, "close", None)
        if close is not None:  # erase a progress bar even when a stage ends early
            close()


# Items per task sent to a worker: results stream back (and into the index) in
# steady steps, and the per-task overhead (pickling, queues) stays small.
TASK_ITEMS = 64


class WorkerPool:
    """The worker processes of one run, used by each of its stages.

    Forked once (on Linux), after the rules have prepared what every document needs
    (``prepare``), so every worker shares it: checking the files, summarising other
    corpus files for the index, and the corpus rules' parallel work (``map`` is
    given to them as ``Corpus.parallel_map``). ``map`` submits all tasks at once
    and yields results in order as they arrive, so the main process can use them
    (write the index) while the workers go on.
    """

    def __init__(self, job: Job, jobs: int) -> None:
        self.job = job
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            method = "fork" if sys.platform.startswith("linux") else "spawn"
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs,
                mp_context=multiprocessing.get_context(method),
                initializer=_init_pool_worker,
                initargs=(self.job,),
            )
        return self._pool

    def map(
        self,
        func: Callable[[Any], Any],
        items: list[Any],
        progress: Callable[[int], None] | None = None,
        on_wait: Callable[[], None] | None = None,
    ) -> Iterator[Any]:
        """``func`` (a module-level function) over ``items``; results in order.

        ``on_wait`` is called whenever the next result is not ready yet: work this
        process can do instead of waiting."""
        pool = self._executor()
        size = max(1, min(TASK_ITEMS, len(items) // (self.jobs * 4) or 1))
        futures = [
            pool.submit(_run_chunk, func, items[i : i + size]) for i in range(0, len(items), size)
        ]
        return self._results(futures, progress, on_wait)

    @staticmethod
    def _results(
        futures: list[Any],
        progress: Callable[[int], None] | None,
        on_wait: Callable[[], None] | None,
    ) -> Iterator[Any]:
        try:
            for future in futures:
                if on_wait is not None and not future.done():
                    on_wait()
                results = future.result()
                if progress is None:
                    yield from results
                else:
                    for result in results:
                        yield result
                        progress(1)
        finally:
            for future in futures:
                future.cancel()
            close = getattr(progress, "close", None)
            if close is not None:  # erase a progress bar even when a stage ends early
                close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


@dataclass
class RunOutcome:
    diagnostics: list[Diagnostic]
    errors: list[str]
    files: int
    fixes: list[FixResult] = field(default_factory=list)
    index_stats: dict[str, int] | None = None
    keys: dict[str, str] = field(default_factory=dict)  # display path -> content hash
    measured: dict[str, Any] = field(default_factory=dict)  # display path -> Job.measure


class Runner:
    def __init__(
        self,
        job: Job,
        *,
        jobs: int | None = None,
        progress: Callable[[str, int], Callable[[int], None] | None] | None = None,
    ):
        self.job = job
        self.jobs = jobs or job.settings.jobs or os.cpu_count() or 1
        self.progress = progress or (lambda _label, _total: None)

    def check(self, sources: list[Source]) -> RunOutcome:
        workers = self._workers(len(sources))
        try:
            with gc_paused():  # a run holds a few objects per file; cycles are rare
                return self._check(sources, workers)
        finally:
            if workers is not None:
                workers.close()

    def _workers(self, files: int) -> WorkerPool | None:
        """Worker processes for a run over ``files`` files (None: stay in this process)."""
        if self.jobs <= 1 or files < PARALLEL_MIN_FILES:
            return None
        for rule in self.job.rules:  # before forking: every worker shares what it builds
            prepare = getattr(rule, "prepare", None)
            if prepare is not None:
                prepare()
        return WorkerPool(self.job, self.jobs)

    def _check(self, sources: list[Source], workers: WorkerPool | None) -> RunOutcome:
        """Check every source; corpus rules' index sync overlaps with the workers.

        While the workers check the files, this process lists the corpus, reads the
        index, and writes each file's summaries to it as its result arrives; the
        corpus rules then run with the same workers at hand.
        """
        job = self.job
        progress = self.progress("checking", len(sources))
        syncing: IndexSync | None = None

        def write_while_waiting() -> None:
            # near the end only: small batches cost more per file, but what is still
            # pending when the last result arrives is written while nothing else runs
            if syncing is not None and len(sources) - len(results) <= syncing.batch:
                syncing.idle()

        if workers is not None:
            stream = workers.map(check_source, sources, progress, write_while_waiting)
        else:
            stream = _map(job, check_source, sources, self.jobs, progress)
        corpus = Corpus(job.settings, job.corpus_rules) if job.corpus_rules else None
        results: list[FileResult] = []
        try:
            if corpus is not None:
                syncing = corpus.begin_sync([s.entry for s in sources if s.stdin is None])
            for source, result in zip(sources, stream):
                results.append(result)
                if (
                    syncing is not None
                    and result.error is None
                    and result.key is not None
                    and source.stdin is None
                ):
                    syncing.add(
                        Summarised(
                            source.entry, result.key, result.size, result.mtime_ns, result.summaries
                        )
                    )
            errors = [r.error for r in results if r.error]
            errors += [e for r in results for e in r.rule_errors]
            if job.use_cache:
                cache = ResultCache(job.settings.resolved_cache_dir(), job.fingerprint)
                cache.put_many([r.cache_put for r in results if r.cache_put is not None])
                cache.close()
            diagnostics = [d for r in results for d in r.diagnostics]
            index_stats = None
            if corpus is not None and syncing is not None:
                index_stats = syncing.finish(lambda entries: self._summarise(entries, workers))
                corpus.parallel_map = workers.map if workers is not None else None
                found = self._corpus_findings(corpus, results, errors)
                diagnostics.extend(self._resolve(found, {s.entry.display: s for s in sources}))
        finally:
            if corpus is not None:
                corpus.close()
        diagnostics = self._filter(diagnostics, {s.entry.display: s.entry.relpath for s in sources})
        diagnostics.sort(key=Diagnostic.sort_key)
        keys = {r.display: r.key for r in results if r.key is not None}
        measured = {r.display: r.measured for r in results if r.measured is not None}
        return RunOutcome(
            diagnostics, errors, len(sources), index_stats=index_stats, keys=keys, measured=measured
        )

    def _summarise(
        self, entries: list[FileEntry], workers: WorkerPool | None
    ) -> Iterable[Summarised | None]:
        """Summaries of corpus files the run did not name (for the index)."""
        progress = self.progress("indexing", len(entries))
        if workers is not None:
            return workers.map(summarise_entry, entries, progress)
        return _map(self.job, summarise_entry, entries, self.jobs, progress)

    def _corpus_findings(
        self, corpus: Corpus, results: list[FileResult], errors: list[str]
    ) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for rule in self.job.corpus_rules:
            targets = [
                Target(r.display, r.key, r.summaries.get(rule.code))
                for r in results
                if r.error is None and r.key is not None
            ]
            try:
                found = list(rule.check_corpus(targets, corpus, self.job.ctx))
            except Exception as exc:
                errors.append(f"rule {rule.code} ({rule.name}) failed: {type(exc).__name__}: {exc}")
                continue
            out.extend(found)
        return out

    def _filter(self, diagnostics: list[Diagnostic], relpaths: dict[str, str]) -> list[Diagnostic]:
        filt = self.job.finding_filter
        if not filt.per_file_ignores:
            return diagnostics
        ignored: dict[str, tuple[str, ...]] = {}
        out = []
        for d in diagnostics:
            codes = ignored.get(d.path)
            if codes is None:
                codes = ignored[d.path] = filt.ignored_codes(relpaths.get(d.path, d.path))
            if filt.keeps(d.code, codes):
                out.append(d)
        return out

    def _check_corpus(
        self, sources: list[Source], results: list[FileResult], errors: list[str]
    ) -> tuple[list[Diagnostic], dict[str, int]]:
        """The corpus stage on its own, for results computed elsewhere: sync the index
        with them, then run the corpus rules (``check`` overlaps the two stages)."""
        job = self.job
        corpus = Corpus(job.settings, job.corpus_rules)
        known = {
            s.entry.abspath: Summarised(s.entry, r.key, r.size, r.mtime_ns, r.summaries)
            for s, r in zip(sources, results)
            if r.error is None and r.key is not None and s.stdin is None
        }
        try:
            stats = corpus.sync(known, lambda entries: self._summarise(entries, None))
            found = self._corpus_findings(corpus, results, errors)
            return self._resolve(found, {s.entry.display: s for s in sources}), stats
        finally:
            corpus.close()

    def _resolve(
        self, diagnostics: list[Diagnostic], by_path: dict[str, Source]
    ) -> list[Diagnostic]:
        """Attach rows and columns to corpus findings (reading only the files that have some)."""
        docs: dict[str, Document | None] = {}
        out = []
        for d in diagnostics:
            if d.span is None and d.fix is None and d.path in by_path:
                out.append(d.resolve(_NO_TEXT))  # row 1, column 1: the file is not needed
                continue
            if d.path not in docs:
                source = by_path.get(d.path)
                try:
                    docs[d.path] = (
                        read_source(source, self.job.settings.max_file_size)[0]
                        if source is not None
                        else None
                    )
                except OSError:
                    docs[d.path] = None
            doc = docs[d.path]
            if doc is None:
                continue
            out.append(d.resolve(doc))
        return out

    def fix(
        self, sources: list[Source], outcome: RunOutcome, *, unsafe: bool, dry_run: bool
    ) -> list[FixResult]:
        """Fix the files with applicable fixes; corpus findings seed the first pass."""
        items = fix_items(sources, outcome, unsafe=unsafe, dry_run=dry_run)
        return list(
            _map(self.job, fix_source, items, self.jobs, self.progress("fixing", len(items)))
        )
