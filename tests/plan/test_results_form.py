"""The form under each action of the results page: owner (private link or account) and the
firm's consultant mark it; nobody else, an association included, can."""

import re
from datetime import date

import pytest
from django.test import Client

from assessment.models import ActionProgress, ActionProgressChange
from tests.factories import accept, complete, invite, member, owner_client, submitted, submitted_for, url


def plan_post(client: Client, assessment, lang: str = "en", **values):
    return client.post(url("plan_save", assessment.public_id, lang=lang), values)


def test_it_lets_the_owner_with_the_private_link_mark_an_action_and_finds_it_again(version, shanghai_today):
    assessment, token = submitted(version)
    owner = owner_client(assessment, token)
    key = assessment.outcome.action_keys()[0]
    response = plan_post(
        owner, assessment, "zh-hans", action=key, status="planned", owner_name="王经理", due_on="2026-04-30"
    )
    assert response.status_code == 302
    assert response["Location"] == url("results", assessment.public_id, lang="zh-hans") + f"#action-{key}"
    row = ActionProgress.objects.get(assessment=assessment, action_key=key)
    assert (row.status, row.owner_name, row.due_on, row.updated_by) == ("planned", "王经理", date(2026, 4, 30), None)
    assert ActionProgressChange.objects.get(progress=row).by_link
    page = owner.get(response["Location"]).content.decode()
    assert "已保存" in page
    # Coming back later: the same browser (the link in its session) sees the state in the form.
    again = owner_client(assessment, token).get(url("results", assessment.public_id, lang="zh-hans")).content.decode()
    block = again[again.index(f'id="action-{key}"') :][:6000]
    assert "王经理" in block and 'value="2026-04-30"' in block and "已计划" in block
    assert re.search(r'<option value="planned" selected>', block)
    assert "通过私人链接" in block  # who changed it last


@pytest.mark.parametrize("lang,message", [("en", "year-month-day"), ("zh-hans", "年-月-日")])
def test_it_answers_a_bad_date_with_a_clear_message_and_keeps_what_was_typed(version, lang, message):
    assessment, token = submitted(version)
    owner = owner_client(assessment, token)
    key = assessment.outcome.action_keys()[1]
    response = plan_post(
        owner, assessment, lang, action=key, status="in_progress", owner_name="Li Na", due_on="2026-13-45"
    )
    assert response.status_code == 400
    page = response.content.decode()
    block = page[page.index(f'id="action-{key}"') :][:6000]
    assert message in block and 'value="2026-13-45"' in block and 'value="Li Na"' in block
    assert '<option value="in_progress" selected>' in block
    assert not ActionProgress.objects.exists()


def test_it_lets_the_firms_consultant_mark_actions_and_records_who(version, consultancy):
    a = consultancy["a"]
    assessment = submitted_for(a["firm"], version, 0.3, days_ago=1)
    key = assessment.outcome.action_keys()[0]
    assert plan_post(a["client"], assessment, action=key, status="done").status_code == 302
    row = ActionProgress.objects.get()
    assert row.updated_by == a["user"] and row.status == "done"
    change = ActionProgressChange.objects.get()
    assert change.changed_by == a["user"] and not change.by_link
    page = a["client"].get(url("results", assessment.public_id)).content.decode()
    assert "consultant_a" in page and 'name="due_on"' in page
    assert plan_post(a["client"], assessment, action=key, status="in_progress", due_on="2026-05-01").status_code == 302
    page = a["client"].get(url("results", assessment.public_id)).content.decode()
    history = page[page.index("History (2 changes)") :][:1000]
    assert history.index("In progress · 2026-05-01") < history.index("Done")  # newest first


def test_it_gives_another_consultancy_and_strangers_a_404(version, consultancy):
    a, b = consultancy["a"], consultancy["b"]
    assessment = submitted_for(a["firm"], version, 0.3, days_ago=1)
    key = assessment.outcome.action_keys()[0]
    assert plan_post(b["client"], assessment, action=key, status="done").status_code == 404
    assert plan_post(Client(), assessment, action=key, status="done").status_code == 404
    assert b["client"].get(url("plan_ics", assessment.public_id)).status_code == 404
    assert not ActionProgress.objects.exists()


def test_it_never_gives_the_association_the_form_even_for_shared_results(
    associations, django_capture_on_commit_callbacks
):
    x = associations["x"]
    token = invite(x["campaign"], django_capture_on_commit_callbacks, member(1))["m1@example.com"]
    owner, assessment = accept(token, share=True)
    complete(assessment)
    key = assessment.outcome.action_keys()[0]
    assert plan_post(owner, assessment, action=key, status="planned", due_on="2026-05-01").status_code == 302
    page = x["client"].get(url("results", assessment.public_id))
    assert page.status_code == 200  # shared: the association reads the results
    text = page.content.decode()
    assert 'name="due_on"' not in text and "Planned" not in text and "plan.ics" not in text
    assert plan_post(x["client"], assessment, action=key, status="done").status_code == 404
    assert x["client"].get(url("plan_ics", assessment.public_id)).status_code == 404
    assert ActionProgress.objects.get().status == "planned"
