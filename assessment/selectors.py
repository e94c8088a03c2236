"""Reads: everything views and commands fetch goes through here."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from assessment.models import (
    ActionProgress,
    Answer,
    Assessment,
    Campaign,
    Invitation,
    Membership,
    Note,
    Organisation,
    QuestionnaireVersion,
)
from assessment.questionnaire.definition import FACT_VALUES, Questionnaire
from assessment.questionnaire.parser import parse_questionnaire

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


def action_plan_of(assessment: Assessment) -> dict[str, dict[str, Any]]:
    """Where the firm has got with each marked action: {key: {"status", "owner_name", "due_on"}},
    plain values (the due date as ISO text) so a stored PDF's digest can include them."""
    return {p.action_key: plan_state(p) for p in ActionProgress.objects.filter(assessment=assessment)}


def plan_state(progress: ActionProgress) -> dict[str, Any]:
    """One action's state as report inputs carry it (action_plan_of)."""
    due = progress.due_on
    return {"status": progress.status, "owner_name": progress.owner_name, "due_on": due.isoformat() if due else ""}


def action_statuses_of(assessment: Assessment | None) -> dict[str, str]:
    """{action key: status} of an assessment's marked actions ({} for None)."""
    if assessment is None:
        return {}
    return dict(ActionProgress.objects.filter(assessment=assessment).values_list("action_key", "status"))


def report_inputs(assessment: Assessment) -> dict[str, Any]:
    """Everything besides the assessment a PDF report is built from (report.build_report's keywords).

    Plain values throughout: reports.services digests them, so a stored PDF is rendered again
    when a note, the plan's progress or the earlier assessment's progress changes."""
    previous = previous_submitted(assessment)
    # A campaign's association may download a sharing member's report (one stored file for
    # every reader), and never sees the member's own plan: that report leaves the plan out.
    private_plan = assessment.campaign_id is not None
    return {
        "answers": answers_of(assessment),
        "notes": notes_of(assessment),
        "validation": validation_of(assessment),
        "previous": previous,
        "plan": {} if private_plan else action_plan_of(assessment),
        "previous_plan": {} if private_plan else action_statuses_of(previous),
    }


# --- Associations -------------------------------------------------------------------------


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


# --- A campaign's members and their tallies ------------------------------------------------
#
# A campaign's members are its invitations (with the assessment each led to, if any) and the
# assessments of firms nobody invited (joined by the link, or imported). The campaign page
# lists them (campaigns.selectors) and counts them from Campaign.tallies, which
# services.campaign_tallies_refresh writes from campaign_tallies_count below.

TALLIES_FORMAT = 2  # tallies written in another format are counted again when read (2: by sector)


def campaign_invited(campaign_id: int) -> QuerySet[Invitation]:
    return Invitation.objects.filter(campaign_id=campaign_id)


def campaign_uninvited(campaign_id: int) -> QuerySet[Assessment]:
    """The campaign's assessments of firms nobody invited, one per firm: its newest submitted
    one, else its newest draft. A draft left behind when the member's answers were imported
    later is not a second member. Assessments without a firm are each their own member."""
    mine = Assessment.objects.filter(campaign_id=campaign_id)
    # A firm's assessment is left out when the same firm has a better one in the campaign:
    # submitted where this one is a draft, or as far and newer. A probe of the firm's own few
    # rows (the firm_id index) per row read, so a page of members reads about one page of rows
    # (a grouped pass over every member cost 40 ms at 20,000 per page).
    submitted = Assessment.Status.SUBMITTED
    better = Assessment.objects.filter(campaign_id=campaign_id, firm_id=OuterRef("firm_id")).filter(
        Q(status=submitted, pk__gt=OuterRef("pk"))
        | (Q(status=submitted) & ~Q(status=OuterRef("status")))
        | (~Q(status=submitted) & Q(status=OuterRef("status"), pk__gt=OuterRef("pk")))
    )
    # "Not invited" as a probe of the firm's invitations (the firm_id index) for each row read,
    # not NOT IN over every invited firm: that list was built for each count of a filtered
    # table, 8-11 ms at 20,000 members even when few rows matched.
    invited = Invitation.objects.filter(campaign_id=campaign_id, firm_id=OuterRef("firm_id"))
    return mine.filter(~Exists(invited)).filter(Q(firm__isnull=True) | ~Exists(better))


