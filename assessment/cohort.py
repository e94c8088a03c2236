"""Cohort statistics over result snapshots (interim version; see tests/test_cohort.py). Pure."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

MIN_GROUP = 5
FACTS = ("sector", "size_class", "region", "export_orientation")


@dataclass(frozen=True)
class Group:
    value: str | None
    n: int | None
    mean_overall: int | None
    hidden: bool


@dataclass(frozen=True)
class CohortStats:
    count: int
    area_means: dict
    distributions: dict
    weakest: list
    top_actions: list
    breakdowns: dict


def _bucket(score: int) -> int:
    return min(score // 20, 4)


def summarise(results: Sequence[dict], areas: Sequence[str]) -> CohortStats:
    results = [r for r in results if r]
    means, distributions = {}, {}
    for area in areas:
        scores = [r["scores"].get(area, {}).get("score") for r in results]
        scores = [s for s in scores if s is not None]
        if len(scores) >= MIN_GROUP:
            means[area] = round(sum(scores) / len(scores))
            counts = [0] * 5
            for s in scores:
                counts[_bucket(s)] += 1
            distributions[area] = counts
        else:
            means[area] = None
            distributions[area] = None
    weakest = sorted(((a, m) for a, m in means.items() if m is not None), key=lambda x: (x[1], x[0]))
    top = []
    if len(results) >= MIN_GROUP:
        counter = Counter(a["key"] for r in results for a in r.get("actions", []))
        top = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
    breakdowns = {}
    for fact in FACTS:
        groups = defaultdict(list)
        for r in results:
            groups[r.get("facts", {}).get(fact)].append(r.get("overall"))
        shown, small = [], False
        for value, overall in sorted(groups.items(), key=lambda kv: (kv[0] is None, kv[0] or "")):
            if len(overall) < MIN_GROUP:
                small = True
                continue
            scored = [o for o in overall if o is not None]
            mean = round(sum(scored) / len(scored)) if len(scored) >= MIN_GROUP else None
            shown.append(Group(value, len(overall), mean, False))
        if small:
            shown.append(Group(None, None, None, True))
        breakdowns[fact] = shown
    return CohortStats(len(results), means, distributions, weakest, top, breakdowns)


def percentile(score: int | None, cohort_scores: Sequence[int | None]) -> int | None:
    scores = [s for s in cohort_scores if s is not None]
    if score is None or len(scores) < MIN_GROUP:
        return None
    below = sum(1 for s in scores if s < score)
    equal = sum(1 for s in scores if s == score)
    return round(100 * (below + 0.5 * equal) / len(scores))


def histogram_svg(counts: list[int], labels: list[str], *, title: str) -> str:
    width, height, top, bottom = 200, 120, 16, 20
    bar = width / len(counts)
    peak = max(counts) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (n, label) in enumerate(zip(counts, labels, strict=True)):
        h = (height - top - bottom) * n / peak
        x = i * bar + 4
        y = height - bottom - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 8:.1f}" height="{h:.1f}" fill="#0d6efd"/>')
        parts.append(f'<text x="{x + (bar - 8) / 2:.1f}" y="{y - 3:.1f}" font-size="9" text-anchor="middle">{n}</text>')
        middle = x + (bar - 8) / 2
        parts.append(
            f'<text x="{middle:.1f}" y="{height - 6}" font-size="8" text-anchor="middle">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bars_svg(rows: list[tuple[str, int]], *, title: str, maximum: int = 100) -> str:
    label_w, width, row_h = 150, 400, 22
    height = row_h * len(rows) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 2
        w = (width - label_w - 30) * max(0, min(value, maximum)) / maximum
        parts.append(f'<text x="0" y="{y + 14}" font-size="11">{escape(label)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="14" fill="#0d6efd"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11">{value}</text>')
    parts.append("</svg>")
    return "".join(parts)
