"""The report by e-mail: asked for on the results page, sent by the worker, limited per day."""

import io
import re
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from smtplib import SMTPException
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client
from pypdf import PdfReader

from assessment.models import Firm, ReportEmail
from assessment.reports import services as reports_services
from tests.factories import FOOD_MAKER, owner_client, run_worker, submitted, submitted_for, url

# A name as owners type it: place name, middle dot, full-width brackets, Latin and a space.
CHINESE_FIRM = "成都蜀韵·川菜（2026）有限公司 A&B"


def ask(client: Client, assessment, lang: str = "en", **data):
    return client.post(url("report_email", assessment.public_id, lang=lang), data)


def sent_page(client: Client, assessment, lang: str = "en") -> str:
    return client.get(url("results", assessment.public_id, lang=lang)).content.decode()


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def subject_of(message) -> str:
    return str(make_header(decode_header(message.message()["Subject"])))


@pytest.fixture
def owner(version, django_capture_on_commit_callbacks):
    """A Chinese owner without an account, on the results page with the private link."""
    assessment, token = submitted(version, profile={**FOOD_MAKER, "firm_name": CHINESE_FIRM})
    return {"assessment": assessment, "token": token, "client": owner_client(assessment, token)}


def test_it_emails_the_owner_the_summary_and_the_links_in_chinese_and_says_when(
    owner, django_capture_on_commit_callbacks
):
    assessment, client = owner["assessment"], owner["client"]
    # 23:30 UTC is 07:30 the next morning in Shanghai: the page gives Shanghai's date and time.
    with time_machine.travel(datetime(2026, 12, 1, 23, 30, tzinfo=UTC), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(client, assessment, "zh-hans", address=" Wang.Li@Example.com ", include_link="on")
        assert response.status_code == 302
        assert response["Location"] == url("results", assessment.public_id, lang="zh-hans") + "#email"
        waiting = sent_page(client, assessment, "zh-hans")
        assert "报告正在发送至 wang.li@example.com" in waiting and "2026-12-02 07:30" in waiting
        assert mail.outbox == []  # the worker sends it, not the request
        run_worker()
    [message] = mail.outbox
    assert message.to == ["wang.li@example.com"]
    assert subject_of(message) == f"{CHINESE_FIRM}的行动报告"
    body = message.body
    assert "您好" in body and CHINESE_FIRM in body and "先做什么" in body
    assert f"/zh-hans/a/{assessment.public_id}/report.pdf?lang=zh-hans&variant=full" in body
    assert f"/zh-hans/a/{assessment.public_id}/results/" in body
    # The private link this browser holds, and it opens the results on another device.
    link = re.search(r"https?://\S+/resume/(\S+)/", body)
    assert link and link.group(1) == owner["token"]
    assert Client().get(url("resume", owner["token"], lang="zh-hans")).status_code == 302
    [(filename, data, mimetype)] = message.attachments
    assert mimetype == "application/pdf" and filename.endswith("-summary-zh.pdf")
    assert CHINESE_FIRM.split(" ")[0][:6] in pdf_text(data).replace("\n", "")
    html = message.alternatives[0][0]
    assert CHINESE_FIRM.replace("&", "&amp;") in html and "<ol>" in html
    row = ReportEmail.objects.get()
    assert (row.status, row.private_token, row.language) == ("sent", "", "zh-hans")
    page = sent_page(client, assessment, "zh-hans")
    assert "已于 2026-12-02 07:30 发送至 wang.li@example.com" in page


def test_it_leaves_the_private_link_out_unless_asked_and_sends_in_english(owner, django_capture_on_commit_callbacks):
    assessment, client = owner["assessment"], owner["client"]
    with django_capture_on_commit_callbacks(execute=True):
        assert ask(client, assessment, "en", address="li@example.com").status_code == 302
    run_worker()
    [message] = mail.outbox
    assert subject_of(message) == f"Action report for {CHINESE_FIRM}"
    assert "/resume/" not in message.body and "Open the links with your account or your private link." in message.body
    assert message.attachments[0][0].endswith("-summary-en.pdf")
    assert "What to do first:" in message.body and "1. " in message.body


@pytest.mark.parametrize(
    "lang,message", [("en", "Enter a valid email address."), ("zh-hans", "请输入有效的电子邮件地址。")]
)
def test_it_answers_a_bad_address_with_a_message_and_keeps_what_was_typed(owner, lang, message):
    response = ask(owner["client"], owner["assessment"], lang, address="wang@@example", include_link="on")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'value="wang@@example"' in page
    assert not ReportEmail.objects.exists()


def test_it_limits_the_emails_per_assessment_and_per_address_for_a_day(
    owner, version, django_capture_on_commit_callbacks
):
    assessment, client = owner["assessment"], owner["client"]
    start = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False):
        for n in range(reports_services.EMAILS_PER_ASSESSMENT):
            assert ask(client, assessment, address=f"m{n}@example.com").status_code == 302
        over = ask(client, assessment, address="m9@example.com")
        assert over.status_code == 429
        assert "e-mailed 5 times in the last 24 hours" in over.content.decode()
        assert 'value="m9@example.com"' in over.content.decode()  # kept for tomorrow
        # The same address from other owners' reports: three a day.
        for _ in range(reports_services.EMAILS_PER_ADDRESS):
            other, token = submitted(version)
            assert ask(owner_client(other, token), other, address="boss@example.com").status_code == 302
        other, token = submitted(version)
        refused = ask(owner_client(other, token), other, "zh-hans", address="BOSS@example.com")
        assert refused.status_code == 429 and "该地址今天已收到足够多的报告" in refused.content.decode()
    assert ReportEmail.objects.count() == 5 + 3
    with time_machine.travel(start + timedelta(hours=24, minutes=1), tick=False):
        assert ask(client, assessment, address="m9@example.com").status_code == 302  # a day later


