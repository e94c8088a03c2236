"""Consultant reads: organisations of a user, roles, client firms and their assessments."""

from __future__ import annotations

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
