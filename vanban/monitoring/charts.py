"""A small server-side SVG chart renderer: horizontal bars and a daily line.

No JavaScript and no chart library: the page, the print-out and a screen reader get the
same picture. Every text is XML-escaped here, so callers may mark the result safe.
Each chart carries <title>/<desc> (role="img", aria-labelledby) and a <title> per bar or
point, which browsers show as a tooltip.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
BAR_COLOUR = "#8b1a1a"
LINE_COLOUR = "#0d6efd"
GRID_COLOUR = "#dee2e6"
TEXT_COLOUR = "#212529"
MUTED_COLOUR = "#6c757d"


def _id(value: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_-]", "-", value) or "chart"
    return cleaned if cleaned[0].isalpha() else f"c-{cleaned}"


def _number(n: float) -> str:
    """Vietnamese thousands separator (dot)."""
    return f"{int(n):,}".replace(",", ".")


def _fmt(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def nice_ticks(maximum: float, count: int = 5) -> list[int]:
    """0 … a round ceiling in steps of 1, 2 or 5 × 10^k."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    top = int(math.ceil(maximum / step) * step)
    return list(range(0, top + step, step))


def _open(chart_id: str, width: int, height: int, title: str, description: str) -> list[str]:
    cid = _id(chart_id)
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="{cid}-title {cid}-desc" font-family={quoteattr(FONT)} font-size="12" '
        f'class="vb-svg-chart">',
        f'<title id="{cid}-title">{escape(title)}</title>',
        f'<desc id="{cid}-desc">{escape(description)}</desc>',
    ]


def value_grid_x(parts: list[str], *, ticks: list[int], scale: float, plot_x: float, top: float, axis_y: float) -> None:
    """Vertical grid lines with their values under the axis (horizontal bar charts)."""
    for t in ticks:
        x = plot_x + t * scale
        parts.append(f'<line x1="{_fmt(x)}" y1="{top}" x2="{_fmt(x)}" y2="{axis_y}" stroke="{GRID_COLOUR}"/>')
        parts.append(
            f'<text x="{_fmt(x)}" y="{axis_y + 16}" text-anchor="middle" fill="{MUTED_COLOUR}">{_number(t)}</text>'
        )


def value_grid_y(parts: list[str], *, ticks: list[int], scale: float, left: float, right_x: float, base: float) -> None:
    """Horizontal grid lines with their values left of the axis (column and line charts)."""
    for t in ticks:
        y = base - t * scale
        parts.append(f'<line x1="{left}" y1="{_fmt(y)}" x2="{right_x}" y2="{_fmt(y)}" stroke="{GRID_COLOUR}"/>')
        parts.append(
            f'<text x="{left - 6}" y="{_fmt(y + 4)}" text-anchor="end" fill="{MUTED_COLOUR}">{_number(t)}</text>'
        )


def _empty(parts: list[str], width: int, height: int, message: str) -> str:
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{MUTED_COLOUR}">{escape(message)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    items: Sequence[tuple[str, int]],
    *,
    title: str,
    description: str,
    chart_id: str = "bar",
    value_label: str = "",
    width: int = 640,
    label_width: int = 220,
    empty_message: str = "Không có dữ liệu trong khoảng thời gian này.",
) -> str:
    """Horizontal bars: long Vietnamese unit names stay readable on a phone."""
    row, bar, top, bottom = 26, 16, 8, 24
    height = top + max(len(items), 1) * row + bottom
    parts = _open(chart_id, width, height, title, description)
    if not items:
        return _empty(parts, width, height, empty_message)
    plot_x = label_width + 8
    plot_w = width - plot_x - 56
    ticks = nice_ticks(max(v for _, v in items))
    scale = plot_w / ticks[-1]
    axis_y = top + len(items) * row
    value_grid_x(parts, ticks=ticks, scale=scale, plot_x=plot_x, top=top, axis_y=axis_y)
    chars = max(8, label_width // 7)
    for i, (label, value) in enumerate(items):
        y = top + i * row
        suffix = f" {value_label}" if value_label else ""
        parts.append('<g class="vb-bar">')
        parts.append(f"<title>{escape(f'{label}: {_number(value)}{suffix}')}</title>")
        parts.append(
            f'<text x="{label_width}" y="{y + row / 2 + 4:.0f}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(_shorten(label, chars))}</text>"
        )
        w = value * scale
        parts.append(
            f'<rect x="{plot_x}" y="{y + (row - bar) / 2:.0f}" width="{_fmt(w)}" height="{bar}" fill="{BAR_COLOUR}" rx="2"/>'
        )
        parts.append(
            f'<text x="{_fmt(plot_x + w + 4)}" y="{y + row / 2 + 4:.0f}" fill="{TEXT_COLOUR}">{_number(value)}</text>'
        )
        parts.append("</g>")
    parts.append(f'<line x1="{plot_x}" y1="{top}" x2="{plot_x}" y2="{axis_y}" stroke="{MUTED_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(
    points: Sequence[tuple[dt.date, int]],
    *,
    title: str,
    description: str,
    chart_id: str = "line",
    value_label: str = "",
    width: int = 800,
    height: int = 260,
    empty_message: str = "Không có dữ liệu trong khoảng thời gian này.",
) -> str:
    """One value per day; dates on the axis as dd/mm, at most about eight labels."""
    left, right, top, bottom = 48, 16, 12, 40
    parts = _open(chart_id, width, height, title, description)
    if not points:
        return _empty(parts, width, height, empty_message)
    plot_w = width - left - right
    plot_h = height - top - bottom
    ticks = nice_ticks(max(v for _, v in points), 4)
    y_scale = plot_h / ticks[-1]
    base = top + plot_h
    value_grid_y(parts, ticks=ticks, scale=y_scale, left=left, right_x=width - right, base=base)
    n = len(points)
    step = plot_w / (n - 1) if n > 1 else 0

    def x_of(i: int) -> float:
        return left + (i * step if n > 1 else plot_w / 2)

    every = max(1, math.ceil(n / 8))
    for i, (day, _) in enumerate(points):
        if i % every == 0 or (i == n - 1 and (n - 1) % every >= every / 2):
            parts.append(
                f'<text x="{_fmt(x_of(i))}" y="{base + 18}" text-anchor="middle" fill="{MUTED_COLOUR}">'
                f"{day:%d/%m}</text>"
            )
    coords = " ".join(f"{_fmt(x_of(i))},{_fmt(base - v * y_scale)}" for i, (_, v) in enumerate(points))
    parts.append(f'<polyline points="{coords}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>')
    suffix = f" {value_label}" if value_label else ""
    radius = 3 if n <= 62 else 1.5
    for i, (day, value) in enumerate(points):
        parts.append(
            f'<circle cx="{_fmt(x_of(i))}" cy="{_fmt(base - value * y_scale)}" r="{radius}" fill="{LINE_COLOUR}">'
            f"<title>{escape(f'{day:%d/%m/%Y}: {_number(value)}{suffix}')}</title></circle>"
        )
    parts.append(f'<line x1="{left}" y1="{base}" x2="{width - right}" y2="{base}" stroke="{MUTED_COLOUR}"/>')
    parts.append("</svg>")
    return "".join(parts)
