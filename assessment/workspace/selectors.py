"""Consultant reads: organisations of a user, roles, client firms and their assessments."""

from __future__ import annotations

from django.db.models import QuerySet

from assessment.models import (
    Assessment,
    Firm,
    Membership,
    Organisation,
)
from assessment.selectors import assessments


def organisations_of(user) -> QuerySet[Organisation]:
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user).order_by("name")


def consultancy_of(user) -> Organisation | None:
    """The consultancy whose workspace this user works in (the first, if several)."""
    return organisations_of(user).filter(kind=Organisation.Kind.CONSULTANCY).first()


def association_of(user) -> Organisation | None:
    """The association whose campaigns this user runs (the first, if several)."""
    return organisations_of(user).filter(kind=Organisation.Kind.ASSOCIATION).first()


def is_member(user, organisation_id: int | None) -> bool:
    if organisation_id is None or not user.is_authenticated:
        return False
    return Membership.objects.filter(user=user, organisation_id=organisation_id).exists()


def is_admin(user, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation, role=Membership.Role.ADMIN).exists()


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
        latest[assessment.firm_id] = assessment
    return latest
