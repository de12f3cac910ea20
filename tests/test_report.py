"""``corpuslint report`` without a browser: the CLI, the aggregation, the embedded data.

The page itself is tested in headless Chromium (test_report_browser.py).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from corpuslint.model import Diagnostic, Location, Severity, Span
from corpuslint.report import ReportFile, ReportOptions, render_report
from corpuslint.report.aggregate import (
    Bin,
    aggregate,
    duplicate_clusters,
    fill,
    length_bins,
    nice_step,
    unit_bins,
)
from corpuslint.report.embed import Utf16Offsets, script_json
from corpuslint.report.model import penalty
from tests.conftest import run_cli

_BLOCK = re.compile(r'<script type="application/json" id="(\w+)">(.*?)</script>', re.S)


def blocks(html: str) -> dict[str, object]:
    return {name: json.loads(body) for name, body in _BLOCK.findall(html)}


def diag(code: str, path: str = "a.txt", *, span=None, severity=Severity.WARNING, data=None):
    d = Diagnostic(code, code.lower(), f"{code} message", severity, path, span, data=data or {})
    d.location = Location(1, 1 + (span.start if span else 0))
    return d


def rf(path: str, diags=(), words: int = 100, **record) -> ReportFile:
    return ReportFile(path, {"path": path, "words": words, **record}, list(diags))


# -- the command line ----------------------------------------------------------------


def test_report_writes_one_html_file(seeds_copy: Path) -> None:
    out = seeds_copy / "report.html"
    r = run_cli("report", "seeds", "-o", str(out), cwd=seeds_copy)
    assert r.code == 0, r.err
    assert r.out == ""
    assert "Wrote " in r.err
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    data = blocks(html)
    summary = data["summary"]
    names = sorted(summary["dirs"][row[0]] + row[1] for row in summary["files"])
    assert names == sorted(f"seeds/{p.name}" for p in (seeds_copy / "seeds").glob("*.txt"))
    # the seeds' known problems are there: ad markers in 001, garbled 004
    counts = {row[1]: {summary["codes"][k][0] for k in row[8][::2]} for row in summary["files"]}
    assert "BP001" in counts["001_0975571770d3a3b0.txt"]
    assert "MT001" in counts["004_4e425b7157766a74.txt"]
    assert all(str(i) in data["details"] for i in range(5))  # small corpus: all embedded


def test_figures_are_the_signals_commands(seeds_copy: Path) -> None:
    """The report reuses corpuslint.signals: the same words, shares and garble scores."""
    out = seeds_copy / "r.html"
    assert run_cli("report", "seeds", "-o", str(out), cwd=seeds_copy).code == 0
    summary = blocks(out.read_text(encoding="utf-8"))["summary"]
    signals = run_cli("signals", "seeds", "--no-sentences", cwd=seeds_copy)
    assert signals.code == 0, signals.err
    want = {}
    for line in signals.out.splitlines():
        rec = json.loads(line)
        want[rec["path"]] = [
            rec["words"],
            round(rec["mt"]["score"], 3),
            round(rec["boilerplate_line_share"], 3),
            rec["mojibake_count"],
        ]
    got = {
        summary["dirs"][row[0]] + row[1]: [row[2], row[5], row[6], row[7]]
        for row in summary["files"]
    }
    assert got == want
    assert len({v[1] for v in got.values()}) > 1  # scores differ between the seeds


def test_garble_scores_are_measured_on_cache_hits_too(seeds_copy: Path) -> None:
    rows = []
    for name in ("first.html", "second.html"):  # the second run reads the result cache
        out = seeds_copy / name
        assert run_cli("report", "seeds", "-o", str(out), cwd=seeds_copy).code == 0
        rows.append(blocks(out.read_text(encoding="utf-8"))["summary"]["files"])
    assert rows[0] == rows[1]
    assert all(row[5] is not None for row in rows[1])


def test_report_takes_the_selection_options(seeds_copy: Path) -> None:
    out = seeds_copy / "r.html"
    r = run_cli("report", "seeds", "--select", "FMT009", "-o", str(out), cwd=seeds_copy)
    assert r.code == 0, r.err
    summary = blocks(out.read_text(encoding="utf-8"))["summary"]
    assert [c[0] for c in summary["codes"]] == ["FMT009"]
    assert all(row[4] == 1 for row in summary["files"])  # one FMT009 each
    assert all(row[5] is None for row in summary["files"])  # no MT rule: no garble score


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["seeds"], "the following arguments are required: -o/--output-file"),
        (["seeds", "-o", "missing/dir/r.html"], "cannot write"),
        (["seeds", "-o", "r.html", "--select", "NOPE1"], "NOPE1"),
        (["seeds", "-o", "r.html", "--max-embedded-text-bytes", "lots"], "invalid size"),
    ],
)
def test_report_errors_exit_2_and_write_nothing(seeds_copy: Path, args, message) -> None:
    r = run_cli("report", *args, cwd=seeds_copy)
    assert r.code == 2
    assert message in r.err
    assert "Traceback" not in r.err
    assert not (seeds_copy / "r.html").exists()
    assert not list(seeds_copy.glob("missing"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_named_fifo_is_an_error_and_nothing_is_written(seeds_copy: Path) -> None:
    os.mkfifo(seeds_copy / "seeds" / "pipe.txt")
    out = seeds_copy / "r.html"
    r = run_cli("report", "seeds", "seeds/pipe.txt", "-o", str(out), cwd=seeds_copy)
    assert r.code == 2
    assert r.err.strip() == "corpuslint: error: seeds/pipe.txt: not a regular file or directory"
    assert not out.exists()


def test_errors_of_the_run_are_listed_in_the_page() -> None:
    options = ReportOptions(errors=["a.txt: Permission denied", "<b>x.txt</b>: boom"])
    html = render_report([rf("a.txt")], options)
    assert 'id="errors"' in html
    assert "a.txt: Permission denied" in html
    assert "&lt;b&gt;x.txt&lt;/b&gt;: boom" in html


def test_cached_findings_keep_this_runs_paths(seeds_copy: Path) -> None:
    """A cache filled by a run from another directory must not leak its display paths."""
    first = run_cli("check", str(seeds_copy / "seeds"), cwd=seeds_copy.parent)
    assert first.code == 1
    out = seeds_copy / "r.html"
    assert run_cli("report", "seeds", "-o", str(out), cwd=seeds_copy).code == 0
    summary = blocks(out.read_text(encoding="utf-8"))["summary"]
    assert summary["dirs"] == ["seeds/"]
    assert len(summary["files"]) == 5
    assert all(row[4] > 0 for row in summary["files"])


def test_budget_flag_limits_the_embedded_details(seeds_copy: Path) -> None:
    out = seeds_copy / "r.html"
    r = run_cli("report", "seeds", "-o", str(out), "--max-embedded-text-bytes", "0", cwd=seeds_copy)
    assert r.code == 0
    data = blocks(out.read_text(encoding="utf-8"))
    assert data["details"] == {}
    assert len(data["summary"]["files"]) == 5
    assert "--max-embedded-text-bytes" in out.read_text(encoding="utf-8")


# -- aggregation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ([], 0),
        (["FMT007"], 1),
        (["FMT007"] * 10, 3),  # at most 3 per rule
        (["FMT007", "BP001", "MT001"], 3),
        (["FMT014"], 5),  # an error
    ],
)
def test_penalty(codes, expected) -> None:
    sev = {"FMT014": Severity.ERROR}
    diags = [diag(c, severity=sev.get(c, Severity.WARNING)) for c in codes]
    assert penalty(diags) == expected


def test_counts_per_family_and_code() -> None:
    files = [
        rf("a.txt", [diag("FMT007"), diag("FMT007"), diag("BP001")]),
        rf("b.txt", [diag("FMT009")]),
        rf("c.txt"),
    ]
    agg = aggregate(files, ReportOptions(rules={"FMT007": ("x", "warning", "")}))
    assert [(r.family, r.findings, r.files) for r in agg.families] == [
        ("FMT", 3, 2),
        ("BP", 1, 1),
    ]
    assert [(r.code, r.findings, r.files) for r in agg.codes] == [
        ("FMT007", 2, 1),
        ("FMT009", 1, 1),
        ("BP001", 1, 1),
    ]
    assert agg.n_files_with_findings == 2
    assert agg.worst == [0, 1]  # a.txt (penalty 3) before b.txt (1); clean c.txt not ranked


def test_duplicate_clusters_from_dup_data() -> None:
    near = {"duplicate_of": "o.txt", "cluster": "o.txt", "jaccard": 0.9, "cluster_size": 4}
    chained = {"duplicate_of": "n1.txt", "cluster": "o.txt", "jaccard": 0.81, "cluster_size": 4}
    exact = {"duplicate_of": "x.txt", "others": ["x.txt"], "group_size": 2}
    files = [
        rf("n1.txt", [diag("DUP002", "n1.txt", data=near)]),
        rf("n2.txt", [diag("DUP002", "n2.txt", data=chained)]),
        rf("o.txt"),
        rf("x.txt"),
        rf("y.txt", [diag("DUP001", "y.txt", data=exact), diag("DUP003", "y.txt")]),
    ]
    clusters = duplicate_clusters(files)
    assert [(c.root, c.root_index, c.size) for c in clusters] == [
        ("o.txt", 2, 4),  # size from the data: a member may lie outside this run
        ("x.txt", 3, 2),
    ]
    assert [(m.path, m.duplicate_of, m.jaccard) for m in clusters[0].members] == [
        ("n1.txt", "o.txt", 0.9),
        ("n2.txt", "n1.txt", 0.81),
    ]
    assert [(m.path, m.jaccard, m.code) for m in clusters[1].members] == [("y.txt", 1.0, "DUP001")]


@pytest.mark.parametrize(
    ("bins", "values", "counts"),
    [
        # [lo, hi): the upper edge belongs to the next bin
        ([Bin(0, 10, "co", ""), Bin(10, 20, "co", "")], [0, 9.9, 10, 19, 20], [2, 2]),
        # a bin for exactly 0, then (lo, hi]
        (unit_bins(0.5, zero_bin=True), [0, 0, 0.2, 0.5, 0.51, 1.0], [2, 2, 2]),
        # [lo, hi) and a closed last bin: 1.0 is counted
        (unit_bins(0.5, zero_bin=False), [0, 0.49, 0.5, 1.0], [2, 2]),
    ],
)
def test_histogram_bins_hold_each_value_once(bins, values, counts) -> None:
    fill(bins, values)
    assert [b.count for b in bins] == counts


@pytest.mark.parametrize(
    ("span", "bins", "step"),
    [(1000, 20, 50), (1448, 20, 100), (7, 20, 0.5), (3, 4, 1), (230, 20, 20)],
)
def test_nice_step(span, bins, step) -> None:
    assert nice_step(span, bins) == step


def test_length_bins_end_with_an_open_bin_for_outliers() -> None:
    values = [100 + i for i in range(200)] + [50_000]
    bins = length_bins(values)
    assert bins[-1].hi == float("inf")
    fill(bins, values)
    assert sum(b.count for b in bins) == len(values)
    assert bins[-1].count == 1
    assert len(bins) <= 21


# -- embedding -------------------------------------------------------------------------


def test_script_json_cannot_close_its_script_element() -> None:
    value = {"t": "a </script><script>alert(1)</script> <!-- \u2028 \ud83d x &amp;"}
    text = script_json(value)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text
    back = json.loads(text)["t"]
    assert back == "a </script><script>alert(1)</script> <!-- \u2028 \ufffd x &amp;"
    text.encode("utf-8")  # no lone surrogate left


@pytest.mark.parametrize(
    ("text", "offset", "expected"),
    [
        ("abc", 2, 2),
        ("é€x", 2, 2),  # BMP characters: one unit each
        ("😀x", 1, 2),  # an astral character is two UTF-16 units
        ("a😀b😀c", 3, 4),
        ("a😀b😀c", 4, 6),
        ("a😀b😀c", 5, 7),
        ("a😀b😀c", 0, 0),
    ],
)
def test_utf16_offsets(text, offset, expected) -> None:
    assert Utf16Offsets(text)(offset) == expected
    assert len(text[:offset].encode("utf-16-le")) // 2 == expected


def _corpus(n: int, text_len: int = 400):
    texts, files = {}, []
    for i in range(n):
        path = f"d/{i:04d}.txt"
        texts[path] = ("word " * (text_len // 5))[:text_len]
        diags = [diag("FMT007", path, span=Span(0, 4))] * (i % 4)
        files.append(rf(path, diags))
    return files, texts


def test_details_go_to_the_worst_files_first_within_the_budget() -> None:
    files, texts = _corpus(40)
    loaded = []

    def loader(path):
        loaded.append(path)
        return texts[path]

    html = render_report(files, ReportOptions(text_loader=loader, max_embedded_text_bytes=5_000))
    data = blocks(html)
    embedded = {int(k) for k in data["details"]}
    assert 5 <= len(embedded) < 40
    # every embedded file is at least as bad as every file left out
    worst_left_out = max(len(files[i].diagnostics) for i in range(40) if i not in embedded)
    assert all(len(files[i].diagnostics) >= worst_left_out for i in embedded)
    assert set(loaded) == {files[i].path for i in embedded}  # texts read only when used
    assert [row[10] for row in data["summary"]["files"]] == [
        1 if i in embedded else 0 for i in range(40)
    ]
    assert data["summary"]["budget"]["used"] <= 5_000


def test_a_long_text_is_cut_with_a_note() -> None:
    files, texts = _corpus(1, text_len=50_000)
    html = render_report(
        files, ReportOptions(text_loader=texts.get, max_embedded_text_bytes=10_000)
    )
    entry = blocks(html)["details"]["0"]
    assert entry["len"] == 50_000
    assert entry["cut"] == len(entry["t"]) < 10_000
    assert entry["t"] == texts["d/0000.txt"][: entry["cut"]]


def test_hostile_paths_and_texts_are_escaped() -> None:
    path = 'x/"><img src=x onerror=alert(1)>.txt'
    text = "</script><script>alert(2)</script>\n<style>body{display:none}</style>"
    d = diag("BP001", path, span=Span(0, 9))
    d.message = "</textarea><svg onload=alert(3)>"
    html = render_report([rf(path, [d])], ReportOptions(text_loader=lambda p: text))
    assert html.count("<script") == 3
    assert html.count("<style") == 1
    assert "<img" not in html and "<svg onload" not in html
    assert blocks(html)["details"]["0"]["t"] == text


_URL_ATTR = re.compile(r"""\b(?:src|href|action|xlink:href)\s*=\s*["']?([^"'\s>]*)""", re.I)


def test_no_external_url_and_a_strict_csp(seeds_copy: Path) -> None:
    out = seeds_copy / "r.html"
    assert run_cli("report", "seeds", "-o", str(out), cwd=seeds_copy).code == 0
    html = out.read_text(encoding="utf-8")
    refs = _URL_ATTR.findall(html) + re.findall(r"url\(\s*['\"]?([^'\")]*)", html)
    assert refs and all(r.startswith(("#", "data:")) for r in refs), refs
    assert "http://" not in html and "https://" not in html
    assert "default-src 'none'" in html


# -- scale -----------------------------------------------------------------------------


def synthetic_files(n: int) -> list[ReportFile]:
    """``n`` files with 0-6 findings each over five families (no rules run)."""
    codes = ["FMT007", "FMT009", "ENC001", "BP001", "BP002", "MT002", "DUP002"]
    files = []
    for i in range(n):
        path = f"corpus/{i // 1000:03d}/{i:06d}_{(i * 2654435761) % 2**32:08x}.txt"
        diags = []
        for k in range(i % 7):
            code = codes[(i + k) % len(codes)]
            data = {}
            if code == "DUP002":
                root = f"corpus/{(i - 1) // 1000:03d}/root{i % 500:06d}.txt"
                data = {"duplicate_of": root, "cluster": root, "jaccard": 0.9, "cluster_size": 2}
            d = Diagnostic(
                code,
                code.lower(),
                f"{code} at line {k + 1}: something is off here",
                Severity.WARNING,
                path,
                Span(k * 10, k * 10 + 5) if k else None,
                data=data,
            )
            d.location = Location(k + 1, 1)
            diags.append(d)
        record = {
            "path": path,
            "words": 50 + (i * 37) % 3000,
            "boilerplate_line_share": (i % 10) / 20,
            "mojibake_count": i % 3,
            "mt": {"score": ((i * 7919) % 1000) / 1000},
        }
        files.append(ReportFile(path, record, diags))
    return files


@pytest.mark.slow
def test_100k_files_render_with_a_bounded_size() -> None:
    n = 100_000
    files = synthetic_files(n)
    text = "A plain sentence of the document. " * 60
    budget = 2_000_000
    html = render_report(
        files,
        ReportOptions(text_loader=lambda p: text, max_embedded_text_bytes=budget, mt_measured=True),
    )
    size = len(html.encode("utf-8"))
    # about 80 bytes per file row, the details budget, and a fixed part
    assert size < n * 120 + budget + 300_000, size
    data = blocks(html)
    assert len(data["summary"]["files"]) == n
    assert data["summary"]["budget"]["used"] <= budget
    assert 0 < len(data["details"]) < n
    # the static part stays bounded: 25 worst files, one row per rule, three charts
    assert html.count('<tr><td class="num rank">') == 25
    assert html.count('<svg class="chart') == 3
