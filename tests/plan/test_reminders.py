"""Reminder e-mails a week before a due date: queued by the daily command, sent by the worker,
once per due date, in the assessment's language, only to an address the app has for it."""

import io
from datetime import UTC, date, datetime

import time_machine
from django.core import mail
from django.core.management import call_command

from assessment.models import ActionProgress, Firm
from assessment.plan.services import action_progress_set
from assessment.questionnaire.definition import tr
from assessment.questionnaire.samples import sample_answers
from assessment.selectors import questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit
from tests.factories import FOOD_MAKER, run_worker, submitted, submitted_for

# 00:30 on 2 March in Shanghai (still 1 March in UTC): "a week before" counts Shanghai days.
NOW = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)


def owned(version, user, lang: str):
    assessment, _token = assessment_create(version=version, owner=user, language=lang)
    answers_save(assessment=assessment, values=sample_answers(questionnaire_of(version), FOOD_MAKER, 0.3, seed=7))
    assessment_submit(assessment=assessment)
    return assessment


def remind(captured) -> str:
    with captured(execute=True):
        call_command("send_action_reminders", stdout=(out := io.StringIO()))
    run_worker()
    return out.getvalue()


def test_it_reminds_the_owner_in_chinese_once_a_week_before_the_due_date(
    version, django_user_model, django_capture_on_commit_callbacks
):
    owner = django_user_model.objects.create_user("owner", email="owner@example.cn")
    assessment = owned(version, owner, "zh-hans")
    soon, later, done = assessment.outcome.action_keys()[:3]
    action_progress_set(
        assessment=assessment, action_key=soon, status="planned", owner_name="王经理", due_on=date(2026, 3, 9)
    )
    action_progress_set(assessment=assessment, action_key=later, status="planned", due_on=date(2026, 3, 10))
    action_progress_set(assessment=assessment, action_key=done, status="done", due_on=date(2026, 3, 5))
    qn = questionnaire_of(version)
    with time_machine.travel(NOW, tick=False):
        mail.outbox.clear()
        assert "1 reminder" in remind(django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["owner@example.cn"]
        assert "即将到期" in message.subject
        assert "2026-03-09" in message.body and tr(qn.recommendation(soon).title, "zh-hans") in message.body
        assert "负责人：王经理" in message.body and f"/zh-hans/a/{assessment.public_id}/results/" in message.body
        assert tr(qn.recommendation(later).title, "zh-hans") not in message.body  # 8 days away
        assert tr(qn.recommendation(done).title, "zh-hans") not in message.body  # done
        html = message.alternatives[0][0]
        assert "王经理" in html
        # The next run (cron twice, or the next day) sends nothing more for the same due date.
        remind(django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 1
    assert ActionProgress.objects.get(action_key=soon).reminded_for == date(2026, 3, 9)
    # Moved to a new date: it gets its own reminder when that comes within a week.
    action_progress_set(assessment=assessment, action_key=soon, status="in_progress", due_on=date(2026, 3, 20))
    with time_machine.travel(datetime(2026, 3, 13, 1, 0, tzinfo=UTC), tick=False):
        remind(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2 and "2026-03-20" in mail.outbox[1].body


def test_it_reminds_a_consultants_client_in_english_at_the_firms_address(
    version, consultancy, django_capture_on_commit_callbacks
):
    a = consultancy["a"]
    Firm.objects.filter(pk=a["firm"].pk).update(contact_email="boss@client.example", contact_name="Ms Li")
    assessment = submitted_for(Firm.objects.get(pk=a["firm"].pk), version, 0.3, days_ago=1)
    key = assessment.outcome.action_keys()[0]
    action_progress_set(
        assessment=assessment, action_key=key, status="planned", due_on=date(2026, 3, 3), user=a["user"]
    )
    mail.outbox.clear()
    with time_machine.travel(NOW, tick=False):
        remind(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["boss@client.example"]
    assert message.subject == "Client of A: an action of your plan is due soon"
    assert message.body.startswith("Hello Ms Li,") and "are due within a week" in message.body
    assert tr(questionnaire_of(version).recommendation(key).title, "en") in message.body


def test_it_sends_nothing_without_an_address_the_app_has(version, django_capture_on_commit_callbacks):
    assessment, _token = submitted(version)  # through the private link only: no address known
    key = assessment.outcome.action_keys()[0]
    action_progress_set(assessment=assessment, action_key=key, status="planned", due_on=date(2026, 3, 4))
    mail.outbox.clear()
    with time_machine.travel(NOW, tick=False):
        remind(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert ActionProgress.objects.get().reminded_for is None