def test_it_sends_the_consultants_report_to_the_clients_stored_contact_only(
    version, consultancy, django_capture_on_commit_callbacks
):
    a = consultancy["a"]
    assessment = submitted_for(a["firm"], version, 0.3, days_ago=1)
    page = sent_page(a["client"], assessment)
    assert "The client has no e-mail address yet" in page and 'name="address"' not in page
    assert ask(a["client"], assessment).status_code == 400
    Firm.objects.filter(pk=a["firm"].pk).update(contact_name="Zhang Wei", contact_email="zhang@client.example")
    assert "To the client's address: zhang@client.example" in sent_page(a["client"], assessment)
    with django_capture_on_commit_callbacks(execute=True):
        # An address in the post is ignored: a consultant sends to the client, not to anyone.
        assert ask(a["client"], assessment, address="someone@else.example").status_code == 302
    run_worker()
    [message] = mail.outbox
    assert message.to == ["zhang@client.example"]
    assert "Hello Zhang Wei," in message.body and "Service Centre A sends you the action report" in message.body
    assert "/resume/" not in message.body
    row = ReportEmail.objects.get()
    assert row.by_consultant and row.requested_by == a["user"]


def test_it_gives_another_consultancy_and_strangers_a_404(version, consultancy):
    assessment = submitted_for(consultancy["a"]["firm"], version, 0.3, days_ago=1)
    assert ask(consultancy["b"]["client"], assessment, address="x@example.com").status_code == 404
    assert ask(Client(), assessment, address="x@example.com").status_code == 404
    assert 'id="email"' not in sent_page(consultancy["b"]["client"], assessment)
    assert not ReportEmail.objects.exists()


def test_it_says_when_an_email_could_not_be_sent_and_forgets_the_link(owner, django_capture_on_commit_callbacks):
    assessment, client = owner["assessment"], owner["client"]
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, assessment, address="li@example.com", include_link="on")
    assert ReportEmail.objects.get().private_token == owner["token"]  # only until the worker has run
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=SMTPException("connection refused")):
        run_worker()
    row = ReportEmail.objects.get()
    assert (row.status, row.private_token, row.sent_at) == ("failed", "", None)
    assert "Could not be sent to li@example.com" in sent_page(client, assessment)
