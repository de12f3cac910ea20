"""The report page: static HTML for the corpus-wide parts, JSON and JS for the rest.

Tables, charts and the worst-files ranking are written here as HTML (bounded in
size whatever the corpus: one row per rule, 25 worst files, three charts). The
file list, the duplicate clusters and the file view are drawn by the inline
script from the embedded JSON, one page at a time. Every string from the corpus
goes through ``html.escape`` here, or ``textContent`` in the script.
"""

from __future__ import annotations

from functools import cache
from html import escape
from importlib import resources

from corpuslint.corpus import gc_paused
from corpuslint.model import Severity
from corpuslint.report.aggregate import Aggregate, aggregate, by_family, family_rank
from corpuslint.report.charts import bar_svg, histogram_svg
from corpuslint.report.embed import code_table, details_payload, script_json, summary_payload
from corpuslint.report.model import (
    PER_CODE_CAP,
    SEVERITY_WEIGHT,
    ReportFile,
    ReportOptions,
    family,
)

PAGE_SIZE = 100
# No request of any kind may leave the page: only inline styles and scripts, and
# data: images (none are used today).
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src data:; font-src data:; base-uri 'none'; form-action 'none'"
)


@cache
def _asset(name: str) -> str:
    return resources.files("corpuslint.report").joinpath("assets", name).read_text("utf-8")


def render_report(files: list[ReportFile], options: ReportOptions) -> str:
    """The whole report for ``files`` (in path order) as one HTML string."""
    # no cyclic garbage collection: building the report allocates millions of small
    # objects and creates no cycles; the collector's passes cost a quarter of the time
    with gc_paused():
        return _render(files, options)


def _render(files: list[ReportFile], options: ReportOptions) -> str:
    agg = aggregate(files, options)
    codes = code_table(agg, options)
    # Details first: the summary rows say which files have them.
    details, budget = details_payload(agg, options, codes)
    summary = summary_payload(agg, options, codes, {int(k) for k in details})
    summary["budget"] = budget
    summary["pageSize"] = PAGE_SIZE
    summary["title"] = options.title
    return _page(agg, options, summary, details, budget)


def _pct(n: int, total: int) -> str:
    if not total:
        return "–"
    p = 100 * n / total
    return f"{p:.0f}%" if p >= 10 or p == 0 else f"{p:.1f}%"


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.0f} kB"


def _fam(fam: str) -> str:
    return f'<span class="chip fam fam-{escape(fam)}">{escape(fam)}</span>'


def _sev(sev: str) -> str:
    return f'<span class="sev sev-{escape(sev)}">{escape(sev)}</span>'


def _header(agg: Aggregate, options: ReportOptions) -> str:
    paths = " ".join(options.paths) or "."
    meta = [f"corpuslint {escape(options.version)}" if options.version else "corpuslint"]
    if options.generated:
        meta.append(escape(options.generated))
    meta.append(f"paths: <code>{escape(paths)}</code>")
    return (
        '<header class="top"><div class="wrap">'
        f'<h1><span class="logo">◆</span> {escape(options.title)}</h1>'
        f'<p class="meta">{" · ".join(meta)}</p>'
        "</div>"
        '<nav class="tabs"><div class="wrap">'
        '<a href="#overview">Overview</a><a href="#rules">Rules</a>'
        '<a href="#charts">Distributions</a><a href="#worst">Worst files</a>'
        '<a href="#duplicates">Duplicates</a><a href="#files">All files</a>'
        "</div></nav></header>"
    )


_SEVERITIES = ("error", "warning", "info")


def _severity_count(n: int, severity: str) -> str:
    return f"{n:,} {severity}{'s' if n != 1 and severity != 'info' else ''}"


def _cards(agg: Aggregate, options: ReportOptions) -> str:
    n = len(agg.files)
    garbled = next((r.files for r in agg.codes if r.code == "MT001"), 0)
    cards = [
        ("Files", f"{n:,}", f"{agg.total_words:,} words", ""),
        (
            "Files with findings",
            f"{agg.n_files_with_findings:,}",
            f"{_pct(agg.n_files_with_findings, n)} of the corpus",
            "warn" if agg.n_files_with_findings else "ok",
        ),
        (
            "Findings",
            f"{agg.n_findings:,}",
            " · ".join(_severity_count(agg.severities.get(s, 0), s) for s in _SEVERITIES),
            "",
        ),
        (
            "Duplicates",
            f"{agg.duplicate_files:,}",
            f"files in {len(agg.clusters):,} cluster{'s' if len(agg.clusters) != 1 else ''}",
            "",
        ),
    ]
    if options.mt_measured:
        cards.append(("Garbled translations", f"{garbled:,}", "documents flagged MT001", ""))
    if options.errors:
        cards.append(("Errors", f"{len(options.errors):,}", "files or rules that failed", "bad"))
    out = ['<section id="overview" class="cards">']
    for title, value, sub, tone in cards:
        out.append(
            f'<div class="card {tone}"><div class="card-title">{escape(title)}</div>'
            f'<div class="card-value">{value}</div><div class="card-sub">{sub}</div></div>'
        )
    out.append("</section>")
    return "".join(out)


