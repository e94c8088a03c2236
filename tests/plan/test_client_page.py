"""The consultant's client page: open actions across the firm's assessments, overdue ones marked
by the date in Asia/Shanghai."""

from datetime import UTC, date, datetime

import time_machine

from assessment.plan.services import action_progress_set
from assessment.questionnaire.definition import tr
from assessment.selectors import questionnaire_of
from tests.factories import submitted_for, url


def test_it_lists_open_actions_across_assessments_and_marks_the_overdue_ones(version, consultancy):
    a, b = consultancy["a"], consultancy["b"]
    earlier = submitted_for(a["firm"], version, 0.1, days_ago=120)
    later = submitted_for(a["firm"], version, 0.6, days_ago=1)
    first, second, third = earlier.outcome.action_keys()[:3]
    action_progress_set(
        assessment=earlier, action_key=first, status="in_progress", owner_name="Zhang", due_on=date(2026, 3, 1)
    )
    action_progress_set(assessment=earlier, action_key=second, status="done", due_on=date(2026, 2, 1))
    newer = later.outcome.action_keys()[0]
    action_progress_set(assessment=later, action_key=newer, status="planned", due_on=date(2026, 3, 2))
    # 16:30 UTC on 1 March is 00:30 on 2 March in Shanghai: the 1 March action is overdue, the 2 March one not yet.
    with time_machine.travel(datetime(2026, 3, 1, 16, 30, tzinfo=UTC)):
        page = a["client"].get(url("client", a["firm"].pk)).content.decode()
    section = page[page.index('id="open-actions-title"') :]
    section = section[: section.index("</section>")]
    rows = section.split("<tr")[2:]
    assert len(rows) == 2  # the done action is not open
    assert "Zhang" in rows[0] and "2026-03-01" in rows[0] and "Overdue" in rows[0] and "table-danger" in rows[0]
    assert "2026-03-02" in rows[1] and "Overdue" not in rows[1] and "Planned" in rows[1]
    assert "1 of them is overdue." in section
    assert third not in section
    # 15:30 UTC is still 1 March in Shanghai: nothing is overdue yet.
    with time_machine.travel(datetime(2026, 3, 1, 15, 30, tzinfo=UTC)):
        page = a["client"].get(url("client", a["firm"].pk)).content.decode()
    assert "Overdue" not in page[page.index('id="open-actions-title"') :]
    # Another consultancy never sees the firm's page.
    assert b["client"].get(url("client", a["firm"].pk)).status_code == 404


def test_it_shows_in_the_progress_which_earlier_actions_were_done_and_how_their_area_moved(version, consultancy):
    a = consultancy["a"]
    earlier = submitted_for(a["firm"], version, 0.1, days_ago=120)
    later = submitted_for(a["firm"], version, 0.9, days_ago=1)
    key = earlier.outcome.action_keys()[0]
    action_progress_set(assessment=earlier, action_key=key, status="done")
    rec = questionnaire_of(version).recommendation(key)
    title, area = tr(rec.title, "en"), rec.area
    before, after = earlier.outcome.score_of(area), later.outcome.score_of(area)
    for page_url in (url("client", a["firm"].pk), url("results", later.public_id)):
        page = a["client"].get(page_url).content.decode()
        done = page[page.index("Marked done on the earlier assessment") :][:2000]
        assert title in done and f"{before} → {after}" in done
        assert f"up {after - before} points" in done
