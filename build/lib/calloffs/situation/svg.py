"""Small, accessible SVG charts rendered on the server (no JavaScript, no CDN).

Each chart is an <svg role="img"> with a <title> and <desc>; pages also show the numbers as a
table, so nothing is conveyed by the drawing alone.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

from django.utils.html import format_html, mark_safe

PALETTE = ["#004b87", "#b00000", "#6b4e00", "#2e6b30", "#5b2a86", "#444444"]


@dataclass
class Bar:
    label: str
    value: float
    limit: float | None = None  # e.g. capacity: drawn as a marker
    colour: str = PALETTE[0]


#: Room for one character of a label or value at the chart's font size (static/css/portal.css: .ds-chart).
CHAR_W = 9


def bar_chart(bars: list[Bar], *, title: str, unit: str = "", chart_w: int = 200, row: int = 28) -> str:
    """Horizontal bars with their labels and values written out.

    The drawing is as wide as its longest label needs (plus the bars and the values) and carries that
    size in width/height: shown at 1:1 where there is room, scaled down only on a narrow screen, so
    the text stays readable on a phone and does not grow on a wide desktop.
    """
    longest = max([len(_short(b.label)) for b in bars] + [2])
    label_w = longest * CHAR_W + 16
    value_w = max([len(f"{_num(b.value)}{unit}") for b in bars] + [2]) * CHAR_W + 12
    pad = 6
    width = label_w + chart_w + value_w
    top = max([b.value for b in bars] + [b.limit or 0 for b in bars] + [1])
    height = max(row * len(bars), row) + 2 * pad
    parts = [
        format_html(
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
            'class="ds-chart" aria-labelledby="{}-t {}-d"><title id="{}-t">{}</title><desc id="{}-d">{}</desc>',
            width,
            height,
            width,
            height,
            _id(title),
            _id(title),
            _id(title),
            title,
            _id(title),
            "; ".join(f"{b.label}: {_num(b.value)}{unit}" for b in bars) or "–",
        )
    ]
    for index, bar in enumerate(bars):
        y = pad + index * row
        w = 0 if top == 0 else chart_w * bar.value / top
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="ds-chart__label">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<text x="{}" y="{}" class="ds-chart__value">{}{}</text>',
                label_w - 8,
                y + row * 0.65,
                _short(bar.label),
                label_w,
                y + 4,
                f"{w:.1f}",
                row - 8,
                bar.colour,
                label_w + w + 6,
                y + row * 0.65,
                _num(bar.value),
                unit,
            )
        )
        if bar.limit is not None:
            x = label_w + chart_w * bar.limit / top
            parts.append(
                format_html(
                    '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#000" stroke-width="3" '
                    'stroke-dasharray="4 2"></line>',
                    f"{x:.1f}",
                    y,
                    f"{x:.1f}",
                    y + row,
                )
            )
    parts.append(mark_safe("</svg>"))  # noqa: S308 - constant markup
    return mark_safe("".join(str(p) for p in parts))  # noqa: S308 - every part is escaped by format_html


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}".replace(".", ",")


def _short(label: str, limit: int = 24) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _id(title: str) -> str:
    return f"c{zlib.crc32(title.encode()):08x}"
