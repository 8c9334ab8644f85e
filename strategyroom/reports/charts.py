"""Charts drawn on the server as SVG: horizontal bars for every result, a meter
for the impact of a package.

Readable without colour: bars are filled with distinct black-and-white
patterns and every bar carries its label and its figure as text. Readable by a
screen reader: each chart is an image whose title is its alternative text,
what it shows in figures (strategyroom.reports.alt; the PDF's Figure takes it
as /Alt), and the report puts a data table beside it. No inline styles (the app's Content
Security Policy forbids them): only SVG presentation attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 230
BAR_HEIGHT = 22
GAP = 8

# Black-and-white fills, told apart by pattern, not colour.
_PATTERNS = (
    '<path d="M0,6 l6,-6 M-1,1 l2,-2 M5,7 l2,-2" stroke="#000" stroke-width="1.4"/>',
    '<path d="M0,0 l6,6 M-1,5 l2,2 M5,-1 l2,2" stroke="#000" stroke-width="1.4"/>',
    '<rect width="6" height="6" fill="#000" fill-opacity="0.55"/>',
    '<circle cx="3" cy="3" r="1.4" fill="#000"/>',
    '<path d="M0,3 h6" stroke="#000" stroke-width="1.4"/>',
    '<path d="M3,0 v6" stroke="#000" stroke-width="1.4"/>',
)


@dataclass(frozen=True)
class Bar:
    label: str  # what the bar is (deck text: escaped here)
    value: float  # its length, from 0 to the chart's maximum
    text: str  # the figure printed at its end, already formatted for the reader


def _defs(chart_id: str) -> str:
    return "".join(
        f'<pattern id="{chart_id}-p{i}" width="6" height="6" patternUnits="userSpaceOnUse">'
        f'<rect width="6" height="6" fill="#fff"/>{body}</pattern>'
        for i, body in enumerate(_PATTERNS)
    )


LINE = 14  # a label line's height
WRAP = 32  # characters per label line (DejaVu Sans 12 px in LABEL_WIDTH)


def wrap(label: str, width: int = WRAP) -> list[str]:
    """A label in lines of at most ``width`` characters, broken between words
    (a word longer than a line is broken inside it): never cut off."""
    lines: list[str] = []
    for word in label.split():
        while len(word) > width:
            lines.append(word[:width])
            word = word[width:]
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def bar_chart(chart_id: str, alt: str, bars: Sequence[Bar], maximum: float) -> Markup:
    """A horizontal bar chart; ``chart_id`` must be unique in the page, ``alt``
    says what it shows in figures."""
    labels = [wrap(bar.label) for bar in bars]
    rows = [max(BAR_HEIGHT, LINE * len(lines) + 6) for lines in labels]
    height = sum(rows) + GAP * (len(bars) + 1)
    span = WIDTH - LABEL_WIDTH - 70
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{chart_id}-t">',
        f'<title id="{chart_id}-t">{escape(alt)}</title>',
        f"<defs>{_defs(chart_id)}</defs>",
    ]
    y = GAP
    for i, (bar, lines, row) in enumerate(zip(bars, labels, rows, strict=True)):
        length = 0.0 if maximum <= 0 else max(0.0, min(1.0, bar.value / maximum)) * span
        middle = y + row / 2
        first = middle - (len(lines) - 1) * LINE / 2 + 4
        spans = "".join(
            f'<tspan x="{LABEL_WIDTH - 8}" y="{first + k * LINE:.1f}">{escape(line)}</tspan>'
            for k, line in enumerate(lines)
        )
        parts += [
            f'<text text-anchor="end" font-size="12" '
            f'font-family="DejaVu Sans, sans-serif">{spans}</text>',
            f'<rect x="{LABEL_WIDTH}" y="{middle - BAR_HEIGHT / 2:.1f}" width="{length:.1f}" '
            f'height="{BAR_HEIGHT}" fill="url(#{chart_id}-p{i % len(_PATTERNS)})" stroke="#000" '
            f'stroke-width="1"/>',
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle + 4:.1f}" font-size="12" '
            f'font-family="DejaVu Sans, sans-serif">{escape(bar.text)}</text>',
        ]
        y += row + GAP
    parts.append(
        f'<line x1="{LABEL_WIDTH}" y1="0" x2="{LABEL_WIDTH}" y2="{height}" stroke="#000"/>'
    )
    parts.append("</svg>")
    # Safe: every text in it went through escape(); the rest is our own numbers.
    return Markup("".join(parts))  # noqa: S704


def meter(chart_id: str, alt: str, progress: float, text: str, target: str = "") -> Markup:
    """How far a package goes toward a target: a bar, the target marked at 100 %
    and labelled (``target``, e.g. "Target: 1,000 t/yr")."""
    height, span = 58, WIDTH - 120
    full = min(max(progress, 0.0), 1.5) / 1.5 * span
    goal = span / 1.5
    # Safe: every text in it went through escape(); the rest is our own numbers.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart meter" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t">'
        f'<title id="{chart_id}-t">{escape(alt)}</title>'
        f"<defs>{_defs(chart_id)}</defs>"
        f'<rect x="10" y="8" width="{span}" height="20" fill="#fff" stroke="#000"/>'
        f'<rect x="10" y="8" width="{full:.1f}" height="20" '
        f'fill="url(#{chart_id}-p0)" stroke="#000"/>'
        f'<line x1="{10 + goal:.1f}" y1="2" x2="{10 + goal:.1f}" y2="34" stroke="#000" '
        f'stroke-width="3" stroke-dasharray="4 2"/>'
        f'<text x="{10 + goal:.1f}" y="50" text-anchor="middle" font-size="11" '
        f'font-family="DejaVu Sans, sans-serif">{escape(target)}</text>'
        f'<text x="{span + 18}" y="23" font-size="12" font-family="DejaVu Sans, sans-serif">'
        f"{escape(text)}</text></svg>"
    )
