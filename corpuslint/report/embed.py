"""The data the page's script reads, as compact JSON safe inside ``<script>``.

Two blocks:

* ``summary``: one short row per file (always every file, about 80 bytes each),
  the code table, histogram bins and duplicate clusters. It is what the paged
  file list, the search box and the filters work on.
* ``details``: per file, its findings with their messages and spans, and its
  text, for the file view. These are bounded by ``max_embedded_text_bytes``:
  files are taken worst first (highest penalty; clean files last) until the
  budget is spent; a text longer than ``MAX_TEXT_CHARS_PER_FILE`` (or than the
  budget left) is cut, with a note in the view. A file without details still
  has its row (figures and counts per code) and is found by search.

Span offsets are converted from code points (Python) to UTF-16 units (what JS
strings index). Lone surrogates (from undecodable bytes) become U+FFFD, one unit
for one, so offsets stay right. ``<``, ``>`` and ``&`` are written as ``\\u003c``
etc., so no document text can close the script element or open a comment.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from typing import Any

from corpuslint.report.aggregate import Aggregate
from corpuslint.report.model import (
    MAX_FINDINGS_PER_FILE,
    MAX_TEXT_CHARS_PER_FILE,
    ReportFile,
    ReportOptions,
    family,
)

_SURROGATE = re.compile("[\ud800-\udfff]")
# Written as JSON escapes (str.replace, one pass each, is much faster than translate).
_SCRIPT_UNSAFE = (
    ("<", "\\u003c"),
    (">", "\\u003e"),
    ("&", "\\u0026"),
    ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)
# Bytes of JSON a finding costs beyond its message (code index, offsets, row, column).
_FINDING_OVERHEAD = 32
# ... and a file's entry beyond its findings and text (its key, the field names).
_ENTRY_OVERHEAD = 24


def script_json(obj: Any) -> str:
    """``obj`` as JSON that can sit inside ``<script type="application/json">``."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = _SURROGATE.sub("\ufffd", text)
    for char, escape in _SCRIPT_UNSAFE:
        if char in text:
            text = text.replace(char, escape)
    return text


class Utf16Offsets:
    """Code-point offsets of one text -> UTF-16 offsets (astral characters count 2)."""

    def __init__(self, text: str) -> None:
        if text.isascii() or max(text, default="\0") <= "\uffff":
            self._astral: list[int] = []
        else:
            self._astral = [i for i, ch in enumerate(text) if ch > "\uffff"]

    def __call__(self, offset: int) -> int:
        if not self._astral:
            return offset
        return offset + bisect_left(self._astral, offset)


def _split_path(path: str) -> tuple[str, str]:
    cut = path.replace("\\", "/").rfind("/") + 1
    return path[:cut], path[cut:]


def _round(v: float | None, digits: int = 3) -> float | None:
    return None if v is None else round(float(v), digits)


def code_table(agg: Aggregate, options: ReportOptions) -> list[list]:
    """[code, name, severity, family] of every rule that ran or found something."""
    known = {c: (v[0], v[1]) for c, v in options.rules.items()}
    known.update({r.code: (r.name, r.severity) for r in agg.codes})
    return [[c, name, sev, family(c)] for c, (name, sev) in sorted(known.items())]


