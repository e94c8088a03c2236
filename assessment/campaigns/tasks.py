"""The invitation task: makes a fresh link for one invitation or reminder and e-mails it."""

from __future__ import annotations

import logging
import secrets

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from assessment.campaigns import mail
from assessment.links import invitation_url, token_digest
from assessment.models import (
    Invitation,
)

logger = logging.getLogger(__name__)


def invitation_send(*, invitation_id: int, reminder: bool) -> str:
    """Make a fresh link for one invitation and e-mail it (the task behind invitations and reminders).

    The link exists only in the e-mail: its digest replaces the earlier one, which stops
    working. A reminder's link to a started draft continues the draft (invitation_accept).
    """
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("campaign__organisation", "firm", "assessment")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or (invitation.assessment is not None and not invitation.assessment.is_draft):
            return "skipped"  # gone, or submitted since the reminder was asked for
        if reminder and invitation.used_at is None and invitation.assessment is None and not invitation.sent_at:
            reminder = False  # never sent yet: this is its first invitation
        token = secrets.token_urlsafe(32)  # 256 bits
        Invitation.objects.filter(pk=invitation.pk).update(token_digest=token_digest(token), used_at=None)
    try:
        mail.invitation_send(invitation, invitation_url(token, invitation.language), reminder=reminder)
    except Exception:
        # One bad address must not stop the rest; the member list shows it as not sent.
        logger.exception("Invitation e-mail %s could not be sent", invitation_id)
        return "failed"
    now = timezone.now()
    fields = {"reminded_at": now, "reminders": invitation.reminders + 1} if reminder else {"sent_at": now}
    Invitation.objects.filter(pk=invitation.pk).update(**fields)
    return "sent"


@task()
def send_invitation(invitation_id: int, reminder: bool) -> str:
    """One invitation or reminder e-mail, with a link made for it."""
    return invitation_send(invitation_id=invitation_id, reminder=reminder)
