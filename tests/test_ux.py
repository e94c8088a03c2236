"""What a new user hits (issue 12): links and e-mails, associations, owners and consultants, words."""

import csv
import io
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone, translation

from assessment import selectors
from assessment.bulk import importing
from assessment.bulk.samples import sample_table
from assessment.bulk.services import ImportNeedsChoice, ImportRejected, assessments_import
from assessment.campaigns import selectors as campaigns_selectors
from assessment.campaigns.memberlist import Member
from assessment.campaigns.services import campaign_join, reminders_send
from assessment.mailers import ReadableConsoleBackend
from assessment.models import Assessment, Firm
from assessment.questionnaire.samples import sample_answers
from assessment.selectors import questionnaire_of
from assessment.services import answers_save
from tests.factories import (
    EXPORTER,
    PROFILE,
    csv_bytes,
    import_rows,
    invite,
    member,
    owner_client,
    pdf_url,
    run_worker,
    squash,
    start,
    step_url,
    submitted,
    submitted_for,
    text_of,
    url,
)

PROFILE_EN = {**PROFILE, "firm_name": "宁波海蓝贸易有限公司"}

ROOT = Path(__file__).resolve().parent.parent
THREE = "Firm One, Ms Li, li@example.com\nFirm Two, Mr Wu, wu@example.com\nFirm Three, Ms Ma, ma@example.com\n"


