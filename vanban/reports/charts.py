"""Server-drawn SVG charts of the dashboard, in the manner of monitoring.charts (same
fonts, colours, tick rules, <title>/<desc> for screen readers), with one addition:
every bar is a link to the list of documents behind it.

All text and URLs are XML-escaped here, so callers may mark the result safe."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from vanban.monitoring.charts import (
    BAR_COLOUR,
    MUTED_COLOUR,
    TEXT_COLOUR,
    _empty,
    _fmt,
    _number,
    _open,
    _shorten,
    nice_ticks,
    value_grid_x,
    value_grid_y,
)

SECOND_COLOUR = "#0d6efd"
STATUS_COLOURS = {
    "on_time": "#198754",
    "late": "#fd7e14",
    "within": "#0d6efd",
    "overdue": "#dc3545",
}
EMPTY = "Không có dữ liệu trong phạm vi và khoảng thời gian này."


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str = ""


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    value: int
    href: str = ""


def _link(href: str, inner: str) -> str:
    if not href:
        return inner
    return f"<a href={quoteattr(href)}>{inner}</a>"


def hbar_chart(
    items: Sequence[Bar],
    *,
    title: str,
    description: str,
    chart_id: str,
    value_label: str = "văn bản",
    width: int = 640,
    label_width: int = 220,
    colour: str = BAR_COLOUR,
) -> str:
    """Horizontal bars, one per unit, type or organ; each bar links to its documents."""
    row, bar, top, bottom = 26, 16, 8, 24
    height = top + max(len(items), 1) * row + bottom
    parts = _open(chart_id, width, height, title, description)
    if not items or not any(i.value for i in items):
        return _empty(parts, width, height, EMPTY)
    plot_x = label_width + 8
    plot_w = width - plot_x - 56
    ticks = nice_ticks(max(i.value for i in items))
    scale = plot_w / ticks[-1]
    axis_y = top + len(items) * row
    value_grid_x(parts, ticks=ticks, scale=scale, plot_x=plot_x, top=top, axis_y=axis_y)
    chars = max(8, label_width // 7)
    for i, item in enumerate(items):
        y = top + i * row
        w = item.value * scale
        inner = (
            f"<title>{escape(f'{item.label}: {_number(item.value)} {value_label}')}</title>"
            f'<text x="{label_width}" y="{y + row / 2 + 4:.0f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(_shorten(item.label, chars))}</text>"
            f'<rect x="{plot_x}" y="{y + (row - bar) / 2:.0f}" width="{_fmt(max(w, 0))}" height="{bar}" '
            f'fill="{colour}" rx="2"/>'
            f'<text x="{_fmt(plot_x + w + 4)}" y="{y + row / 2 + 4:.0f}" fill="{TEXT_COLOUR}">{_number(item.value)}</text>'
        )
        parts.append(f'<g class="vb-bar">{_link(item.href, inner)}</g>')
    parts.append(f'<line x1="{plot_x}" y1="{top}" x2="{plot_x}" y2="{axis_y}" stroke="{MUTED_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def column_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[Bar]]],
    *,
    title: str,
    description: str,
    chart_id: str,
    width: int = 800,
    height: int = 260,
) -> str:
    """Vertical grouped columns per period: `series` = (name, colour, bars per label)."""
    left, right, top, bottom = 48, 16, 28, 40
    parts = _open(chart_id, width, height, title, description)
    values = [b.value for _, _, bars in series for b in bars]
    if not labels or not any(values):
        return _empty(parts, width, height, EMPTY)
    plot_w = width - left - right
    plot_h = height - top - bottom
    ticks = nice_ticks(max(values), 4)
    y_scale = plot_h / ticks[-1]
    base = top + plot_h
    value_grid_y(parts, ticks=ticks, scale=y_scale, left=left, right_x=width - right, base=base)
    # Legend along the top.
    x = left
    for name, colour, _ in series:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{x + 16}" y="16" fill="{TEXT_COLOUR}">{escape(name)}</text>')
        x += 24 + 7 * len(name)
    group = plot_w / len(labels)
    bar_w = max(2.0, min(28.0, (group - 6) / max(len(series), 1)))
    every = max(1, -(-len(labels) // 12))
    for i, label in enumerate(labels):
        gx = left + i * group + (group - bar_w * len(series)) / 2
        for s, (name, colour, bars) in enumerate(series):
            b = bars[i]
            h = b.value * y_scale
            inner = (
                f"<title>{escape(f'{label} — {name}: {_number(b.value)}')}</title>"
                f'<rect x="{_fmt(gx + s * bar_w)}" y="{_fmt(base - h)}" width="{_fmt(bar_w - 1)}" '
                f'height="{_fmt(h)}" fill="{colour}"/>'
            )
            parts.append(f'<g class="vb-bar">{_link(b.href, inner)}</g>')
        if i % every == 0:
            parts.append(
                f'<text x="{_fmt(left + i * group + group / 2)}" y="{base + 16}" text-anchor="middle" '
                f'fill="{MUTED_COLOUR}" font-size="11">{escape(label)}</text>'
            )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{MUTED_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_chart(
    rows: Sequence[tuple[str, Sequence[Segment]]],
    *,
    title: str,
    description: str,
    chart_id: str,
    width: int = 800,
    label_width: int = 220,
) -> str:
    """One horizontal bar per unit split into on time / late / within / overdue."""
    row, bar, top, bottom = 26, 16, 28, 24
    height = top + max(len(rows), 1) * row + bottom
    parts = _open(chart_id, width, height, title, description)
    totals = [sum(s.value for s in segs) for _, segs in rows]
    if not rows or not any(totals):
        return _empty(parts, width, height, EMPTY)
    x = 8
    for seg in rows[0][1]:
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{STATUS_COLOURS[seg.key]}"/>')
        parts.append(f'<text x="{x + 16}" y="16" fill="{TEXT_COLOUR}">{escape(seg.label)}</text>')
        x += 28 + 7 * len(seg.label)
    plot_x = label_width + 8
    plot_w = width - plot_x - 56
    ticks = nice_ticks(max(totals))
    scale = plot_w / ticks[-1]
    axis_y = top + len(rows) * row
    value_grid_x(parts, ticks=ticks, scale=scale, plot_x=plot_x, top=top, axis_y=axis_y)
    chars = max(8, label_width // 7)
    for i, (label, segs) in enumerate(rows):
        y = top + i * row
        parts.append(
            f'<text x="{label_width}" y="{y + row / 2 + 4:.0f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"<title>{escape(label)}</title>{escape(_shorten(label, chars))}</text>"
        )
        sx = float(plot_x)
        for seg in segs:
            if not seg.value:
                continue
            w = seg.value * scale
            inner = (
                f"<title>{escape(f'{label} — {seg.label}: {_number(seg.value)}')}</title>"
                f'<rect x="{_fmt(sx)}" y="{y + (row - bar) / 2:.0f}" width="{_fmt(w)}" height="{bar}" '
                f'fill="{STATUS_COLOURS[seg.key]}"/>'
            )
            parts.append(f'<g class="vb-bar">{_link(seg.href, inner)}</g>')
            sx += w
        parts.append(
            f'<text x="{_fmt(sx + 4)}" y="{y + row / 2 + 4:.0f}" fill="{TEXT_COLOUR}">{_number(totals[i])}</text>'
        )
    parts.append(f'<line x1="{plot_x}" y1="{top}" x2="{plot_x}" y2="{axis_y}" stroke="{MUTED_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)
