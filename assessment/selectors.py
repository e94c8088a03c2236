"""Reads: everything views and commands fetch goes through here."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from assessment.models import (
    ActionProgress,
    Answer,
    Assessment,
    Membership,
    Note,
    Organisation,
    QuestionnaireVersion,
)
from assessment.questionnaire.definition import Questionnaire
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
