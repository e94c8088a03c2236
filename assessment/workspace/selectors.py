"""Consultant reads: organisations of a user, roles, client firms and their assessments."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from assessment.models import (
    Assessment,
    Firm,
    Organisation,
)
from assessment.selectors import assessments


def firms_of(organisation: Organisation) -> QuerySet[Firm]:
    return organisation.firms.order_by("name")


def firm_assessments(firm: Firm) -> list[Assessment]:
    """A firm's assessments, oldest first."""
    return list(assessments().filter(firm=firm).order_by("created_at"))


def latest_submitted(firms: list[Firm]) -> dict[int, Assessment]:
    """The newest submitted assessment of each firm, in one query."""
    latest: dict[int, Assessment] = {}
    rows = assessments().filter(firm__in=firms, status=Assessment.Status.SUBMITTED).order_by("submitted_at")
    for assessment in rows:
        assert assessment.firm_id is not None  # filtered on firm__in
        latest[assessment.firm_id] = assessment
    return latest


def client_page(
    organisation: Organisation, filters: dict[str, Any], page_number: str | None, per_page: int
) -> tuple[Page, list[dict[str, Any]], int]:
    """One page of the workspace's client table, filtered by name, band of the latest overall
    score and weakest area: (page, rows, firms in all). Each row: firm, latest submitted
    assessment (or None), overall, band and the weakest area's key."""
    firms = firms_of(organisation)
    total = firms.count()
    if filters.get("q"):
        firms = firms.filter(name__icontains=filters["q"])
    by_result = filters.get("band") or filters.get("weakest")
    # Without a filter on results, only the page's firms need their latest assessment.
    page: Page[Any] = Paginator(list(firms) if by_result else firms, per_page).get_page(page_number)
    candidates = list(firms) if by_result else list(page.object_list)
    latest = latest_submitted(candidates)
    rows = []
    for firm in candidates:
        assessment = latest.get(firm.pk)
        result = assessment.outcome if assessment else None
        weakest = result.weakest_area() if result else None
        if filters.get("band") and (result.overall_band if result else None) != filters["band"]:
            continue
        if filters.get("weakest") and weakest != filters["weakest"]:
            continue
        rows.append(
            {
                "firm": firm,
                "latest": assessment,
                "overall": result.overall if result else None,
                "band": result.overall_band if result else None,
                "weakest": weakest,
            }
        )
    if by_result:
        page = Paginator(rows, per_page).get_page(page_number)
        rows = list(page.object_list)
    return page, rows, total
