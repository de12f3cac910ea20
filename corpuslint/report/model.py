"""What the report is built from: one ``ReportFile`` per checked file, and options."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from corpuslint.model import Diagnostic, Severity

# The default budget for per-file details (document text and finding messages) in
# the page; see ``embed``. 10 MB keeps a 100,000-file report around 20 MB.
DEFAULT_MAX_EMBEDDED_TEXT_BYTES = 10_000_000
# Longest text embedded for one file (code points); a longer one is cut, with a note.
MAX_TEXT_CHARS_PER_FILE = 200_000
# Most findings listed in one file's view (a 200,000-line file with trailing
# whitespace on every line has 200,000 findings); the rest are counted.
MAX_FINDINGS_PER_FILE = 2_000

# A file's health penalty (the "worst files" ranking): per code, the severity
# weight times the number of findings capped at PER_CODE_CAP, so a hundred
# trailing spaces do not outrank a garbled translation with five kinds of problem.
SEVERITY_WEIGHT = {Severity.ERROR: 5.0, Severity.WARNING: 1.0, Severity.INFO: 0.2}
PER_CODE_CAP = 3


@dataclass
class ReportFile:
    """One checked file: its signals record (``corpuslint.signals``) and its findings."""

    path: str
    record: dict[str, Any]
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def words(self) -> int:
        return int(self.record.get("words") or 0)

    @property
    def garble(self) -> float | None:
        mt = self.record.get("mt")
        return None if not mt else mt.get("score")

    @property
    def boilerplate_share(self) -> float:
        return float(self.record.get("boilerplate_line_share") or 0.0)

    @property
    def mojibake(self) -> int:
        return int(self.record.get("mojibake_count") or 0)


def penalty(diagnostics: list[Diagnostic]) -> float:
    """The file's health penalty (0 for a clean file; higher is worse)."""
    counts: Counter[str] = Counter()
    weight: dict[str, float] = {}
    for d in diagnostics:
        counts[d.code] += 1
        w = SEVERITY_WEIGHT.get(d.severity, 1.0)
        if w > weight.get(d.code, -1.0):
            weight[d.code] = w
    return round(sum(weight[c] * min(n, PER_CODE_CAP) for c, n in counts.items()), 2)


def family(code: str) -> str:
    """The family prefix of a code: the leading letters (``FMT007`` -> ``FMT``)."""
    i = 0
    while i < len(code) and code[i].isalpha():
        i += 1
    return code[:i] or code


@dataclass
class ReportOptions:
    title: str = "Corpus health report"
    max_embedded_text_bytes: int = DEFAULT_MAX_EMBEDDED_TEXT_BYTES
    # display path -> the document's text (None when it cannot be shown); called
    # only for the files whose details fit the budget, worst first.
    text_loader: Callable[[str], str | None] | None = None
    # code -> (name, severity, summary) of every rule that ran (rules with no finding too)
    rules: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    garble_threshold: float | None = None  # MT001's threshold, marked on the chart
    mt_measured: bool = False  # garble scores were computed
    errors: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)  # the PATHS of the command line
    generated: str = ""  # a timestamp line
    version: str = ""
