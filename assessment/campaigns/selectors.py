"""Association reads: campaigns, member table, participation and the snapshots cohort statistics use."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from assessment.campaigns import cohort
from assessment.models import (
    Answer,
    Assessment,
    Campaign,
    Invitation,
    Organisation,
)
from assessment.questionnaire.result import Result
from assessment.selectors import assessments


def campaigns_of(organisation: Organisation) -> QuerySet[Campaign]:
    return (
        organisation.campaigns.select_related("questionnaire")
        .defer("questionnaire__definition")
        .order_by("-opens_on", "-pk")
    )


def campaign_by_link(link_token: str) -> Campaign | None:
    return (
        Campaign.objects.select_related("organisation", "questionnaire")
        .defer("questionnaire__definition", "organisation__logo")
        .filter(link_token=link_token, link_active=True)
        .first()
    )


def invitation_assessment(digest: str) -> Assessment | None:
    """The assessment a (possibly used) invitation link led to."""
    invitation = Invitation.objects.select_related("assessment").filter(token_digest=digest).first()
    return invitation.assessment if invitation else None


def member_status(assessment: Assessment | None) -> str:
    if assessment is None:
        return "invited"
    return "submitted" if assessment.status == Assessment.Status.SUBMITTED else "started"


def campaign_members(campaign: Campaign) -> list[dict[str, Any]]:
    """Every member of the campaign: invited ones and those who joined by the shareable link.

    Scores are included only for members who consented to share them.
    """
    rows = []
    invitations = Invitation.objects.filter(campaign=campaign).select_related("firm", "assessment").order_by("pk")
    invited_firms = set()
    for invitation in invitations:
        invited_firms.add(invitation.firm_id)
        rows.append(_member_row(invitation.firm.name, invitation, invitation.assessment))
    # One row per firm: a draft left behind when the member's answers were imported later
    # (or an invited member's earlier draft) is not a second member.
    others = assessments().filter(campaign=campaign).exclude(firm_id__in=invited_firms).order_by("pk")
    by_firm: dict[Any, Assessment] = {}
    for assessment in others:
        key = assessment.firm_id or ("assessment", assessment.pk)
        kept = by_firm.get(key)
        if kept is None or kept.is_draft or not assessment.is_draft:
            by_firm[key] = assessment
    rows.extend(_member_row(a.firm_name, None, a) for a in sorted(by_firm.values(), key=lambda a: a.pk))
    return rows


def _member_row(firm_name: str, invitation: Invitation | None, assessment: Assessment | None) -> dict[str, Any]:
    shared = assessment is not None and assessment.share_with_association
    submitted = assessment is not None and not assessment.is_draft
    if invitation is not None:
        source = "invited"
    elif assessment is not None and assessment.import_batch_id:
        source = "imported"
    else:
        source = "joined"
    return {
        "firm": firm_name,
        "source": source,
        "imported": assessment is not None and bool(assessment.import_batch_id),
        "email": invitation.email if invitation else "",
        "status": member_status(assessment),
        "sent_at": invitation.sent_at if invitation else None,
        "reminded_at": invitation.reminded_at if invitation else None,
        "shared": shared,
        "assessment": assessment if shared and submitted else None,
        "overall": assessment.outcome.overall if assessment is not None and shared and submitted else None,
    }


def campaign_summary(campaign: Campaign, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Participation counts, and mean area scores of the members who share their results,
    where cohort.showable() allows them ("submitted" counts those members)."""
    counts = {"invited": 0, "started": 0, "submitted": 0}
    for row in rows:
        counts[row["status"]] += 1
    members = campaign_members_results(campaign)
    areas = next((list(m.result.scores) for m in members if m.result.scores), [])
    stats = cohort.summarise(members, areas)
    means = stats.area_means
    if all(m is None for m in means.values()):
        means = {}
    return {
        "counts": counts,
        "total": len(rows),
        "submitted": stats.count,
        "means": means,
        "min_group": cohort.MIN_GROUP,
    }


