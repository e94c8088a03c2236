"""The reminder task: one e-mail per assessment with actions due within a week, sent once."""

from __future__ import annotations

import logging
from datetime import date

from django.db import transaction
from django.tasks import task

from assessment.models import Assessment
from assessment.plan import mail
from assessment.plan import selectors as plan_selectors
from assessment.plan.services import reminders_mark_sent

logger = logging.getLogger(__name__)


def action_reminder_send(*, assessment_id: int, today: date) -> str:
    """E-mail the owner of one assessment the actions due soon that have had no reminder for
    their due date, and mark them reminded; run twice (a second cron run, a retried task), it
    finds nothing left to send."""
    with transaction.atomic():
        assessment = (
            Assessment.objects.select_related("questionnaire", "owner", "firm__owner", "invitation")
            .filter(pk=assessment_id)
            .first()
        )
        if assessment is None:
            return "skipped"
        # Locked until marked: a second task for the same assessment waits, then finds them sent.
        rows = list(
            plan_selectors.due_for_reminder(today)
            .filter(assessment=assessment)
            .select_for_update()
            .order_by("due_on", "action_key")
        )
        keys = set(assessment.outcome.action_keys())
        rows = [r for r in rows if r.action_key in keys]
        address = plan_selectors.reminder_address(assessment)
        if not rows or not address:
            return "skipped"
        try:
            mail.reminder_send(assessment, rows, address)
        except Exception:
            # Not marked: the next daily run tries again.
            logger.exception("Reminder e-mail for assessment %s could not be sent", assessment_id)
            return "failed"
        reminders_mark_sent([r.pk for r in rows])
    return "sent"


@task()
def send_action_reminder(assessment_id: int, today: str) -> str:
    """The reminder of one assessment's actions due within a week (today: ISO date of the run)."""
    return action_reminder_send(assessment_id=assessment_id, today=date.fromisoformat(today))
