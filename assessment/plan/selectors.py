"""Reads of the plan: each action's state, a firm's open actions, due reminders, cohort counts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import F, Q, QuerySet

from assessment import selectors
from assessment.models import ActionProgress, ActionProgressChange, Assessment, Firm
from assessment.questionnaire.definition import tr

REMINDER_DAYS = 7  # the reminder e-mail goes out this many days before a due date


@dataclass(frozen=True)
class OpenAction:
    """A planned or started action of one of a firm's assessments, labelled in one language."""

    public_id: uuid.UUID
    submitted_at: datetime | None
    key: str
    title: str
    status: str
    status_label: str
    owner_name: str
    due_on: date | None
    overdue: bool


def history_of(assessment: Assessment) -> list[ActionProgressChange]:
    """Every change of this assessment's actions, oldest first."""
    return list(
        ActionProgressChange.objects.filter(progress__assessment=assessment)
        .select_related("progress", "changed_by")
        .order_by("changed_at", "pk")
    )


def history_by_action(assessment: Assessment) -> dict[str, list[ActionProgressChange]]:
    """The same changes by action key, newest first (as the results page lists them)."""
    found: dict[str, list[ActionProgressChange]] = {}
    for change in reversed(history_of(assessment)):
        found.setdefault(change.progress.action_key, []).append(change)
    return found


def _title(assessment: Assessment, key: str, lang: str) -> str:
    qn = selectors.questionnaire_of(assessment.questionnaire)
    rec = next((r for r in qn.recommendations if r.key == key), None)
    return tr(rec.title, lang) if rec else key


def open_actions(firm: Firm, lang: str, today: date) -> list[OpenAction]:
    """The firm's planned and started actions across its submitted assessments: overdue
    first, then by due date (none last), then newest assessment first."""
    assessments = {a.pk: a for a in selectors.assessments().filter(firm=firm, status=Assessment.Status.SUBMITTED)}
    rows = ActionProgress.objects.filter(assessment_id__in=assessments).exclude(status=ActionProgress.Status.DONE)
    found = []
    for p in rows:
        assessment = assessments[p.assessment_id]
        if p.action_key not in assessment.outcome.action_keys():
            continue  # the assessment was reopened and no longer triggers it
        found.append(
            OpenAction(
                public_id=assessment.public_id,
                submitted_at=assessment.submitted_at,
                key=p.action_key,
                title=_title(assessment, p.action_key, lang),
                status=p.status,
                status_label=str(ActionProgress.Status(p.status).label),
                owner_name=p.owner_name,
                due_on=p.due_on,
                overdue=p.due_on is not None and p.due_on < today,
            )
        )
    found.sort(key=lambda a: (a.due_on is None, a.due_on or date.max, -(a.submitted_at or datetime.min).timestamp()))
    return found


def due_for_reminder(today: date) -> QuerySet[ActionProgress]:
    """Open actions due within REMINDER_DAYS (today included) whose reminder for that due date
    has not gone out. A day the command did not run is caught up the next day; a date already
    past gets none (the owner sees it as overdue instead)."""
    return (
        ActionProgress.objects.filter(
            due_on__gte=today,
            due_on__lte=today + timedelta(days=REMINDER_DAYS),
            assessment__status=Assessment.Status.SUBMITTED,
        )
        .exclude(status=ActionProgress.Status.DONE)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("due_on")))
    )


def reminder_address(assessment: Assessment) -> str:
    """Where the owner of this assessment reads e-mail, of the addresses the app has for it:
    the owner's account, the firm's claimed owner, the firm's contact, the invitation's; else ""."""
    if assessment.owner is not None and assessment.owner.email:
        return assessment.owner.email
    firm = assessment.firm
    if firm is not None:
        if firm.owner is not None and firm.owner.email:
            return firm.owner.email
        if firm.contact_email:
            return firm.contact_email
    invitation = getattr(assessment, "invitation", None)
    return invitation.email if invitation is not None else ""


def statuses_by_assessment(assessments: QuerySet[Assessment]) -> dict[int, dict[str, str]]:
    """{assessment id: {action key: status}} for those of these assessments that marked any
    action (one query, the assessments as a subquery: a cohort of any size)."""
    found: dict[int, dict[str, str]] = {}
    rows = ActionProgress.objects.filter(assessment__in=assessments.values("pk"))
    for assessment_id, key, status in rows.values_list("assessment_id", "action_key", "status"):
        found.setdefault(assessment_id, {})[key] = status
    return found