def campaign_results(campaign: Campaign, *, shared_only: bool = True) -> Iterator[tuple[Assessment, dict[str, Any]]]:
    """(assessment, answers) for each submitted assessment, streamed in two ordered queries.

    Memory stays flat however many rows: both querysets are read with iterator() and merged
    by assessment id, instead of one answers query per assessment.
    """
    chosen = Assessment.objects.filter(campaign=campaign, status=Assessment.Status.SUBMITTED)
    if shared_only:
        chosen = chosen.filter(share_with_association=True)
    rows = chosen.only("pk", "firm_name", "submitted_at", "result").order_by("pk").iterator(chunk_size=2000)
    answers = (
        Answer.objects.filter(assessment__in=chosen)
        .order_by("assessment_id")
        .values_list("assessment_id", "question_key", "value")
        .iterator(chunk_size=5000)
    )
    pending = next(answers, None)
    for assessment in rows:
        mine: dict[str, Any] = {}
        while pending is not None and pending[0] <= assessment.pk:
            if pending[0] == assessment.pk:
                mine[pending[1]] = pending[2]
            pending = next(answers, None)
        yield assessment, mine


def campaign_assessment_ids(campaign: Campaign, public_ids: list[str]) -> list[int]:
    """Primary keys of this campaign's assessments among the given public ids (others ignored)."""
    valid = []
    for value in public_ids[:5000]:
        try:
            valid.append(uuid.UUID(value))
        except ValueError:
            continue
    return list(Assessment.objects.filter(campaign=campaign, public_id__in=valid).values_list("pk", flat=True))


def campaign_end(campaign: Campaign):
    """The end of the campaign's closing day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(campaign.closes_on + timedelta(days=1), time.min))


def _counted(campaign: Campaign) -> QuerySet[Assessment]:
    # Submitted before the campaign closed: a late submission gets its report but does not
    # change the campaign's figures afterwards.
    return Assessment.objects.filter(
        campaign=campaign, status=Assessment.Status.SUBMITTED, submitted_at__lt=campaign_end(campaign)
    )


def campaign_members_results(campaign: Campaign) -> list[cohort.CohortMember]:
    """One entry per counted assessment: its result where the member lets the association see
    it, else an empty result marked private. A private member's scores never leave this read
    for a cohort figure (cohort.summarise counts it as left out): any figure including them
    could be differenced before and after it joined. One query whatever the cohort size."""
    rows = _counted(campaign).values_list("result", "share_with_association")
    return [
        cohort.CohortMember(Result.from_json(result) if shared else Result(), bool(shared))
        for result, shared in rows
        if result
    ]


def campaign_overall_scores(campaign: Campaign) -> list[int | None]:
    """Overall scores of the counted members who share their results: what a member's
    percentile is read against. Private members are left out for the reason cohort figures
    leave them out: the association can open a sharing member's page, and a percentile read
    before and after a private member's submission would place that member's score."""
    rows = _counted(campaign).filter(share_with_association=True).values_list("result", flat=True)
    return [Result.from_json(r).overall for r in rows if r]


def campaign_participation(campaign: Campaign) -> dict[str, int]:
    """Invited (not started), started and submitted, in two queries."""
    by_status = dict(
        Assessment.objects.filter(campaign=campaign)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    waiting = Invitation.objects.filter(campaign=campaign, assessment__isnull=True).count()
    started = by_status.get(Assessment.Status.DRAFT, 0)
    submitted = by_status.get(Assessment.Status.SUBMITTED, 0)
    return {"invited": waiting, "started": started, "submitted": submitted, "total": waiting + started + submitted}


def standing_of(assessment: Assessment) -> dict[str, int] | None:
    """Where a submitted campaign member's overall score stands among the members who share
    their results: percentile and how many firms it is read against; None under MIN_GROUP."""
    if assessment.campaign is None or assessment.is_draft:
        return None
    scores = campaign_overall_scores(assessment.campaign)
    rank = cohort.percentile(assessment.outcome.overall, scores)
    if rank is None:
        return None
    return {"percentile": rank, "count": len([s for s in scores if s is not None])}
