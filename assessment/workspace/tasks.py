"""The owner-link task: makes a fresh private link for a client's draft and e-mails it."""

from __future__ import annotations

from django.tasks import task
from django.urls import reverse
from django.utils import translation

from assessment import links
from assessment.models import (
    Assessment,
)
from assessment.services import assessment_new_link
from assessment.workspace import mail as workspace_mail


def owner_link_send(*, assessment_id: int, language: str) -> str:
    """The task behind owner_link_email: a fresh link for the draft, e-mailed to the firm's address."""
    assessment = Assessment.objects.select_related("firm__organisation").filter(pk=assessment_id).first()
    if assessment is None or not assessment.is_draft or assessment.firm is None or not assessment.firm.contact_email:
        return "skipped"
    token = assessment_new_link(assessment=assessment)
    with translation.override(language):
        link = links.absolute_url(reverse("resume", args=[token]))
    workspace_mail.owner_link_send(assessment, link, language)
    return "sent"


@task()
def send_owner_link(assessment_id: int, language: str) -> str:
    """A consultant's client's private link, made and e-mailed here."""
    return owner_link_send(assessment_id=assessment_id, language=language)
