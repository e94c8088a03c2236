"""E-mails to association members: in the member's language, text and HTML parts."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from assessment.models import Invitation


def invitation_send(invitation: Invitation, link: str, *, reminder: bool) -> None:
    """Send an invitation or a reminder; `link` is the absolute URL (built from SITE_URL)."""
    started = reminder and invitation.assessment_id is not None
    context = {
        "association": invitation.campaign.organisation.name,
        "campaign": invitation.campaign.name,
        "firm": invitation.firm.name,
        "contact": invitation.firm.contact_name,
        "closes_on": invitation.campaign.closes_on,
        "link": link,
        "reminder": reminder,
        "started": started,
    }
    with translation.override(invitation.language):
        subject = " ".join(render_to_string("email/invitation_subject.txt", context).split())
        text = render_to_string("email/invitation.txt", context)
        html = render_to_string("email/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [invitation.email])
    message.attach_alternative(html, "text/html")
    message.send()
