"""Reads: everything views and commands fetch goes through here."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from assessment.bulk.exports import report_filename
from assessment.models import (
    Answer,
    Assessment,
    BulkItem,
    BulkJob,
    Campaign,
    Firm,
    Invitation,
    Membership,
    Note,
    Organisation,
    QuestionnaireVersion,
)
from assessment.questionnaire.definition import Questionnaire, parse_questionnaire

# Versions never change once loaded (the loader refuses edits), so a parsed definition
# can live for the whole process. Keyed by checksum too, in case a test reloads the db.
_parsed: dict[tuple[int, str], Questionnaire] = {}


def questionnaire_of(version: QuestionnaireVersion) -> Questionnaire:
    key = (version.pk, version.checksum)
    if key not in _parsed:
        definition = QuestionnaireVersion.objects.values_list("definition", flat=True).get(pk=version.pk)
        _parsed[key] = parse_questionnaire(definition)
    return _parsed[key]


def current_version() -> QuestionnaireVersion | None:
    return QuestionnaireVersion.objects.defer("definition").filter(is_current=True).first()


def assessments() -> QuerySet[Assessment]:
    """Base queryset: the stored definition JSON is large and comes from the cache instead."""
    return Assessment.objects.select_related("questionnaire", "organisation").defer(
        "questionnaire__definition", "organisation__logo"
    )


def answers_of(assessment: Assessment) -> dict[str, Any]:
    return dict(Answer.objects.filter(assessment=assessment).values_list("question_key", "value"))


def assessments_of_user(user) -> QuerySet[Assessment]:
    return assessments().filter(owner=user).order_by("-updated_at")


def assessment_by_digest(digest: str) -> Assessment | None:
    return assessments().filter(resume_digest=digest).first()


def assessments_by_public_ids(public_ids: list[str]) -> QuerySet[Assessment]:
    return assessments().filter(public_id__in=public_ids).order_by("-updated_at")


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


def notes_of(assessment: Assessment) -> dict[str, str]:
    """Consultant notes by target ("area:<key>" / "rec:<key>")."""
    return dict(Note.objects.filter(assessment=assessment).values_list("target", "text"))


def validation_of(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """For answers a consultant saved: {key: {"owner_value": ..., "reason": ...}}. Others are self-assessed."""
    rows = Answer.objects.filter(assessment=assessment, validated_by__isnull=False)
    return {
        key: {"owner_value": owner_value, "reason": reason}
        for key, owner_value, reason in rows.values_list("question_key", "owner_value", "change_reason")
    }


def previous_submitted(assessment: Assessment) -> Assessment | None:
    """The same firm's assessment submitted just before this one, for progress over time."""
    if assessment.firm_id is None or assessment.submitted_at is None:
        return None
    earlier = assessments().filter(
        firm_id=assessment.firm_id, status=Assessment.Status.SUBMITTED, submitted_at__lt=assessment.submitted_at
    )
    return earlier.order_by("-submitted_at").first()


def report_inputs(assessment: Assessment) -> dict[str, Any]:
    """Everything besides the assessment a PDF report is built from (report.build_report's keywords)."""
    return {
        "answers": answers_of(assessment),
        "notes": notes_of(assessment),
        "validation": validation_of(assessment),
        "previous": previous_submitted(assessment),
    }


# --- Associations -------------------------------------------------------------------------


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
        "overall": assessment.result.get("overall") if shared and submitted and assessment.result else None,
    }


def campaign_summary(campaign: Campaign, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Participation counts, and mean area scores of the members who share their results,
    where cohort.showable() allows them ("submitted" counts those members)."""
    from assessment.campaigns import cohort

    counts = {"invited": 0, "started": 0, "submitted": 0}
    for row in rows:
        counts[row["status"]] += 1
    snapshots = campaign_snapshots(campaign)
    areas = next((list(s["scores"]) for s in snapshots if s.get("scores")), [])
    stats = cohort.summarise(snapshots, areas)
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


def bulk_jobs_of(campaign: Campaign) -> list[dict[str, Any]]:
    jobs = campaign.bulk_jobs.order_by("-created_at")[:20]
    return [{"job": job, **bulk_progress(job)} for job in jobs]


def bulk_progress(job: BulkJob) -> dict[str, int]:
    """Counts per status in one query: done, failed, pending and total."""
    counts = dict(job.items.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    done, failed = counts.get("done", 0), counts.get("failed", 0)
    total = sum(counts.values())
    return {"done": done, "failed": failed, "pending": total - done - failed, "total": total}


def bulk_items(job: BulkJob) -> QuerySet[BulkItem]:
    return job.items.select_related("assessment", "report").defer("assessment__result").order_by("pk")


def bundle_items(job: BulkJob) -> Iterator[dict[str, Any]]:
    """What goes into a job's zip, item by item (see exports.write_bundle)."""
    rows = job.items.select_related("assessment", "report").order_by("pk").iterator(chunk_size=500)
    for item in rows:
        assessment = item.assessment
        if not assessment.share_with_association:
            # Consent is read now, not when the job ran: a member who stopped sharing is left
            # out of every later download, scores included.
            yield {
                "firm": assessment.firm_name,
                "result": None,
                "status": "withheld",
                "error": "the member no longer shares its results",
                "path": None,
                "filename": "",
            }
            continue
        stored = item.report if item.status == BulkItem.Status.DONE else None
        path = stored.file.path if stored and stored.file.storage.exists(stored.file.name) else None
        yield {
            "firm": assessment.firm_name,
            "result": assessment.result,
            "status": item.status if path or item.status != BulkItem.Status.DONE else "missing",
            "error": item.error,
            "path": path,
            "filename": report_filename(
                assessment.firm_name, timezone.localdate(assessment.submitted_at), job.variant
            ).replace(".pdf", f"-{job.language}.pdf"),
        }


def campaign_end(campaign: Campaign):
    """The end of the campaign's closing day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(campaign.closes_on + timedelta(days=1), time.min))


def _counted(campaign: Campaign) -> QuerySet[Assessment]:
    # Submitted before the campaign closed: a late submission gets its report but does not
    # change the campaign's figures afterwards.
    return Assessment.objects.filter(
        campaign=campaign, status=Assessment.Status.SUBMITTED, submitted_at__lt=campaign_end(campaign)
    )


def campaign_snapshots(campaign: Campaign) -> list[dict[str, Any]]:
    """One entry per counted assessment: the result snapshot marked "shared" where the member
    lets the association see it, else only {"shared": False}. A private member's scores never
    leave this read for a cohort figure (cohort.summarise counts it as left out): any figure
    including them could be differenced before and after it joined. One query whatever the
    cohort size."""
    rows = _counted(campaign).values_list("result", "share_with_association")
    return [{**result, "shared": True} if shared else {"shared": False} for result, shared in rows if result]


def campaign_overall_scores(campaign: Campaign) -> list[int | None]:
    return [r.get("overall") if r else None for r in _counted(campaign).values_list("result", flat=True)]


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