def summary_payload(
    agg: Aggregate, options: ReportOptions, codes: list[list], detail_of: set[int]
) -> dict:
    """The per-file rows and corpus tables the script pages and filters."""
    code_index = {row[0]: i for i, row in enumerate(codes)}
    dirs: dict[str, int] = {}
    cluster_of: dict[int, int] = {}
    for ci, cl in enumerate(agg.clusters):
        if cl.root_index is not None:
            cluster_of.setdefault(cl.root_index, ci)
        for m in cl.members:
            if m.index is not None:
                cluster_of.setdefault(m.index, ci)
    rows = []
    for i, f in enumerate(agg.files):
        head, name = _split_path(f.path)
        d = dirs.setdefault(head, len(dirs))
        flat: list[int] = []
        if f.diagnostics:
            counts = Counter(code_index[d.code] for d in f.diagnostics)
            for k in sorted(counts):
                flat += (k, counts[k])
        rows.append(
            [
                d,
                name,
                f.words,
                agg.penalties[i],
                len(f.diagnostics),
                _round(f.garble),
                _round(f.boilerplate_share),
                f.mojibake,
                flat,
                cluster_of.get(i, -1),
                1 if i in detail_of else 0,
            ]
        )
    index = {f.path: i for i, f in enumerate(agg.files)}
    clusters = []
    for cl in agg.clusters:
        members = []
        for m in cl.members:
            target = index.get(m.duplicate_of, -1)
            members.append(
                [
                    -1 if m.index is None else m.index,
                    target,
                    "" if target >= 0 else m.duplicate_of,
                    m.jaccard,
                    code_index.get(m.code, -1),
                ]
            )
        root = -1 if cl.root_index is None else cl.root_index
        clusters.append([root, "" if root >= 0 else cl.root, cl.size, members])
    return {
        "v": 1,
        "codes": codes,
        "dirs": list(dirs),
        "files": rows,
        "hist": {
            h.metric: [[b.lo, _finite(b.hi), b.closed, b.label] for b in h.bins]
            for h in agg.histograms
        },
        "clusters": clusters,
    }


def _finite(v: float) -> float | None:
    return v if v != float("inf") else None


def detail_order(agg: Aggregate) -> list[int]:
    """Files in the order their details are embedded: worst first, then by path."""
    return sorted(
        range(len(agg.files)),
        key=lambda i: (-agg.penalties[i], -len(agg.files[i].diagnostics), agg.files[i].path),
    )


def finding_rows(f: ReportFile, text: str | None, code_index: dict[str, int]) -> list[list]:
    """Compact findings of one file: [code, start, end, row, col, message, fixable]."""
    to16 = Utf16Offsets(text) if text is not None else None
    rows = []
    for d in f.diagnostics[:MAX_FINDINGS_PER_FILE]:
        if d.span is None:
            start = end = -1
        elif to16 is not None:
            start, end = to16(d.span.start), to16(d.span.end)
        else:
            start, end = d.span.start, d.span.end
        loc = d.location
        rows.append(
            [
                code_index[d.code],
                start,
                end,
                loc.row if loc else 0,
                loc.column if loc else 0,
                d.message,
                1 if d.fixable else 0,
            ]
        )
    return rows


def details_payload(
    agg: Aggregate, options: ReportOptions, codes: list[list]
) -> tuple[dict[str, Any], dict[str, int]]:
    """Per-file details (findings and text) within the byte budget, and what it used."""
    budget = max(0, options.max_embedded_text_bytes)
    code_index = {row[0]: i for i, row in enumerate(codes)}
    out: dict[str, Any] = {}
    used = cut = no_text = 0
    for i in detail_order(agg):
        left = budget - used - _ENTRY_OVERHEAD
        f = agg.files[i]
        shown_diags = f.diagnostics[:MAX_FINDINGS_PER_FILE]
        cost = sum(_utf8_len(d.message) + _FINDING_OVERHEAD for d in shown_diags)
        if cost > left:
            break  # not even the findings fit: stop here (worst-first order)
        text = options.text_loader(f.path) if options.text_loader else None
        entry: dict[str, Any] = {"f": finding_rows(f, text, code_index)}
        more = len(f.diagnostics) - len(shown_diags)
        if more:
            entry["more"] = more
        if text is None:
            entry["t"] = None
            no_text += 1
        else:
            shown = _cut(text, min(MAX_TEXT_CHARS_PER_FILE, left - cost))
            if len(shown) < len(text):
                entry["cut"] = len(shown)
                entry["len"] = len(text)
                cut += 1
            entry["t"] = shown
            cost += _utf8_len(shown)
        out[str(i)] = entry
        used += cost + _ENTRY_OVERHEAD
    stats = {
        "limit": budget,
        "used": used,
        "files": len(out),
        "total": len(agg.files),
        "cut": cut,
        "no_text": no_text,
    }
    return out, stats


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _cut(text: str, room: int) -> str:
    """The longest prefix of ``text`` (roughly) within ``room`` bytes of UTF-8."""
    if room <= 0:
        return ""
    shown = text[:room]
    size = _utf8_len(shown)
    while size > room:
        shown = shown[: max(0, len(shown) * room // size - 1)]
        size = _utf8_len(shown)
    return shown
