"""Writes of the plan that lives on after the report: the state of each action, its history,
and the reminders sent for due dates."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import ActionProgress, ActionProgressChange, Assessment
from assessment.plan import selectors as plan_selectors

# A due date outside these years is a typing slip (20226, 1926), not a plan.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def action_progress_set(
    *,
    assessment: Assessment,
    action_key: str,
    status: str,
    owner_name: str = "",
    due_on: date | None = None,
    user=None,
) -> ActionProgress:
    """Mark one action of a submitted assessment planned, in progress or done, with an optional
    owner name and due date; `user` None means the owner through the private link.

    The row and its history entry are written in one transaction; saving the same values again
    writes nothing. Raises ValidationError (nothing written) for an action this assessment's
    plan does not hold, an unknown status, a name too long or an impossible due date."""
    owner_name = " ".join(owner_name.split())  # one line, as it prints in a table cell
    if assessment.is_draft:
        raise ValidationError(_("Submit the assessment before planning its actions."))
    if action_key not in assessment.outcome.action_keys():
        raise ValidationError(_("This action is not in this assessment's plan."))
    if status not in ActionProgress.Status.values:
        raise ValidationError(_("Choose planned, in progress or done."))
    if len(owner_name) > ActionProgress.OWNER_MAX_LENGTH:
        raise ValidationError(
            _("Write the name in at most %(limit)s characters.") % {"limit": ActionProgress.OWNER_MAX_LENGTH}
        )
    if due_on is not None and not FIRST_YEAR <= due_on.year <= LAST_YEAR:
        raise ValidationError(
            _("Give a due date between the years %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    user = user if user is not None and user.is_authenticated else None
    try:
        return _progress_write(assessment, action_key, status, owner_name, due_on, user)
    except IntegrityError:
        # Two first saves of the same action at once (a double click): the other inserted the
        # row; this one now finds it and writes on top, with its own history line.
        return _progress_write(assessment, action_key, status, owner_name, due_on, user)


def _progress_write(
    assessment: Assessment, action_key: str, status: str, owner_name: str, due_on: date | None, user
) -> ActionProgress:
    now = timezone.now()
    with transaction.atomic():
        progress = (
            ActionProgress.objects.select_for_update().filter(assessment=assessment, action_key=action_key).first()
        )
        old_status = progress.status if progress else ""
        if progress is None:
            progress = ActionProgress(assessment=assessment, action_key=action_key)
        elif (progress.status, progress.owner_name, progress.due_on) == (status, owner_name, due_on):
            return progress  # nothing changed: no history line for a second click
        if progress.due_on != due_on:
            progress.reminded_for = None  # a new due date gets its own reminder
        progress.status = status
        progress.owner_name = owner_name
        progress.due_on = due_on
        progress.updated_at = now
        progress.updated_by = user
        progress.save()
        ActionProgressChange.objects.create(
            progress=progress,
            changed_at=now,
            changed_by=user,
            by_link=user is None,
            old_status=old_status,
            new_status=status,
            owner_name=owner_name,
            due_on=due_on,
        )
    return progress


def reminders_mark_sent(progress_ids: list[int]) -> None:
    """The reminder of these rows was sent for their present due date."""
    ActionProgress.objects.filter(pk__in=progress_ids).update(reminded_for=F("due_on"))


def reminders_queue(today: date) -> int:
    """Enqueue one reminder task per assessment with open actions due within a week that have
    had no reminder for their due date and an address to send it to. Returns how many."""
    ids = sorted(set(plan_selectors.due_for_reminder(today).values_list("assessment_id", flat=True)))
    day = today.isoformat()
    transaction.on_commit(lambda: _enqueue_reminders(ids, day))
    return len(ids)


def _enqueue_reminders(ids: list[int], day: str) -> None:
    from assessment.plan import tasks  # the task module imports this one

    for pk in ids:
        tasks.send_action_reminder.enqueue(pk, day)
