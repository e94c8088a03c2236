"""The reminder e-mail of the plan's due dates: in the assessment's language, text and HTML."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from assessment import links, selectors
from assessment.models import ActionProgress, Assessment
from assessment.questionnaire.definition import tr


def reminder_send(assessment: Assessment, rows: list[ActionProgress], address: str) -> None:
    """One e-mail listing the actions due soon; the link opens the results page (the owner
    opens it through the account or the private link: the link itself is never stored)."""
    qn = selectors.questionnaire_of(assessment.questionnaire)
    titles = {r.key: r.title for r in qn.recommendations}
    language = assessment.language
    with translation.override(language):
        items = [
            {
                "title": tr(titles[r.action_key], language) if r.action_key in titles else r.action_key,
                "due_on": r.due_on or date.min,
                "owner_name": r.owner_name,
                "status": ActionProgress.Status(r.status).label,
            }
            for r in rows
        ]
        context = {
            "firm": assessment.firm_name,
            "contact": assessment.firm.contact_name if assessment.firm else "",
            "items": items,
            "link": links.absolute_url(reverse("results", args=[assessment.public_id])),
            "calendar": links.absolute_url(reverse("plan_ics", args=[assessment.public_id])),
        }
        subject = " ".join(render_to_string("email/action_reminder_subject.txt", context).split())
        text = render_to_string("email/action_reminder.txt", context)
        html = render_to_string("email/action_reminder.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    message.attach_alternative(html, "text/html")
    message.send()
