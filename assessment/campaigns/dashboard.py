"""The cohort dashboard of a campaign: a page and a PDF from the same data.

The numbers come from cohort.py (pure); this module fetches the snapshots in one query,
labels everything in the reader's language and renders. Members who keep their results
private are in no figure, and groups under cohort.MIN_GROUP are never shown
(docs/cohort-privacy.md).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from assessment import languages
from assessment.campaigns import cohort
from assessment.campaigns import selectors as campaigns_selectors
from assessment.models import Campaign
from assessment.questionnaire.definition import SHOWN_FACTS, Questionnaire, tr
from assessment.reports.labels import FACT_LABELS

logger = logging.getLogger(__name__)
BUCKETS = ["0–19", "20–39", "40–59", "60–79", "80–100"]


def _fact_titles() -> dict[str, str]:
    return {
        "sector": _("By sector"),
        "size_class": _("By size class"),
        "region": _("By region"),
        "export_orientation": _("By export orientation"),
    }


@dataclass
class DashboardData:
    campaign: Campaign
    lang: str
    participation: dict[str, int]
    count: int
    min_group: int
    left_out: int
    areas: list[dict[str, Any]] = field(default_factory=list)
    weakest: list[dict[str, Any]] = field(default_factory=list)
    top_actions: list[dict[str, Any]] = field(default_factory=list)
    breakdowns: list[dict[str, Any]] = field(default_factory=list)
    means_chart: SafeString | str = ""
    # The stress test (2026.3): {"n": members with figures, "rows": [(label, percent)]}, or None.
    runway: dict[str, Any] | None = None
    # The plans of the sharing members: cohort.Completion (shares in percent), or None under MIN_GROUP.
    completion: cohort.Completion | None = None

    @property
    def has_figures(self) -> bool:
        """Enough firms for statistics: the page shows them and offers the cohort PDF."""
        return self.count >= self.min_group


# A chart's <title> is what a screen reader announces for it on the page and, in the cohort PDF,
# its text alternative (/Alt): so it says what the chart shows, figures included.


def _means_in_words(means: list[tuple[str, int]]) -> str:
    """ "Average score by area: Resilience 62, Financing 48, …" """
    figures = languages.enumeration_separator().join(f"{title} {mean}" for title, mean in means)
    return _("%(chart)s: %(figures)s") % {"chart": _("Average score by area"), "figures": figures}


def _counts_in_words(area_title: str, counts: list[int]) -> str:
    """ "Resilience, firms per score range: 0–19: 0; 20–39: 2; …" """
    figures = languages.list_separator().join(
        _("%(range)s: %(count)s") % {"range": bucket, "count": n} for bucket, n in zip(BUCKETS, counts, strict=True)
    )
    return _("%(area)s, firms per score range: %(counts)s") % {"area": area_title, "counts": figures}


def build_dashboard(campaign: Campaign, qn: Questionnaire, lang: str) -> DashboardData:
    results = campaigns_selectors.campaign_members_results(campaign)
    areas = [a.key for a in qn.areas]
    stats = cohort.summarise(results, areas)
    titles = {a.key: tr(a.title, lang) for a in qn.areas}
    data = DashboardData(
        campaign=campaign,
        lang=lang,
        participation=campaigns_selectors.campaign_participation(campaign),
        count=stats.count,
        min_group=cohort.MIN_GROUP,
        left_out=stats.left_out,
    )
    for key in areas:
        counts = stats.distributions.get(key)
        data.areas.append(
            {
                "key": key,
                "title": titles[key],
                "mean": stats.area_means.get(key),
                "counts": list(zip(BUCKETS, counts, strict=True)) if counts else None,
                # The SVG is built by cohort.histogram_svg, which escapes every text it writes.
                "chart": mark_safe(cohort.histogram_svg(counts, BUCKETS, title=_counts_in_words(titles[key], counts)))  # noqa: S308
                if counts
                else "",
            }
        )
    means = [(titles[k], m) for k, m in stats.area_means.items() if m is not None]
    if means:
        data.means_chart = mark_safe(cohort.bars_svg(means, title=_means_in_words(means)))  # noqa: S308
    data.weakest = [{"title": titles[k], "mean": m} for k, m in stats.weakest]
    recommendations = {r.key: r for r in qn.recommendations}
    data.top_actions = [
        {"title": tr(recommendations[k].title, lang) if k in recommendations else k, "count": n}
        for k, n in stats.top_actions
    ]
    titles_of_facts = _fact_titles()
    for fact in SHOWN_FACTS:
        title = titles_of_facts[fact]
        groups = []
        for group in stats.breakdowns.get(fact, []):
            if group.hidden:
                label = _("Smaller groups (hidden)")
            elif group.value is None:
                label = _("Not known")
            else:
                label = str(FACT_LABELS[fact].get(group.value, group.value))
            groups.append({"label": label, "n": group.n, "mean": group.mean_overall, "hidden": group.hidden})
        data.breakdowns.append({"title": title, "groups": groups})
    data.completion = stats.completion
    if stats.runway is not None:
        data.runway = {
            "n": stats.runway.n,
            "rows": [
                (ngettext("Under %(months)s month", "Under %(months)s months", line) % {"months": line}, percent)
                for line, percent in stats.runway.under.items()
            ],
        }
    return data
