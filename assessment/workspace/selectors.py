"""Consultant reads: organisations of a user, roles, client firms and their assessments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet

from assessment.models import (
    Assessment,
    Firm,
    Organisation,
)
from assessment.paging import nearest_page
from assessment.selectors import assessments


def firms_of(organisation: Organisation) -> QuerySet[Firm]:
    return organisation.firms.order_by("name", "pk")


def firm_assessments(firm: Firm) -> list[Assessment]:
    """A firm's assessments, oldest first."""
    return list(assessments().filter(firm=firm).order_by("created_at"))


@dataclass(frozen=True)
class ClientCounts:
    """The figures above the client table, for all the organisation's firms (not the filtered ones)."""

    total: int = 0
    assessed: int = 0  # firms with a submitted assessment
    by_band: dict[str, int] = field(default_factory=dict)  # band key of the newest: firms


def client_counts(organisation: Organisation) -> ClientCounts:
    """Firms in all, assessed, and by band of their newest submitted assessment: one query,
    on the columns services.firms_latest_refresh keeps on each firm (the index firm_latest_band)."""
    rows = (
        organisation.firms.order_by()
        .values("latest_band")
        .annotate(n=Count("pk"), assessed=Count("latest_submitted_at"))
    )
    total = assessed = 0
    by_band = {}
    for row in rows:
        total += row["n"]
        assessed += row["assessed"]
        if row["latest_band"]:
            by_band[row["latest_band"]] = row["n"]
    return ClientCounts(total=total, assessed=assessed, by_band=by_band)


def client_page(
    organisation: Organisation, filters: dict[str, Any], page_number: str | None, per_page: int
) -> Page[Firm]:
    """One page of the workspace's client table, by name, filtered by name, band of the newest
    submitted assessment and its weakest area (keys, as the filter form cleans them): queries
    on the firm's own columns, so their number and cost do not grow with the clients. A page
    number out of range or not a number gives the nearest page, never an error."""
    firms = firms_of(organisation)
    if filters.get("q"):
        firms = firms.filter(name__icontains=filters["q"])
    if filters.get("band"):
        firms = firms.filter(latest_band=filters["band"])
    if filters.get("weakest"):
        firms = firms.filter(latest_weakest=filters["weakest"])
    return nearest_page(Paginator(firms, per_page), page_number)
