"""The .ics download of the plan's due dates, parsed back as a calendar app reads it."""

from datetime import date

from icalendar import Calendar

from assessment.plan.services import action_progress_set
from assessment.questionnaire.definition import tr
from assessment.selectors import questionnaire_of
from tests.factories import owner_client, submitted, url


def test_it_downloads_the_open_due_dates_in_the_viewers_language(version, settings):
    settings.SITE_URL = "https://compass.example.cn"
    assessment, token = submitted(version)
    owner = owner_client(assessment, token)
    results = owner.get(url("results", assessment.public_id)).content.decode()
    assert "plan.ics" not in results  # no due date yet, no calendar to offer
    first, second, third = assessment.outcome.action_keys()[:3]
    action_progress_set(
        assessment=assessment, action_key=first, status="planned", owner_name="王经理", due_on=date(2026, 4, 30)
    )
    action_progress_set(assessment=assessment, action_key=second, status="in_progress", due_on=date(2026, 4, 10))
    action_progress_set(assessment=assessment, action_key=third, status="done", due_on=date(2026, 3, 1))
    assert url("plan_ics", assessment.public_id) in owner.get(url("results", assessment.public_id)).content.decode()
    qn = questionnaire_of(version)
    for lang in ("zh-hans", "en"):
        response = owner.get(url("plan_ics", assessment.public_id, lang=lang))
        assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
        assert ".ics" in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]
        calendar = Calendar.from_ical(response.content)
        events = list(calendar.walk("VEVENT"))
        assert [e.decoded("dtstart") for e in events] == [
            date(2026, 4, 10),
            date(2026, 4, 30),
        ]  # the done one is left out
        assert [str(e["summary"]) for e in events] == [tr(qn.recommendation(k).title, lang) for k in (second, first)]
        assert events[1]["uid"] == f"{assessment.public_id}-{first}@compass.example.cn"
        description = str(events[1]["description"])
        assert (
            "王经理" in description
            and f"https://compass.example.cn/{lang}/a/{assessment.public_id}/results/" in description
        )
        assert ("状态：已计划" if lang == "zh-hans" else "Status: Planned") in description
