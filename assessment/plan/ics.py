"""The plan's due dates as an iCalendar file (RFC 5545), for the calendar app of a phone."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from assessment import links, selectors
from assessment.models import ActionProgress, Assessment
from assessment.product import PRODUCT_NAME
from assessment.questionnaire.definition import tr


def plan_ics_file(assessment: Assessment, lang: str) -> bytes:
    """One all-day event per open action with a due date, titled in `lang`.

    Each event's UID stays the same for the same action, so importing the file again after a
    change updates the events instead of adding copies."""
    qn = selectors.questionnaire_of(assessment.questionnaire)
    titles = {r.key: r.title for r in qn.recommendations}
    rows = (
        ActionProgress.objects.filter(assessment=assessment, due_on__isnull=False)
        .exclude(status=ActionProgress.Status.DONE)
        .order_by("due_on", "action_key")
    )
    keys = set(assessment.outcome.action_keys())
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    with translation.override(lang):
        page = links.absolute_url(reverse("results", args=[assessment.public_id]))
        calendar = Calendar()
        calendar.add("prodid", f"-//{PRODUCT_NAME}//{lang}")
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        calendar.add("x-wr-calname", _("Action plan of %(firm)s") % {"firm": assessment.firm_name or PRODUCT_NAME})
        for row in rows:
            if row.action_key not in keys or row.due_on is None:
                continue  # no longer in the plan (the assessment was reopened)
            title = tr(titles[row.action_key], lang) if row.action_key in titles else row.action_key
            lines = [
                _("Status: %(status)s") % {"status": ActionProgress.Status(row.status).label},
            ]
            if row.owner_name:
                lines.append(_("Who does it: %(name)s") % {"name": row.owner_name})
            lines.append(_("Your results and plan: %(link)s") % {"link": page})
            event = Event()
            event.add("uid", f"{assessment.public_id}-{row.action_key}@{host}")
            event.add("dtstamp", row.updated_at)
            event.add("dtstart", row.due_on)
            event.add("dtend", row.due_on + timedelta(days=1))
            event.add("summary", title)
            event.add("description", "\n".join(lines))
            event.add("url", page)
            calendar.add_component(event)
    return calendar.to_ical()