def _rules(agg: Aggregate) -> str:
    n = len(agg.files)
    grouped = by_family(agg.codes)
    out = [
        '<section id="rules" class="panel"><h2>Findings by family and rule</h2>',
        '<table class="grid rules"><thead><tr><th>Code</th><th>Rule</th><th>Severity</th>'
        '<th class="num">Findings</th><th class="num">Fixable</th>'
        '<th class="num">Files</th><th>Share of files</th></tr></thead>',
    ]
    for frow in agg.families:
        share = frow.files / n if n else 0.0
        out.append(
            f'<tbody class="family fam-{escape(frow.family)}">'
            f'<tr class="family-row"><th colspan="3">'
            f'<a href="#files?fam={escape(frow.family)}">{_fam(frow.family)} '
            f"{escape(frow.title)}</a></th>"
            f'<td class="num">{frow.findings:,}</td><td></td>'
            f'<td class="num">{frow.files:,}</td>'
            f'<td class="share">{bar_svg([(f"f-{frow.family}", share)])}'
            f" {_pct(frow.files, n)}</td></tr>"
        )
        for row in grouped.get(frow.family, []):
            share = row.files / n if n else 0.0
            out.append(
                f'<tr><td><a class="code" href="#files?code={escape(row.code)}">'
                f"{escape(row.code)}</a></td><td>{escape(row.name)}</td>"
                f"<td>{_sev(row.severity)}</td>"
                f'<td class="num">{row.findings:,}</td>'
                f'<td class="num">{row.fixable:,}</td>'
                f'<td class="num">{row.files:,}</td>'
                f'<td class="share">{bar_svg([(f"f-{row.family}", share)])}'
                f" {_pct(row.files, n)}</td></tr>"
            )
        if not grouped.get(frow.family):
            out.append('<tr class="none"><td colspan="7">No findings.</td></tr>')
        out.append("</tbody>")
    out.append("</table>")
    if agg.quiet_rules:
        out.append(
            '<p class="note">Rules that ran and found nothing: '
            + ", ".join(f"<code>{escape(c)}</code>" for c in agg.quiet_rules)
            + ".</p>"
        )
    out.append("</section>")
    return "".join(out)


def _charts(agg: Aggregate) -> str:
    out = ['<section id="charts" class="panel"><h2>Distributions</h2><div class="charts">']
    for h in agg.histograms:
        median = ""
        if h.median is not None:
            value = f"{h.median:,.0f}" if h.metric == "words" else f"{h.median:.2f}"
            median = f'<span class="median">median {value}</span>'
        out.append(
            f'<figure class="chart-card" id="chart-{escape(h.metric)}">'
            f"<figcaption><strong>{escape(h.title)}</strong> {median}"
            f'<span class="sub">{h.values:,} files · click a bar to list them</span>'
            f"</figcaption>{histogram_svg(h)}"
            + (f'<p class="note">{escape(h.note)}</p>' if h.note and h.bins else "")
            + "</figure>"
        )
    out.append("</div></section>")
    return "".join(out)


def _families_of(f: ReportFile) -> list[str]:
    seen: dict[str, None] = {}
    for d in f.diagnostics:
        seen.setdefault(family(d.code), None)
    return sorted(seen, key=family_rank)


