"""Server-rendered SVG charts: no JavaScript, no external files, readable in print."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SIZE = 320
CENTER = SIZE / 2
RADIUS = 105


def _point(index: int, count: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return CENTER + RADIUS * fraction * math.cos(angle), CENTER + RADIUS * fraction * math.sin(angle)


def radar_svg(axes: list[tuple[str, int | None]], title: str) -> SafeString:
    """A radar chart of 0-100 scores, one axis per (label, score). Labels are escaped."""
    n = len(axes)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-labelledby="radar-title" class="radar">',
        f'<title id="radar-title">{escape(title)}</title>',
    ]
    for ring in (0.25, 0.5, 0.75, 1.0):
        points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, n, ring) for i in range(n)))
        parts.append(f'<polygon points="{points}" fill="none" stroke="#ced4da" stroke-width="1"/>')
    for i, (label, _score) in enumerate(axes):
        x, y = _point(i, n, 1.0)
        parts.append(f'<line x1="{CENTER}" y1="{CENTER}" x2="{x:.1f}" y2="{y:.1f}" stroke="#ced4da"/>')
        lx, ly = _point(i, n, 1.22)
        anchor = "middle" if abs(lx - CENTER) < 1 else ("start" if lx > CENTER else "end")
        parts.append(
            f'<text x="{lx:.1f}" y="{ly + 4:.1f}" text-anchor="{anchor}" font-size="13" fill="#212529">'
            f"{escape(label)}</text>"
        )
    values = [(score or 0) / 100 for _label, score in axes]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, n, v) for i, v in enumerate(values)))
    parts.append(f'<polygon points="{points}" fill="#0d6efd" fill-opacity="0.25" stroke="#0d6efd" stroke-width="2"/>')
    for i, v in enumerate(values):
        x, y = _point(i, n, v)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#0d6efd"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text above is escaped
