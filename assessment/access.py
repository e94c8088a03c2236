"""Who may open an assessment: its logged-in owner, or a browser that holds its resume token.

Anything else gets the same 404 as an assessment that does not exist.
"""

from __future__ import annotations

import hmac
import uuid

from django.conf import settings
from django.http import Http404, HttpRequest
from django.urls import reverse

from assessment import links, selectors
from assessment.links import token_digest
from assessment.models import Assessment, Campaign, Firm, Organisation

SESSION_KEY = "assessment_tokens"
# Assessments this browser started (not merely opened from someone's link): only these
# move to the account that logs in here.
CREATED_KEY = "assessments_started"


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, trusting X-Forwarded-For only as far as our own proxies wrote it."""
    if settings.PROXY_COUNT:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= settings.PROXY_COUNT:
            return hops[-settings.PROXY_COUNT]
    return request.META.get("REMOTE_ADDR")


def remember_token(request: HttpRequest, assessment: Assessment, token: str) -> None:
    tokens = dict(request.session.get(SESSION_KEY, {}))
    tokens[str(assessment.public_id)] = token
    request.session[SESSION_KEY] = tokens


def remember_started(request: HttpRequest, assessment: Assessment) -> None:
    request.session[CREATED_KEY] = [*request.session.get(CREATED_KEY, []), str(assessment.public_id)][-20:]


def started_here(request: HttpRequest) -> list[Assessment]:
    """Anonymous drafts this browser started, to hand over to the account that logs in."""
    started = set(request.session.get(CREATED_KEY, []))
    return [a for a in session_assessments(request) if str(a.public_id) in started and a.owner_id is None]


def token_for(request: HttpRequest, assessment: Assessment) -> str | None:
    token = request.session.get(SESSION_KEY, {}).get(str(assessment.public_id))
    if token and hmac.compare_digest(token_digest(token), assessment.resume_digest):
        return token
    return None


def can_access(request: HttpRequest, assessment: Assessment) -> bool:
    """Its owner, a member of the organisation running it, or a browser holding its resume link."""
    user = request.user
    if user.is_authenticated and assessment.owner_id == user.pk:
        return True
    if selectors.is_member(user, assessment.organisation_id):
        return True
    return token_for(request, assessment) is not None


def firm_for_request(request: HttpRequest, firm_id: int) -> Firm:
    """A client firm of an organisation this user belongs to; anything else is a 404."""
    # Consultancies' client firms only: an association's member firms are never opened here,
    # where scores and new private links would bypass the member's consent.
    firm = (
        Firm.objects.select_related("organisation")
        .filter(pk=firm_id, organisation__kind=Organisation.Kind.CONSULTANCY)
        .first()
    )
    if firm is None or not selectors.is_member(request.user, firm.organisation_id):
        raise Http404
    return firm


def assessment_for_request(request: HttpRequest, public_id: uuid.UUID) -> Assessment:
    # get(), not first(): public ids are unique, and ordering by pk made this query, which
    # every page of an assessment runs, a third slower to build.
    try:
        assessment = selectors.assessments().get(public_id=public_id)
    except Assessment.DoesNotExist:
        raise Http404 from None
    if not can_access(request, assessment):
        raise Http404
    return assessment


def assessment_for_viewing(request: HttpRequest, public_id: uuid.UUID) -> Assessment:
    """Read-only access: as assessment_for_request, plus the association that ran the campaign,
    for a submitted assessment whose member consented to share it."""
    assessment = selectors.assessments().select_related("campaign").filter(public_id=public_id).first()
    if assessment is None:
        raise Http404
    if can_access(request, assessment) or shared_with(request.user, assessment):
        return assessment
    raise Http404


def shared_with(user, assessment: Assessment) -> bool:
    """The member let the association that ran the campaign see its submitted results."""
    if assessment.campaign_id is None or not assessment.share_with_association or assessment.is_draft:
        return False
    assert assessment.campaign is not None  # campaign_id is set
    return selectors.is_member(user, assessment.campaign.organisation_id)


def campaign_for_request(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign of an association this user belongs to; anything else is a 404."""
    campaign = (
        Campaign.objects.select_related("organisation", "questionnaire")
        .defer("questionnaire__definition", "organisation__logo")
        .filter(pk=campaign_id)
        .first()
    )
    if campaign is None or not selectors.is_member(request.user, campaign.organisation_id):
        raise Http404
    return campaign


def session_assessments(request: HttpRequest) -> list[Assessment]:
    """Assessments this browser holds a valid resume token for (anonymous owners' drafts)."""
    ids = list(request.session.get(SESSION_KEY, {}))[-20:]
    if not ids:
        return []
    return [a for a in selectors.assessments_by_public_ids(ids) if token_for(request, a)]


def resume_url(request: HttpRequest, assessment: Assessment) -> str | None:
    token = token_for(request, assessment)
    if token is None:
        return None
    return links.absolute_url(reverse("resume", args=[token]))


def can_claim(request: HttpRequest, assessment: Assessment) -> bool:
    """A logged-in visitor holding the private link of an assessment nobody owns yet."""
    return request.user.is_authenticated and assessment.owner_id is None and token_for(request, assessment) is not None