def test_it_counts_the_members_invited_by_pasting(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    for lang, expected in (("zh-hans", "已邀请 3 家会员"), ("en", "3 members invited")):
        x["campaign"].invitations.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            response = x["client"].post(
                url("campaign_invite", x["campaign"].pk, lang=lang), {"members": THREE}, follow=True
            )
        assert expected in response.content.decode()


def test_it_says_so_when_every_pasted_member_was_already_invited(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    fourth = "Firm Four, Mr Xu, xu@example.com\n"
    cases = (
        ("zh-hans", THREE, "没有新邀请：这 3 家会员此前都已邀请。", "已邀请 0"),
        ("zh-hans", THREE + fourth, "已邀请 1 家会员，邀请邮件正在发送。其中 3 家此前已邀请，已跳过。", "。 其中"),
        ("en", THREE, "Nobody new was invited: all 3 members were already invited.", "0 members invited"),
    )
    for lang, members, expected, wrong in cases:
        x["campaign"].invitations.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            x["client"].post(url("campaign_invite", x["campaign"].pk, lang=lang), {"members": THREE})
            page = (
                x["client"]
                .post(url("campaign_invite", x["campaign"].pk, lang=lang), {"members": members}, follow=True)
                .content.decode()
            )
        assert expected in page and wrong not in page, lang


def test_it_fills_the_campaign_dates_in_a_form_a_date_input_accepts(associations):
    x = associations["x"]
    for lang in ("zh-hans", "en"):
        page = x["client"].get(url("association_home", lang=lang)).content.decode()
        for name in ("opens_on", "closes_on"):
            field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
            assert re.search(r'value="\d{4}-\d{2}-\d{2}"', field), (lang, field)


def import_csv(campaign, rows):
    return assessments_import(
        campaign=campaign,
        user=None,
        filename="a.csv",
        data=csv_bytes(rows),
        messages_language="en",
        report_language="en",
    )


def test_it_matches_imported_rows_to_the_members_already_invited(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    campaign = x["campaign"]
    invite(campaign, django_capture_on_commit_callbacks, member(1), member(2))
    rows = sample_table(questionnaire_of(campaign.questionnaire), 3)
    header = rows[0]
    rows[1][header.index("email")] = "M1@example.com"  # by e-mail, whatever the firm is called there
    rows[2][header.index("firm_name")] = " member  2 "  # by firm name
    rows[3][header.index("firm_name")] = "Paper Only Co"
    import_csv(campaign, rows)
    assert Firm.objects.filter(organisation=x["org"]).count() == 3
    members = campaigns_selectors.campaign_members(campaign)
    assert [(m["firm"], m["status"], m["source"]) for m in members] == [
        ("Member 1", "submitted", "invited"),
        ("Member 2", "submitted", "invited"),
        ("Paper Only Co", "submitted", "imported"),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(campaign=campaign) == 0  # nobody left to remind
    page = x["client"].get(url("campaign", campaign.pk)).content.decode()
    assert "Paper Only Co" in page and "joined by link" not in page
    assert page.count("answers imported") == 2 and ">imported<" in page.replace("</td>", "<")


def test_it_labels_members_who_joined_by_the_link_and_matches_them_by_name(associations):
    x = associations["x"]
    campaign = x["campaign"]
    campaign_join(campaign=campaign, firm_name="Link Co", user=None, share=False, language="en")
    rows = sample_table(questionnaire_of(campaign.questionnaire), 1)
    rows[1][rows[0].index("firm_name")] = "LINK CO"
    import_csv(campaign, rows)
    members = campaigns_selectors.campaign_members(campaign)
    assert [(m["firm"], m["status"], m["source"]) for m in members] == [("Link Co", "submitted", "imported")]


def test_it_refuses_to_import_a_member_twice(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    campaign = x["campaign"]
    invite(campaign, django_capture_on_commit_callbacks, member(1))
    rows = sample_table(questionnaire_of(campaign.questionnaire), 2)
    rows[1][rows[0].index("email")] = "m1@example.com"
    rows[2][rows[0].index("firm_name")] = "Member 1"
    with pytest.raises(ImportRejected) as rejected:
        import_csv(campaign, rows)
    assert [(e.row, e.column, e.message) for e in rejected.value.errors] == [
        (2, "email", "the same firm as row 3"),
        (3, "firm_name", "the same firm as row 2"),
    ]
    import_csv(campaign, rows[:2])
    rows[1][0] = "no"  # another file: the member who has answered is a choice, not an error
    with pytest.raises(ImportNeedsChoice) as asked:
        import_csv(campaign, rows[:2])
    assert [(c.row, c.firm, c.imported_from) for c in asked.value.conflicts] == [(2, "Member 1", "a.csv")]
    assert Assessment.objects.filter(campaign=campaign).count() == 1


# --- §2 Links and e-mails ----------------------------------------------------------------


def site_url_with(env: dict[str, str]) -> str:
    """SITE_URL as config/settings.py computes it in a fresh process with this environment."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "HOST", "PORT", "DEBUG")}
    code = "from django.conf import settings; print(settings.SITE_URL)"
    env = {**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=ROOT)
    return run.stdout.strip()


def test_it_hands_out_links_to_the_port_make_run_serves():
    assert site_url_with({"PORT": "8101"}) == "http://127.0.0.1:8101"
    assert site_url_with({"HOST": "localhost", "PORT": "9000"}) == "http://localhost:9000"
    assert site_url_with({"PORT": "8101", "SITE_URL": "https://sme.example.org/"}) == "https://sme.example.org"
    plan = subprocess.run(
        [shutil.which("make") or "make", "-n", "run", "demo", "PORT=8101"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "runserver --nostatic 127.0.0.1:8101" in plan
    assert "export HOST=127.0.0.1 PORT=8101" in plan and "PORT=8101 .venv/bin/python manage.py demo" in plan


def test_it_prints_demo_links_to_the_port_make_run_serves(db, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8101"  # what `make run PORT=8101` gives the settings
    out = io.StringIO()
    call_command("load_questionnaire", stdout=io.StringIO())
    call_command("demo", stdout=out)
    links = re.findall(r"https?://\S+", out.getvalue())
    assert len(links) > 10 and all(link.startswith("http://127.0.0.1:8101/") for link in links), links
    path = re.search(r"The invited member's link .*: http://127\.0\.0\.1:8101(\S+)", out.getvalue()).group(1)
    assert Client().get(path).status_code == 200


def test_it_prints_development_e_mails_as_readable_text(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    chen = Member(firm_name="顺德美厨", contact_name="陈总", email="chen@example.com", language="zh-hans")
    invite(x["campaign"], django_capture_on_commit_callbacks, chen)
    out = io.StringIO()
    ReadableConsoleBackend(stream=out).send_messages(mail.outbox)
    printed = out.getvalue()
    assert "顺德美厨" in printed and "邀请" in printed
    assert re.search(r"http://\S+/zh-hans/invite/[\w-]+/", printed)
    assert "base64" not in printed


def test_it_prints_a_report_email_with_its_attachment_as_one_line(version, django_capture_on_commit_callbacks):
    assessment, token = submitted(version)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client(assessment, token).post(
            url("report_email", assessment.public_id, lang="zh-hans"), {"address": "wang@example.com"}
        )
    assert response.status_code == 302
    run_worker()
    out = io.StringIO()
    ReadableConsoleBackend(stream=out).send_messages(mail.outbox)
    printed = out.getvalue()
    assert "行动报告" in printed and "摘要已作为 PDF 附件随信发送" in printed
    assert re.search(r"\[attachment \S+-summary-zh\.pdf, application/pdf, [\d,]+ bytes: not printed\]", printed)
    assert "base64" not in printed and "%PDF" not in printed and len(printed) < 20_000


def test_it_says_the_lockout_lasts_as_long_as_the_settings_say(client, db, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=20)
    for lang, expected in (("en", "paused for 20 minutes"), ("zh-hans", "登录已暂停 20 分钟")):
        for i in range(6):
            response = client.post(
                url("login", lang=lang), {"username": f"u{i}", "password": "x"}, REMOTE_ADDR="10.9.0.1"
            )
        assert response.status_code == 429
        assert expected in response.content.decode()


def test_it_exports_labels_in_the_chosen_language_and_codes_for_machines(chamber):
    import_rows(chamber, 3)
    qn = chamber["qn"]
    export = url("campaign_export", chamber["campaign"].pk, "csv", lang="zh-hans")
    text = b"".join(chamber["client"].get(export).streaming_content).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text)))
    band_labels = {b.label["zh-hans"] for b in qn.bands}
    industry_texts = {o.text["zh-hans"] for o in qn.questions["industry"].options}
    assert {row[header.index("overall_band")] for row in rows} <= band_labels
    assert {row[header.index("industry")] for row in rows} <= industry_texts
    codes = b"".join(chamber["client"].get(export + "?codes=1").streaming_content).decode("utf-8-sig")
    _header, *code_rows = list(csv.reader(io.StringIO(codes)))
    assert {row[header.index("overall_band")] for row in code_rows} <= {b.key for b in qn.bands}
    book = url("campaign_export", chamber["campaign"].pk, "xlsx", lang="en")
    sheets = openpyxl.load_workbook(io.BytesIO(b"".join(chamber["client"].get(book).streaming_content))).worksheets
    labelled, coded = (list(sheet.iter_rows(values_only=True)) for sheet in sheets)
    column = labelled[0].index("overall_band")
    assert {r[column] for r in labelled[1:]} <= {b.label["en"] for b in qn.bands}
    assert {r[column] for r in coded[1:]} <= {b.key for b in qn.bands}


# --- §4 Owners and consultants --------------------------------------------------------------


def owner_with_profile(client):
    assessment = start(client)
    response = client.post(step_url(assessment, "profile"), {**EXPORTER, "action": "next"})
    assert response.status_code == 302
    return assessment


def test_it_opens_your_assessment_where_you_left_off(client, version, django_user_model):
    user = django_user_model.objects.create_user("owner", password="a-long-password-1")
    client.force_login(user)
    assessment = owner_with_profile(client)
    qn = questionnaire_of(version)
    second = qn.sections[1].key
    page = client.get(url("my_assessments")).content.decode()
    link = re.search(r'<a href="([^"]+)">宁波海蓝贸易有限公司</a>', page).group(1)
    assert client.get(link)["Location"] == url("step", assessment.public_id, second)


def test_it_lets_an_owner_jump_to_any_section_already_reached(client, version):
    assessment = owner_with_profile(client)
    qn = questionnaire_of(version)
    keys = [s.key for s in qn.sections]
    page = client.get(step_url(assessment, keys[1])).content.decode()
    assert f'value="goto:{keys[0]}"' in page  # back to the profile, saving this page first
    assert f'value="goto:{keys[2]}"' not in page and 'value="goto:review"' not in page  # not reached yet
    response = client.post(step_url(assessment, keys[1]), {"action": f"goto:{keys[0]}"})
    assert response["Location"] == step_url(assessment, keys[0])


def test_it_returns_to_the_review_after_changing_one_answer(client, version):
    assessment = owner_with_profile(client)
    qn = questionnaire_of(version)
    answers_save(assessment=assessment, values=sample_answers(qn, PROFILE_EN, 0.5, seed=1))
    review = client.get(url("review", assessment.public_id)).content.decode()
    change = re.search(r'href="([^"]*/step/profile/\?from=review)#div_id_firm_name"', review).group(1)
    page = client.get(change).content.decode()
    assert '<input type="hidden" name="return_to" value="review">' in page
    data = {**EXPORTER, "firm_name": "改名公司", "return_to": "review"}
    for action in ("next", "save"):
        response = client.post(step_url(assessment, "profile"), {**data, "action": action})
        assert response["Location"] == url("review", assessment.public_id)


def test_it_does_not_welcome_back_an_owner_on_the_first_visit(consultancy, version):
    a = consultancy["a"]
    page = a["client"].post(url("client_start", a["firm"].pk), {"mode": "link"}, follow=True).content.decode()
    link = re.search(r"http://127\.0\.0\.1:8000(/en/resume/[\w-]+/)", page).group(1)
    owner = Client()
    first = owner.get(link, follow=True).content.decode()
    assert "Welcome." in first and "Welcome back" not in first
    assessment = Assessment.objects.get(firm=a["firm"])
    answers_save(assessment=assessment, values={"industry": "retail"})
    again = Client().get(link, follow=True).content.decode()
    assert "Welcome back" in again


def test_it_tells_same_day_assessments_apart_in_the_progress_table(consultancy, version):
    a = consultancy["a"]
    first, second = submitted_for(a["firm"], version, 0.2, 0), submitted_for(a["firm"], version, 0.8, 0)
    noon = timezone.make_aware(datetime(2026, 3, 2, 9, 30), timezone.get_current_timezone())
    Assessment.objects.filter(pk=first.pk).update(submitted_at=noon)
    Assessment.objects.filter(pk=second.pk).update(submitted_at=noon + timedelta(hours=5, minutes=15))
    page = a["client"].get(url("client", a["firm"].pk)).content.decode()
    headings = re.search(r'<table class="table table-sm progress-table">\s*<thead>(.*?)</thead>', page, re.S).group(1)
    assert '<th scope="col">2026-03-02 09:30</th><th scope="col">2026-03-02 14:45</th>' in headings


def test_it_keeps_the_owner_link_on_the_client_page_to_copy(consultancy, version):
    a = consultancy["a"]
    a["client"].post(url("client_start", a["firm"].pk), {"mode": "link"})
    for _visit in range(2):  # not only once, in a message
        page = a["client"].get(url("client", a["firm"].pk)).content.decode()
        field = re.search(
            r'<input type="text" class="form-control" readonly value="([^"]+)" id="(owner-link-\d+)"', page
        )
        assert re.fullmatch(r"http://127\.0\.0\.1:8000/en/resume/[\w-]+/", field.group(1))
        assert f'data-copy="#{field.group(2)}"' in page
    assert Client().get(field.group(1)).status_code == 302  # the link works
    other = consultancy["b"]["client"].get(url("client", consultancy["b"]["firm"].pk)).content.decode()
    assert field.group(1) not in other


def test_it_saves_what_was_typed_when_the_language_is_switched_on_a_step_page(client, version, settings):
    assessment = start(client, lang="zh-hans")
    page = client.get(step_url(assessment, "profile", lang="zh-hans")).content.decode()
    # Without JavaScript too: the language buttons submit the step form, so what was typed goes along.
    assert re.search(r'<form method="post"[^>]* id="wizard"', page)
    assert re.search(r'<button type="submit" form="wizard" name="language" value="en"', page)
    response = client.post(
        step_url(assessment, "profile", lang="zh-hans"), {"firm_name": "刚输入的公司", "language": "en"}
    )
    assert response.status_code == 302
    assert response["Location"] == step_url(assessment, "profile", lang="en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert selectors.answers_of(assessment)["firm_name"] == "刚输入的公司"
    shown = client.get(response["Location"]).content.decode()
    assert 'value="刚输入的公司"' in shown and '<html lang="en">' in shown
    # A value that needs correcting is kept on the page, the valid ones are saved, and the
    # owner is told why the page stayed in its language.
    response = client.post(
        step_url(assessment, "profile", lang="en"),
        {"firm_name": "又改了名", "employees": "很多", "language": "zh-hans"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'value="很多"' in body and "before the page can switch language" in body
    assert selectors.answers_of(assessment)["firm_name"] == "又改了名"
    # An unknown language is an ordinary save, never a 500.
    response = client.post(step_url(assessment, "profile", lang="en"), {"firm_name": "X", "language": "xx"})
    assert response.status_code in (200, 302) and selectors.answers_of(assessment)["firm_name"] == "X"


@pytest.mark.parametrize("minutes", [None, 35])
def test_it_says_how_long_it_takes_with_one_number_everywhere(
    associations,
    django_capture_on_commit_callbacks,
    monkeypatch,
    minutes,
):
    from assessment import product

    if minutes:
        monkeypatch.setattr(product, "ESTIMATED_MINUTES", minutes)
    expected = product.ESTIMATED_MINUTES
    campaign = associations["x"]["campaign"]
    said = {}
    for lang, pattern in (("en", r"[Aa]bout (\d+) minutes"), ("zh-hans", r"约(?:需要?)? ?(\d+) ?分钟")):
        tokens = invite(campaign, django_capture_on_commit_callbacks, member(1 if lang == "en" else 2, lang))
        (sent,) = mail.outbox
        pages = {
            "home": Client().get(url("home", lang=lang)).content.decode(),
            "join": Client().get(url("campaign_join", campaign.link_token, lang=lang)).content.decode(),
            "invitation": Client().get(url("invitation", *tokens.values(), lang=lang)).content.decode(),
            "e-mail": sent.body,
            "e-mail html": sent.alternatives[0][0],
        }
        for where, text in pages.items():
            said[lang, where] = re.findall(pattern, text)
    assert {where: found for where, found in said.items() if found != [str(expected)]} == {}


# --- §5 Words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "name"), [("zh-hans", "中小企业罗盘"), ("en", "SME Compass")])
def test_it_calls_the_product_by_one_name_on_the_pages_and_in_the_pdf(version, lang, name):
    assessment, token = submitted(version)
    owner = owner_client(assessment, token)
    page = owner.get(url("results", assessment.public_id, lang=lang)).content.decode()
    assert f"{name}</title>" in page and f">{name}</a>" in page
    pdf = b"".join(owner.get(pdf_url(assessment, lang, "full")).streaming_content)
    text = squash(text_of(pdf))
    assert squash(name) in text
    assert "韧性与发展自评" not in text and "resilienceandgrowthself-assessment" not in text


def test_it_writes_full_width_colons_and_semicolons_in_chinese(version):
    from django.template.loader import render_to_string

    qn = questionnaire_of(version)
    with translation.override("zh-hans"):
        note = render_to_string("assessment/_note.html", {"note": "下周 check"})
        allowed = importing.allowed_text(qn.questions["industry"], "zh-hans")
    assert "：</strong>" in note and ":</strong>" not in note
    assert "；" in allowed and "; " not in allowed
    with translation.override("en"):
        assert ":</strong>" in render_to_string("assessment/_note.html", {"note": "check"})


# "原因:", "员工; 主要客户", "对策. 论文", "(依据：" next to Chinese text
ASCII_AFTER_CJK = re.compile(r"[\u3400-\u9fff）》」”][ ]?[:;.)]|\((?=[\u3400-\u9fff])")


def visible_text(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S))


def test_it_writes_full_width_colons_and_semicolons_in_chinese_pages_and_pdfs(version, django_user_model, tmp_path):
    from assessment.reports import pdf
    from assessment.reports.builder import build_report
    from assessment.services import note_save

    assessment, token = submitted(version, {**PROFILE, "firm_name": "佛山 顺德（美厨）2号 Ltd."}, quality=0.0)
    qn = questionnaire_of(version)
    consultant = django_user_model.objects.create_user("consultant", "c@example.com", "pw-unused-here")
    targets = [f"area:{a.key}" for a in qn.areas] + [f"rec:{a['key']}" for a in assessment.result["actions"]]
    for target in targets:
        note_save(assessment=assessment, target=target, text="下周复查", author=consultant)
    notes = selectors.notes_of(assessment)
    insurance = [o.key for o in qn.questions["res_insurance"].options if o.key != "none"][:2]
    answers = {**selectors.answers_of(assessment), "res_insurance": insurance}  # two choices in one answer
    report = build_report(assessment, qn, answers, "zh-hans", notes=notes)
    # The report has what the issue saw: prerequisites, cross-area flags, several choices in one answer.
    actions = [a for _h, _label, group in report.plan for a in group] + report.later
    assert any(len(a.after) > 1 for a in actions) and any(a.related_areas for a in actions)
    assert any("；" in answer for _section, rows in report.answers for _q, answer, _c in rows)
    results = owner_client(assessment, token).get(url("results", assessment.public_id, lang="zh-hans"))
    html = visible_text(results.content.decode())
    assert "顾问备注：" in html.replace(" ", "") and not ASCII_AFTER_CJK.findall(html)
    assert "企业主摘要（PDF，" in html  # the summary is named as its PDF and the bulk form name it
    # The citations under each question of a step page, too.
    owner = Client()
    draft = start(owner, lang="zh-hans")
    step = visible_text(owner.get(url("step", draft.public_id, "profile", lang="zh-hans")).content.decode())
    assert "依据：" in step and not re.search(r"§[\w.()]+, \d{3} §", step)
    for variant in pdf.VARIANTS:
        path = tmp_path / f"{variant}.pdf"
        path.write_bytes(pdf.render_pdf(report, variant))
        text = subprocess.run(
            [shutil.which("pdftotext") or "pdftotext", "-layout", path, "-"], capture_output=True, text=True, check=True
        ).stdout
        assert not ASCII_AFTER_CJK.findall(text), variant
    with translation.override("en"):
        en = build_report(assessment, qn, answers, "en", notes=notes)
    text = visible_text(pdf.report_html(en, "full"))
    assert "Consultant's note:" in text and "；" not in text and "、" not in text


def test_it_writes_amounts_in_units_of_10_000_cny_one_way_on_pages_and_in_pdfs(client, version):
    from assessment.reports import pdf
    from assessment.reports.builder import build_report

    assessment = start(client)
    client.post(step_url(assessment, "profile"), {**EXPORTER, "revenue": "4800", "employees": "1200", "action": "save"})
    qn = questionnaire_of(version)
    profile = {**PROFILE, **selectors.answers_of(assessment)}
    answers_save(assessment=assessment, values=sample_answers(qn, profile, 0.5, seed=3))
    for lang, expected, staff in (("en", "4,800 × CNY 10,000", "1,200 people"), ("zh-hans", "4800 万元", "1200 人")):
        review = visible_text(client.get(url("review", assessment.public_id, lang=lang)).content.decode())
        assert expected in review and staff in review, lang
        with translation.override(lang):
            report = build_report(assessment, qn, selectors.answers_of(assessment), lang)
        assert squash(expected) in squash(text_of(pdf.render_pdf(report, "full"))), lang


def test_it_e_mails_the_owner_link_to_the_client_in_the_chosen_language(
    consultancy,
    version,
    django_capture_on_commit_callbacks,
):
    a = consultancy["a"]
    Firm.objects.filter(pk=a["firm"].pk).update(contact_name="陈总", contact_email="chen@example.com")
    a["client"].post(url("client_start", a["firm"].pk), {"mode": "link"})
    assessment = Assessment.objects.get(firm=a["firm"])
    page = a["client"].get(url("client", a["firm"].pk)).content.decode()
    assert "E-mail a new link to chen@example.com" in page
    shown = re.search(r'readonly value="([^"]+)" id="owner-link-', page).group(1)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = a["client"].post(
            url("client_email_link", a["firm"].pk, assessment.public_id), {"language": "zh-hans"}, follow=True
        )
    assert mail.outbox == []  # sent by the worker, not in the request
    assert "A new private link is on its way to chen@example.com" in response.content.decode()
    run_worker()
    (sent,) = mail.outbox
    assert sent.to == ["chen@example.com"] and "陈总" in sent.body and "私人链接" in sent.subject
    link = re.search(r"http://127\.0\.0\.1:8000(/zh-hans/resume/[\w-]+/)", sent.body).group(1)
    assert Client().get(link).status_code == 302
    assert Client().get(shown).status_code == 404  # the link shown before stopped working
    b = consultancy["b"]
    other = b["client"].post(url("client_email_link", a["firm"].pk, assessment.public_id), {"language": "en"})
    assert other.status_code == 404