def campaign_end(campaign: Campaign) -> datetime:
    """The end of the campaign's closing day, in the site's time zone."""
    return timezone.make_aware(datetime.combine(campaign.closes_on + timedelta(days=1), time.min))


def campaign_counted(campaign: Campaign) -> QuerySet[Assessment]:
    """The submissions its cohort figures are made of: submitted before the campaign closed
    (a late submission gets its report but does not change the campaign's figures afterwards)."""
    return Assessment.objects.filter(
        campaign=campaign, status=Assessment.Status.SUBMITTED, submitted_at__lt=campaign_end(campaign)
    )


def campaign_tallies_count(campaign: Campaign) -> dict[str, Any]:
    """Count the campaign's members by status, for each half of the member table ("invited": the
    invitations, "others": the uninvited members), those who share their submitted results by
    sector ("sectors": {half: {sector: how many}}), and sum the area scores of the counted
    members who share their results ("sharing", "sums": {area: [sum, how many]}). Three
    queries over every member: what Campaign.tallies stores, so pages do not run them."""

    def by_sector(prefix: str) -> dict[str, Count]:
        # The members who share their submitted results, by the sector those say: what the
        # member table's sector filter finds (a private member's answers never narrow a list).
        shared = Q(**{f"{prefix}status": Assessment.Status.SUBMITTED, f"{prefix}share_with_association": True})
        return {
            f"sector_{sector}": Count("pk", filter=shared & Q(**{f"{prefix}sector": sector}))
            for sector in FACT_VALUES["sector"]
        }

    def sectors_out(found: dict[str, int]) -> dict[str, int]:
        return {sector: found.pop(f"sector_{sector}") for sector in FACT_VALUES["sector"]}

    invited = campaign_invited(campaign.pk).aggregate(
        invited=Count("pk", filter=Q(assessment__isnull=True)),
        started=Count("pk", filter=Q(assessment__status=Assessment.Status.DRAFT)),
        submitted=Count("pk", filter=Q(assessment__status=Assessment.Status.SUBMITTED)),
        **by_sector("assessment__"),
    )
    invited_sectors = sectors_out(invited)
    others = campaign_uninvited(campaign.pk).aggregate(
        started=Count("pk", filter=Q(status=Assessment.Status.DRAFT)),
        submitted=Count("pk", filter=Q(status=Assessment.Status.SUBMITTED)),
        **by_sector(""),
    )
    others_sectors = sectors_out(others)
    areas = [area.key for area in questionnaire_of(campaign.questionnaire).areas]
    sums: dict[str, Any] = {"sharing": Count("pk")}
    for n, area in enumerate(areas):
        score = Cast(KeyTextTransform("score", KeyTransform(area, KeyTransform("scores", "result"))), IntegerField())
        sums[f"sum_{n}"] = Sum(score)
        sums[f"n_{n}"] = Count(score)
    found = campaign_counted(campaign).filter(share_with_association=True, result__isnull=False).aggregate(**sums)
    return {
        "format": TALLIES_FORMAT,
        "invited": invited,
        "others": others,
        "sectors": {"invited": invited_sectors, "others": others_sectors},
        "sharing": found["sharing"],
        "sums": {area: [found[f"sum_{n}"] or 0, found[f"n_{n}"]] for n, area in enumerate(areas)},
    }


def campaign_tallies(campaign: Campaign) -> dict[str, Any]:
    """The campaign's stored tallies (see campaign_tallies_count), read from its row (a copy
    loaded before the last write would be out of date), counted afresh only if they were
    never written or are in an older format (the page stays right, only slower)."""
    stored = Campaign.objects.filter(pk=campaign.pk).values_list("tallies", flat=True).first() or {}
    if stored.get("format") == TALLIES_FORMAT:
        return stored
    return campaign_tallies_count(campaign)
