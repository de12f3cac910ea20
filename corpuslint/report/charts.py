"""Histograms as inline SVG (counted in Python by ``aggregate``; no script needed).

Each bar links to the file list filtered to that bin (``#files?hist=METRIC&bin=K``)
and carries a ``<title>`` tooltip with its range and count.
"""

from __future__ import annotations

import math
from html import escape

from corpuslint.report.aggregate import Bin, Histogram, nice_step

WIDTH, HEIGHT = 400, 210
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 16, 40


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _count(n: float) -> str:
    return f"{n:,.0f}"


def _edge_label(v: float) -> str:
    if v >= 10_000 and v % 1000 == 0:
        return f"{v / 1000:g}k"
    return f"{v:,.0f}" if v == int(v) and v >= 1 else f"{v:g}"


def histogram_svg(h: Histogram) -> str:
    """The chart of ``h`` as an ``<svg>`` element (an empty-state box when no bins)."""
    if not h.bins or not any(b.count for b in h.bins):
        return (
            f'<div class="chart-empty">{escape(h.note or "No data.")}</div>'
            if h.note or not h.bins
            else '<div class="chart-empty">No data.</div>'
        )
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max(b.count for b in h.bins)
    step = max(1.0, nice_step(top, 4))
    y_max = step * math.ceil(top / step)
    n = len(h.bins)
    slot = plot_w / n
    gap = min(4.0, slot * 0.18)
    out = [
        f'<svg class="chart chart-{escape(h.metric)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(h.title)} histogram">'
    ]
    # y grid and labels
    k = 0.0
    while k <= y_max + 1e-9:
        y = TOP + plot_h - plot_h * k / y_max
        out.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 3.5:.1f}" text-anchor="end">'
            f"{_count(k)}</text>"
        )
        k += step
    # bars
    for i, b in enumerate(h.bins):
        x = LEFT + i * slot + gap / 2
        bh = plot_h * b.count / y_max
        y = TOP + plot_h - bh
        cls = "bar" if math.isfinite(b.hi) else "bar overflow"
        tip = f"{b.label} {h.unit}: {b.count:,} file{'s' if b.count != 1 else ''}"
        out.append(
            f'<a href="#files?hist={escape(h.metric)}&amp;bin={i}" class="bar-link">'
            f'<rect class="hit" x="{LEFT + i * slot:.1f}" y="{TOP}" width="{slot:.1f}" '
            f'height="{plot_h}"/>'
            f'<rect class="{cls}" data-bin="{i}" data-count="{b.count}" x="{x:.1f}" '
            f'y="{y:.1f}" width="{max(slot - gap, 1):.1f}" height="{max(bh, 0):.1f}"/>'
            f"<title>{escape(tip)}</title></a>"
        )
    # x labels: bin edges, thinned to about 8
    every = max(1, math.ceil(n / 8))
    base = TOP + plot_h
    out.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    for i, b in enumerate(h.bins):
        if b.lo == b.hi:  # a bin for one value: its label under the bar's middle
            x = LEFT + (i + 0.5) * slot
            out.append(_xlabel(x, base, b.label))
            continue
        if i % every == 0:
            out.append(_xlabel(LEFT + i * slot, base, _edge_label(b.lo)))
    last: Bin = h.bins[-1]
    if math.isfinite(last.hi) and n % every == 0:  # on the label grid: no overlap
        out.append(_xlabel(LEFT + n * slot, base, _edge_label(last.hi)))
    out.append(
        f'<text class="axis-title" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" '
        f'text-anchor="middle">{escape(h.unit)}</text>'
    )
    if h.marker is not None and h.bins:
        lo, hi = h.bins[0].lo, h.bins[-1].hi
        if math.isfinite(hi) and hi > lo:
            x = LEFT + plot_w * (h.marker - lo) / (hi - lo)
            out.append(
                f'<line class="marker" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP - 4}" y2="{base}"/>'
                f'<text class="marker-label" x="{x - 4:.1f}" y="{TOP + 6}" text-anchor="end">'
                f"{escape(h.marker_label)} {_num(h.marker)}</text>"
            )
    out.append("</svg>")
    return "".join(out)


def _xlabel(x: float, base: float, text: str) -> str:
    return (
        f'<text class="tick" x="{x:.1f}" y="{base + 14}" text-anchor="middle">{escape(text)}</text>'
    )


def bar_svg(fractions: list[tuple[str, float]], width: int = 120) -> str:
    """A tiny stacked bar (per-severity shares in a table row); classes name the parts."""
    out = [f'<svg class="minibar" viewBox="0 0 {width} 8" width="{width}" height="8">']
    x = 0.0
    for cls, frac in fractions:
        w = width * max(0.0, min(1.0, frac))
        if w > 0:
            out.append(
                f'<rect class="{escape(cls)}" x="{x:.1f}" y="0" width="{w:.1f}" height="8"/>'
            )
        x += w
    out.append("</svg>")
    return "".join(out)
