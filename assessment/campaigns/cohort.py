"""Cohort statistics for a campaign dashboard, and the small SVG charts that show them.

Pure functions over the members' results (each a typed Result with the member's consent): no
ORM, no database, no Django, so the numbers can be tested by hand and reused by the page and
the PDF alike. Only members who share (they let the association see their own results) enter
any figure; the others are only counted as left out. An association that
reads a figure, waits for one private member's submission (or imports one more row) and reads
again would otherwise recover that member's scores by subtraction, whatever the group sizes:
see docs/cohort-privacy.md. Groups of fewer than MIN_GROUP firms are still hidden, so a figure
always stands for a group rather than for one firm.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from assessment.questionnaire.definition import SHOWN_FACTS
from assessment.questionnaire.result import Result

# The one definition: selectors, the dashboard and the page texts all read it from here.
MIN_GROUP = 5
BREAKDOWN_FACTS = SHOWN_FACTS
TOP_ACTIONS = 10
FILL = "#0d6efd"  # a presentation attribute, not style=: the Content Security Policy forbids inline styles
TEXT_FILL = "#212529"
# The stress test's runway (fact stress_runway_months, 2026.3 on): the share of the members who
# gave their figures whose cash would last less than each of these months (this tool's lines).
RUNWAY_LINES = (1, 3, 6)
RUNWAY_FACT = "stress_runway_months"


@dataclass(frozen=True)
class CohortMember:
    result: Result
    shared: bool  # the member lets the association see its own results
    # Of the result's actions, how many the member marked done / in progress / at all (0 when private).
    done: int = 0
    in_progress: int = 0
    marked: int = 0


@dataclass(frozen=True)
class Group:
    """One row of a breakdown. value None means "not known" on a shown row; on the hidden row
    (hidden=True) value, n and mean_overall are all None, so nothing about its firms leaks."""

    value: str | None
    n: int | None
    mean_overall: int | None
    hidden: bool


@dataclass(frozen=True)
class CohortStats:
    count: int  # firms with a result snapshot
    area_means: dict[str, int | None]  # None when fewer than MIN_GROUP firms scored the area
    distributions: dict[str, list[int] | None]  # firms per bucket 0–19 … 80–100, same rule
    weakest: list[tuple[str, int]]  # areas with a mean, lowest first
    top_actions: list[tuple[str, int]]  # (recommendation key, firms), empty under MIN_GROUP firms
    breakdowns: dict[str, list[Group]]  # fact key -> shown groups, then at most one hidden row
    left_out: int = 0  # firms that keep their results private: in no figure, whatever their number
    runway: RunwayShares | None = None  # None under MIN_GROUP members with stress-test figures
    completion: Completion | None = None  # None under MIN_GROUP sharing members with a plan


@dataclass(frozen=True)
class Completion:
    """How far the sharing members have got with their plans, all their actions together."""

    n: int  # sharing members with at least one action in their plan (at least MIN_GROUP)
    actions: int  # their actions, together
    done: int  # percent of those actions marked done
    in_progress: int  # percent marked in progress
    tracking: int  # percent of the members who marked any action


@dataclass(frozen=True)
class RunwayShares:
    """How long the members who gave stress-test figures would last, each under its own scenario."""

    n: int  # members with the figures (at least MIN_GROUP)
    under: dict[int, int]  # months (RUNWAY_LINES) -> percent of them whose runway is shorter


def showable(results: Sequence[CohortMember]) -> bool:
    """May an aggregate over these firms be shown?

    At least MIN_GROUP firms, every one of them sharing its results. A firm
    that keeps its results private is in no aggregate at all: any figure that included it
    could be read before and after it joined the cohort and the difference would be its own.
    """
    return len(results) >= MIN_GROUP and all(r.shared for r in results)


def _mean(values: Sequence[int], results: Sequence[CohortMember] | None = None) -> int | None:
    if results is not None and not showable(results):
        return None
    return mean_of_sum(sum(values), len(values))


def mean_of_sum(total: int, n: int) -> int | None:
    """The mean shown for n scores of sharing firms that add up to total: None under
    MIN_GROUP. For a reader that sums in the database (the campaign page's averages)."""
    if n < MIN_GROUP:
        return None
    # round() like scoring.py, so a cohort mean and a firm's own score round the same way.
    return round(total / n)


def _bucket(score: int) -> int:
    # 80–100 is one bucket (100 would otherwise be alone); clamp so a stray value cannot index out.
    return max(0, min(score // 20, 4))


def _area_score(r: CohortMember, area: str) -> int | None:
    return r.result.score_of(area)


def _area_scores(results: Sequence[CohortMember], area: str) -> list[int]:
    scores = [_area_score(r, area) for r in results]
    return [s for s in scores if s is not None]


def _top_actions(results: Sequence[CohortMember]) -> list[tuple[str, int]]:
    if not showable(results):
        return []
    # A set per firm: the count means "firms advised to do this", even if a key were listed twice.
    counter = Counter(key for r in results for key in set(r.result.action_keys()))
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ACTIONS]


def _breakdown(results: Sequence[CohortMember], fact: str) -> list[Group]:
    by_value: dict[str | None, list[CohortMember]] = defaultdict(list)
    for r in results:
        by_value[r.result.facts.get(fact)].append(r)
    shown = {v: rs for v, rs in by_value.items() if showable(rs)}
    hidden_rows = [r for v, rs in by_value.items() if v not in shown for r in rs]
    # Secondary suppression: the reader knows the cohort size, so a hidden remainder of one
    # small group would give away its size (count minus the shown n) and, with another
    # breakdown's means, its mean. Fold the smallest shown groups in until it holds MIN_GROUP.
    while hidden_rows and not showable(hidden_rows) and shown:
        smallest = min(shown, key=lambda v: (len(shown[v]), v is None, str(v)))
        hidden_rows += shown.pop(smallest)
    groups = [
        Group(value, len(rs), _mean([r.result.overall for r in rs if r.result.overall is not None], rs), False)
        for value, rs in sorted(shown.items(), key=lambda kv: (kv[0] is None, str(kv[0])))
    ]
    if hidden_rows:
        groups.append(Group(None, None, None, True))
    return groups


def _runway_shares(results: Sequence[CohortMember]) -> RunwayShares | None:
    given = [r for r in results if isinstance(r.result.facts.get(RUNWAY_FACT), (int, float))]
    if not showable(given):
        return None
    months = [float(r.result.facts[RUNWAY_FACT]) for r in given]
    return RunwayShares(
        n=len(given),
        under={line: round(100 * sum(1 for m in months if m < line) / len(months)) for line in RUNWAY_LINES},
    )


def _completion(results: Sequence[CohortMember]) -> Completion | None:
    with_plan = [r for r in results if r.result.actions]
    if not showable(with_plan):
        return None
    actions = sum(len(r.result.actions) for r in with_plan)
    return Completion(
        n=len(with_plan),
        actions=actions,
        done=round(100 * sum(r.done for r in with_plan) / actions),
        in_progress=round(100 * sum(r.in_progress for r in with_plan) / actions),
        tracking=round(100 * sum(1 for r in with_plan if r.marked) / len(with_plan)),
    )


def summarise(members: Sequence[CohortMember | None], areas: Sequence[str]) -> CohortStats:
    """Statistics of a cohort over the given area keys.

    None (no result stored) is left out and not counted. Members who do not share are left
    out of every figure and only counted in left_out (see
    showable() for why). Every figure comes from at least MIN_GROUP firms or is None / hidden.
    """
    present = [m for m in members if m is not None]
    results = [m for m in present if m.shared]
    left_out = len(present) - len(results)
    means: dict[str, int | None] = {}
    distributions: dict[str, list[int] | None] = {}
    for area in areas:
        pairs = [(r, score) for r in results if (score := _area_score(r, area)) is not None]
        scored = [r for r, _score in pairs]  # the rest are left out of it
        scores = [score for _r, score in pairs]
        means[area] = _mean(scores, scored)
        distributions[area] = None
        if means[area] is not None:
            counts = [0] * 5
            for score in scores:
                counts[_bucket(score)] += 1
            distributions[area] = counts
    weakest = sorted(((a, m) for a, m in means.items() if m is not None), key=lambda am: (am[1], am[0]))
    return CohortStats(
        left_out=left_out,
        count=len(results),
        area_means=means,
        distributions=distributions,
        weakest=weakest,
        top_actions=_top_actions(results),
        breakdowns={fact: _breakdown(results, fact) for fact in BREAKDOWN_FACTS},
        runway=_runway_shares(results),
        completion=_completion(results),
    )


def percentile(score: int | None, cohort_scores: Sequence[int | None]) -> int | None:
    """Mid-rank percentile of score in the cohort: firms strictly lower plus half the ties, in
    percent (0–100, rounded). None without a score or under MIN_GROUP scored firms."""
    scores = [s for s in cohort_scores if s is not None]
    if score is None or len(scores) < MIN_GROUP:
        return None
    below = sum(1 for s in scores if s < score)
    equal = sum(1 for s in scores if s == score)
    return round(100 * (below + equal / 2) / len(scores))


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    # role="img" plus a first-child <title> is what screen readers announce for an inline SVG.
    # No width/height: with only a viewBox the chart scales to its column (and to the PDF's CSS).
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: object, *, size: int, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{TEXT_FILL}">{escape(str(text))}</text>'
    )


def histogram_svg(counts: list[int], labels: list[str], *, title: str) -> str:
    """A vertical bar chart, one <rect> per count with height proportional to it, the count
    above each bar and its label below. Every text is escaped; no script or style."""
    width, height, top, bottom, gap = 240, 140, 16, 20, 6
    plot = height - top - bottom
    counts = [max(0, int(n)) for n in counts]
    peak = max(counts, default=0) or 1  # all-zero counts draw flat bars, not a division by zero
    step = width / max(len(counts), 1)
    body = []
    for i, (n, label) in enumerate(zip(counts, labels, strict=True)):
        h = plot * n / peak
        x, y = i * step + gap / 2, height - bottom - h
        middle = x + (step - gap) / 2
        body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{step - gap:.1f}" height="{h:.1f}" fill="{FILL}"/>')
        body.append(_text(middle, y - 3, n, size=9, anchor="middle"))
        body.append(_text(middle, height - 6, label, size=8, anchor="middle"))
    return _svg(width, height, title, body)


def text_width(text: object, size: int) -> float:
    """About how wide `text` is at font `size` in px: a CJK character is a full em, Latin about half."""
    return sum(size if ord(c) > 0x2E80 else size * 0.56 for c in str(text))


def bars_svg(rows: list[tuple[str, int]], *, title: str, maximum: int = 100) -> str:
    """Horizontal bars, one <rect> per (label, value), the length proportional to value out of
    maximum (values are clamped to 0..maximum). Every text is escaped; no script or style."""
    # The label column fits the longest label ("Innovation and transformation" was cut at 150).
    label_w = max(150, min(260, round(max((text_width(label, 11) for label, _value in rows), default=0)) + 8))
    bar_w, row_h = 220, 22
    width = label_w + bar_w + 30  # room for the value after a full bar
    height = row_h * len(rows) + 4
    maximum = max(maximum, 1)
    body = []
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 2
        w = bar_w * max(0, min(int(value), maximum)) / maximum
        body.append(_text(0, y + 14, label, size=11))
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="14" fill="{FILL}"/>')
        body.append(_text(label_w + w + 4, y + 14, int(value), size=11))
    return _svg(width, height, title, body)
