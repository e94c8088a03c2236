"""The e-mail that brings a consultant's client to its draft: its private link, text and HTML."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def owner_link_send(assessment, link: str, language: str) -> None:
    """A consultant's client gets the private link to its draft, in the language chosen for it."""
    firm = assessment.firm
    context = {
        "organisation": firm.organisation.name,
        "firm": firm.name,
        "contact": firm.contact_name,
        "link": link,
    }
    with translation.override(language):
        subject = " ".join(render_to_string("email/owner_link_subject.txt", context).split())
        text = render_to_string("email/owner_link.txt", context)
    EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [firm.contact_email]).send()
