"""API reads: tokens, and an organisation's objects looked up as its pages look them up.

Every lookup takes the token's organisation: an object of another organisation is simply not
found (a 404, like a missing one)."""

from __future__ import annotations

from typing import Any

from django.db.models import F, QuerySet
from django.http import Http404

from assessment import selectors
from assessment.bulk import selectors as bulk_selectors
from assessment.campaigns import selectors as campaigns_selectors
from assessment.models import (
    ApiToken,
    Assessment,
    BulkJob,
    Campaign,
    ImportUpload,
    Membership,
    Organisation,
    QuestionnaireVersion,
)


def api_token_by_digest(digest: str) -> ApiToken | None:
    return (
        ApiToken.objects.select_related("organisation", "created_by")
        .defer("organisation__logo")
        .filter(digest=digest)
        .first()
    )


def api_tokens_of(organisation: Organisation) -> QuerySet[ApiToken]:
    # Working tokens first (NULL first on every database), then the revoked ones, newest first.
    revoked = F("revoked_at").asc(nulls_first=True)
    return organisation.api_tokens.select_related("created_by").order_by(revoked, "-created_at")


def admin_organisations(user) -> QuerySet[Organisation]:
    """The organisations this user administers: whose tokens the tokens page manages."""
    admin = Membership.Role.ADMIN
    return selectors.organisations_of(user).filter(memberships__user=user, memberships__role=admin).defer("logo")


def campaign_of(organisation: Organisation, campaign_id: int) -> Campaign:
    """A campaign of this organisation (as access.campaign_for_request finds it); else 404."""
    campaign = (
        Campaign.objects.select_related("organisation", "questionnaire")
        .defer("questionnaire__definition", "organisation__logo")
        .filter(pk=campaign_id, organisation=organisation)
        .first()
    )
    if campaign is None:
        raise Http404
    return campaign


def campaigns_of(organisation: Organisation) -> QuerySet[Campaign]:
    return campaigns_selectors.campaigns_of(organisation)


def job_of(campaign: Campaign, job_id: int) -> BulkJob:
    job = BulkJob.objects.filter(pk=job_id, campaign=campaign).first()
    if job is None:
        raise Http404
    return job


def upload_of(campaign: Campaign, upload_id: int) -> ImportUpload:
    return bulk_selectors.upload_of(campaign, upload_id)


def sharing_assessment_ids(campaign: Campaign, public_ids: list[str]) -> list[int]:
    """Of these result ids, the campaign's submitted assessments whose members share them: the
    ones a bulk job renders (the page's campaign_assessment_ids, narrowed as bulk_job_start does)."""
    ids = campaigns_selectors.campaign_assessment_ids(campaign, public_ids)
    shared = Assessment.objects.filter(pk__in=ids, status=Assessment.Status.SUBMITTED, share_with_association=True)
    return list(shared.values_list("pk", flat=True))


def versions() -> QuerySet[QuestionnaireVersion]:
    return QuestionnaireVersion.objects.defer("definition").order_by("loaded_at", "pk")


def version_by_name(version: str) -> QuestionnaireVersion:
    found = QuestionnaireVersion.objects.filter(version=version).first()
    if found is None:
        raise Http404
    return found


def member_key(values: dict[str, Any]) -> str:
    """A member's id in the API: "i<invitation id>" for invited members, "a<assessment id>" for the others."""
    return f"{'i' if values['m_kind'] == 0 else 'a'}{values['m_id']}"
