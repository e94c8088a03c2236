"""Server-rendered SVG charts: no JavaScript, no external files, readable in print."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 500, 340
CX, CY = WIDTH / 2, HEIGHT / 2
RADIUS = 100
LINE_HEIGHT = 15


def _point(index: int, count: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return CX + RADIUS * fraction * math.cos(angle), CY + RADIUS * fraction * math.sin(angle)


def wrap_label(label: str, width: int = 14) -> list[str]:
    """Break an axis label into short lines: at spaces for English, every 4 characters for Chinese."""
    if " " not in label:
        if label.isascii() or len(label) <= 5:
            return [label]
        return [label[i : i + 4] for i in range(0, len(label), 4)]
    lines: list[str] = []
    for word in label.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def radar_svg(axes: list[tuple[str, int | None]], title: str, font_family: str | None = None) -> SafeString:
    """A radar chart of 0-100 scores, one axis per (label, score). Labels are escaped.

    PDF renderers need one explicit font family on SVG text, or CJK text may fall back to
    Japanese glyph shapes.
    """
    n = len(axes)
    font = f' font-family="{escape(font_family)}"' if font_family else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="radar-title" class="radar">',
        f'<title id="radar-title">{escape(title)}</title>',
    ]
    for ring in (0.25, 0.5, 0.75, 1.0):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, n, ring) for i in range(n)))
        parts.append(f'<polygon points="{points}" fill="none" stroke="#ced4da" stroke-width="1"/>')
    for i, (label, score) in enumerate(axes):
        x, y = _point(i, n, 1.0)
        parts.append(f'<line x1="{CX}" y1="{CY}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ced4da"/>')
        lx, ly = _point(i, n, 1.15)
        anchor = "middle" if abs(lx - CX) < 1 else ("start" if lx > CX else "end")
        lines = [*wrap_label(label), "–" if score is None else str(score)]
        if ly < CY - 1:  # top axis: stack the lines upwards
            first = ly - (len(lines) - 1) * LINE_HEIGHT
        elif ly > CY + 1:  # bottom axis: downwards
            first = ly + 12
        else:  # side axes: centred on the axis
            first = ly + 5 - (len(lines) - 1) * LINE_HEIGHT / 2
        tspans = "".join(
            f'<tspan x="{lx:.1f}" y="{first + j * LINE_HEIGHT:.1f}"'
            f"{' font-weight="bold"' if j == len(lines) - 1 else ''}>{escape(text)}</tspan>"
            for j, text in enumerate(lines)
        )
        parts.append(f'<text text-anchor="{anchor}" font-size="13" fill="#212529"{font}>{tspans}</text>')
    values = [(score or 0) / 100 for _label, score in axes]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, n, v) for i, v in enumerate(values)))
    parts.append(f'<polygon points="{points}" fill="#0d6efd" fill-opacity="0.25" stroke="#0d6efd" stroke-width="2"/>')
    for i, v in enumerate(values):
        x, y = _point(i, n, v)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#0d6efd"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text above is escaped
