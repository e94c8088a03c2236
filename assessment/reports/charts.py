"""Server-rendered SVG charts: no JavaScript, no external files, readable in print."""

from __future__ import annotations

import math
from collections.abc import Callable

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


# --- The stress test's month-by-month cash ------------------------------------------------------

RUNWAY_W, RUNWAY_H = 560, 264  # the height grows by a row when the legend needs two
LEGEND_ROW = 20
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 70, 548, 28, 200
FS = 13  # font size of the runway chart's texts


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round axis values (1, 2 or 5 times a power of ten) covering low..high, zero included."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = low + 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks = []
    value = first
    while value < high + step * 0.999:
        ticks.append(round(value, 10))
        value += step
    return ticks


def runway_svg(
    balances: list[float],
    with_credit: list[float] | None,
    shock_months: int,
    labels: dict[str, str],
    tick_label: Callable[[float], str],
    font_family: str | None = None,
) -> SafeString:
    """Bars of the cash balance now (month 0) and at the end of each month; a dashed line for
    the balance with the unused credit drawn; the shock months shaded. Below zero is a
    shortfall, drawn in red. `labels` holds the translated title, description, axis and legend
    texts; `tick_label` formats an amount for the axis. Every text is escaped."""
    font = f' font-family="{escape(font_family)}"' if font_family else ""
    values = [*balances, *(with_credit or [])]
    ticks = nice_ticks(min(values), max(values))
    lo, hi = ticks[0], ticks[-1]
    n = len(balances)
    # Room for the longest axis label (huge amounts, with thousands separators).
    left_edge = max(PLOT_LEFT, 12 + 7.5 * max(len(tick_label(t)) for t in ticks))
    slot = (PLOT_RIGHT - left_edge) / n

    def y(value: float) -> float:
        return PLOT_TOP + (hi - value) / (hi - lo) * (PLOT_BOTTOM - PLOT_TOP)

    def x(index: int) -> float:  # centre of a month's slot
        return left_edge + slot * (index + 0.5)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {RUNWAY_W} {RUNWAY_H}" role="img" '
        f'aria-labelledby="runway-title" aria-describedby="runway-desc" class="runway-chart">',
        f'<title id="runway-title">{escape(labels["title"])}</title>',
        f'<desc id="runway-desc">{escape(labels["desc"])}</desc>',
    ]
    if shock_months:  # months 1..N: the slots after "now"
        left = left_edge + slot * 0.5
        width = slot * min(shock_months, n - 1)
        height = PLOT_BOTTOM - PLOT_TOP
        parts.append(f'<rect x="{left:.1f}" y="{PLOT_TOP}" width="{width:.1f}" height="{height}" fill="#fff3cd"/>')
    for tick in ticks:
        ty = y(tick)
        colour = "#212529" if tick == 0 else "#dee2e6"
        parts.append(f'<line x1="{left_edge:.1f}" y1="{ty:.1f}" x2="{PLOT_RIGHT}" y2="{ty:.1f}" stroke="{colour}"/>')
        parts.append(
            f'<text x="{left_edge - 6:.1f}" y="{ty + 5:.1f}" text-anchor="end" font-size="{FS}" fill="#495057"{font}>'
            f"{escape(tick_label(tick))}</text>"
        )
    zero = y(0)
    for i, value in enumerate(balances):
        top, bottom = sorted((y(value), zero))
        colour = "#b02a37" if value < 0 else "#0d6efd"
        parts.append(
            f'<rect x="{x(i) - slot * 0.32:.1f}" y="{top:.1f}" width="{slot * 0.64:.1f}" '
            f'height="{max(bottom - top, 0.5):.1f}" fill="{colour}"/>'
        )
        parts.append(
            f'<text x="{x(i):.1f}" y="{PLOT_BOTTOM + 16}" text-anchor="middle" font-size="{FS}" fill="#495057"{font}>'
            f"{i}</text>"
        )
    if with_credit:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(with_credit))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="#146c43" stroke-width="2" stroke-dasharray="5 3"/>'
        )
    parts.append(
        f'<text x="{(left_edge + PLOT_RIGHT) / 2:.1f}" y="{PLOT_BOTTOM + 34}" text-anchor="middle" font-size="{FS}" '
        f'fill="#495057"{font}>{escape(labels["x_axis"])}</text>'
    )
    parts.append(f'<text x="4" y="14" font-size="{FS}" fill="#495057"{font}>{escape(labels["unit"])}</text>')
    legend = [("rect", "#0d6efd", labels["cash"])]
    if with_credit:
        legend.append(("line", "#146c43", labels["credit"]))
    if shock_months:
        legend.append(("rect", "#fff3cd", labels["shock"]))
    # One row of legend items, or more where they do not fit side by side (long English labels).
    lx: float = PLOT_LEFT
    legend_y = PLOT_BOTTOM + 56
    for kind, colour, text in legend:
        # Room for the text: CJK characters are about as wide as the font size, Latin a little over half.
        width = 30 + sum(FS if ord(c) > 0x2E7F else 7.5 for c in text)
        if lx > PLOT_LEFT and lx + width > RUNWAY_W:
            lx, legend_y = PLOT_LEFT, legend_y + LEGEND_ROW
        if kind == "rect":
            parts.append(
                f'<rect x="{lx:.1f}" y="{legend_y - 11}" width="13" height="12" fill="{colour}" stroke="#adb5bd"/>'
            )
        else:
            parts.append(
                f'<line x1="{lx:.1f}" y1="{legend_y - 5}" x2="{lx + 14:.1f}" y2="{legend_y - 5}" stroke="{colour}" '
                f'stroke-width="2" stroke-dasharray="5 3"/>'
            )
        parts.append(
            f'<text x="{lx + 18:.1f}" y="{legend_y}" font-size="{FS}" fill="#212529"{font}>{escape(text)}</text>'
        )
        lx += width
    height = legend_y + 8
    parts[0] = parts[0].replace(f"0 0 {RUNWAY_W} {RUNWAY_H}", f"0 0 {RUNWAY_W} {height:.0f}")
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text above is escaped