def _worst(agg: Aggregate) -> str:
    out = [
        '<section id="worst" class="panel"><h2>Worst files</h2>',
        '<p class="note">Ranked by penalty: for each rule, its severity weight (error '
        f"{SEVERITY_WEIGHT[Severity.ERROR]:g}, warning "
        f"{SEVERITY_WEIGHT[Severity.WARNING]:g}, info "
        f"{SEVERITY_WEIGHT[Severity.INFO]:g}) times its findings in the file, "
        f"counting at most {PER_CODE_CAP} per rule.</p>",
    ]
    if not agg.worst:
        out.append('<p class="empty">No file has findings.</p></section>')
        return "".join(out)
    out.append(
        '<table class="grid files"><thead><tr><th class="num">#</th><th>File</th>'
        '<th class="num">Penalty</th><th class="num">Findings</th><th>Families</th>'
        '<th class="num">Words</th><th class="num">Garble</th><th class="num">BP share</th>'
        "</tr></thead><tbody>"
    )
    for rank, i in enumerate(agg.worst, 1):
        f = agg.files[i]
        garble = "–" if f.garble is None else f"{f.garble:.2f}"
        out.append(
            f'<tr><td class="num rank">{rank}</td>'
            f'<td class="path"><a href="#file={i}">{escape(f.path)}</a></td>'
            f'<td class="num"><strong>{agg.penalties[i]:g}</strong></td>'
            f'<td class="num">{len(f.diagnostics):,}</td>'
            f"<td>{''.join(_fam(x) for x in _families_of(f))}</td>"
            f'<td class="num">{f.words:,}</td><td class="num">{garble}</td>'
            f'<td class="num">{_pct_share(f.boilerplate_share)}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return "".join(out)


def _pct_share(v: float) -> str:
    return "–" if not v else f"{100 * v:.0f}%"


def _duplicates(agg: Aggregate) -> str:
    n = len(agg.clusters)
    lead = (
        f"{agg.duplicate_files:,} files duplicate another one, in {n:,} "
        f"cluster{'s' if n != 1 else ''} (DUP001 exact copies, Jaccard 1; DUP002 "
        "near-duplicates with the verified Jaccard of word shingles). Each cluster "
        "is listed under its original."
        if n
        else "No duplicate clusters (DUP001/DUP002 found nothing, or were not selected)."
    )
    return (
        '<section id="duplicates" class="panel"><h2>Duplicate clusters</h2>'
        f'<p class="note">{lead}</p>'
        '<div class="toolbar" id="cluster-tools"></div>'
        '<div id="clusters" class="clusters"></div></section>'
    )


def _files(budget: dict) -> str:
    total, embedded = budget["total"], budget["files"]
    if embedded >= total:
        note = "Text and findings of every file are embedded in this page."
    else:
        note = (
            f"Text and findings are embedded for the {embedded:,} worst of {total:,} files "
            f"({_mb(budget['used'])} of the {_mb(budget['limit'])} budget; raise it with "
            "<code>--max-embedded-text-bytes</code>). Every file is listed with its figures."
        )
    if budget.get("cut"):
        note += f" {budget['cut']:,} long texts are shown cut short."
    return (
        '<section id="files" class="panel"><h2>All files</h2>'
        f'<p class="note">{note}</p>'
        '<div class="toolbar">'
        '<input id="q" type="search" placeholder="Search paths…" autocomplete="off" '
        'aria-label="Search paths">'
        '<select id="filter" aria-label="Filter by family or rule"></select>'
        '<select id="sort" aria-label="Sort">'
        '<option value="penalty">Worst first</option><option value="path">Path</option>'
        '<option value="findings">Most findings</option><option value="words">Longest</option>'
        '<option value="garble">Highest garble score</option>'
        '<option value="bp">Most boilerplate</option></select>'
        '<span id="active-filter" class="active-filter"></span>'
        '<span id="count" class="count"></span></div>'
        '<table class="grid files" id="file-table"><thead><tr><th class="num">#</th>'
        '<th>File</th><th class="num">Penalty</th><th class="num">Findings</th>'
        '<th>Families</th><th class="num">Words</th><th class="num">Garble</th>'
        '<th class="num">BP share</th></tr></thead><tbody id="file-rows"></tbody></table>'
        '<div class="pager" id="pager"></div></section>'
    )


def _errors(options: ReportOptions) -> str:
    if not options.errors:
        return ""
    items = "".join(f"<li><code>{escape(e)}</code></li>" for e in options.errors[:200])
    more = len(options.errors) - 200
    extra = f"<li>… and {more:,} more</li>" if more > 0 else ""
    return (
        f'<section id="errors" class="panel bad"><h2>Errors</h2><ul>{items}{extra}</ul></section>'
    )


def _page(
    agg: Aggregate, options: ReportOptions, summary: dict, details: dict, budget: dict
) -> str:
    return "".join(
        [
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="referrer" content="no-referrer">',
            f"<title>{escape(options.title)}</title>",
            f"<style>{_asset('report.css')}</style></head><body>",
            _header(agg, options),
            '<main class="wrap" id="dashboard">',
            _cards(agg, options),
            _errors(options),
            _rules(agg),
            _charts(agg),
            _worst(agg),
            _duplicates(agg),
            _files(budget),
            "</main>",
            '<main class="wrap" id="view" hidden></main>',
            '<noscript><p class="wrap note">The file list, the clusters and the file view '
            "need JavaScript.</p></noscript>",
            f'<script type="application/json" id="summary">{script_json(summary)}</script>',
            f'<script type="application/json" id="details">{script_json(details)}</script>',
            f"<script>{_asset('report.js')}</script>",
            "</body></html>\n",
        ]
    )
