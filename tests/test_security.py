"""Security as an attacker meets it: stored XSS in every role's pages, production settings,
foreign Host headers, CSRF, oversized and overlong posts."""

import csv
import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment.bulk.samples import sample_table
from assessment.models import Answer, Assessment, Campaign, Firm
from assessment.selectors import questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit, note_save
from tests.factories import PROFILE, accept, complete, invite, open_campaign, url

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = ['"><img src=x onerror=window.__x=1>', "</textarea><script>window.__x=1</script>"]


def raw_in(payload: str, html: str) -> bool:
    """The payload as markup, not as escaped text."""
    return "<img src=x onerror" in html or "<script>window.__x" in html


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_shows_stored_payloads_as_text_on_every_page_of_every_role(
    payload, version, django_user_model, django_capture_on_commit_callbacks
):
    qn = questionnaire_of(version)
    # A consultancy with a client whose name, answers, note and reason carry the payload.
    consultant = django_user_model.objects.create_user("c", password="a-long-password-1")
    from assessment.workspace.services import firm_create, organisation_create

    centre = organisation_create(user=consultant, name=f"Centre {payload}", kind="consultancy")
    firm = firm_create(organisation=centre, name=f"Client {payload}", contact_name=payload)
    assessment, _ = assessment_create(version=version, owner=None, language="en", firm=firm)
    answers = {
        **_answers(qn, payload),
        "firm_name": f"Client {payload}",
    }
    answers_save(assessment=assessment, values=answers)
    assessment_submit(assessment=assessment)
    note_save(assessment=assessment, target="area:financing", text=payload, author=consultant)
    # An association whose campaign and member list carry it too.
    chamber = django_user_model.objects.create_user("a", password="a-long-password-1")
    _org, campaign = open_campaign(chamber, f"Chamber {payload}", f"Round {payload}", version)
    tokens = invite(campaign, django_capture_on_commit_callbacks, _member(payload))
    owner, member_assessment = accept(next(iter(tokens.values())), share=True)
    complete(member_assessment)

    pages = {}
    c_client, a_client = Client(), Client()
    c_client.force_login(consultant)
    a_client.force_login(chamber)
    pages["results (consultant)"] = c_client.get(url("results", assessment.public_id))
    pages["workspace"] = c_client.get(url("workspace"))
    pages["client"] = c_client.get(url("client", firm.pk))
    pages["campaigns"] = a_client.get(url("association_home"))
    pages["campaign"] = a_client.get(url("campaign", campaign.pk))
    pages["dashboard"] = a_client.get(url("campaign_dashboard", campaign.pk))
    pages["shared results (association)"] = a_client.get(url("results", member_assessment.public_id))
    pages["results (member)"] = owner.get(url("results", member_assessment.public_id))
    rows = sample_table(qn, 2)
    rows[1][rows[0].index("employees")] = payload
    data = io.StringIO()
    csv.writer(data).writerows(rows)
    pages["import errors"] = a_client.post(
        url("campaign_import", campaign.pk), {"upload": SimpleUploadedFile("x.csv", data.getvalue().encode())}
    )
    # An API token named with it, on the tokens page (just made, and listed).
    pages["api tokens"] = a_client.post(
        url("api_tokens"), {"name": payload[:100], "scope": "read", "organisation": campaign.organisation_id}
    )
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code in (200, 400), name
        assert not raw_in(payload, html), name
    assert (
        "&lt;img src=x onerror" in pages["client"].content.decode()
        or "&lt;/textarea&gt;" in pages["client"].content.decode()
    )


def _answers(qn, payload):
    from assessment.questionnaire.samples import sample_answers

    answers = sample_answers(qn, PROFILE, 0.5, seed=2)
    text_questions = [q.key for q in qn.questions.values() if q.type == "text" and q.key != "firm_name"]
    return {**answers, **{key: payload[: qn.questions[key].max_length] for key in text_questions}}


def _member(payload):
    from assessment.campaigns.memberlist import Member

    return Member(firm_name=f"Member {payload}"[:200], contact_name=payload[:100], email="m@example.com", language="en")


def test_it_passes_the_deploy_check_in_production_settings():
    env = {
        "PATH": os.environ["PATH"],
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "sme.example.org",
        "SITE_URL": "https://sme.example.org",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_it_refuses_a_foreign_host_header_with_a_page_not_an_error(client, db):
    response = client.get("/en/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "This request could not be accepted" in response.content.decode()


def test_it_refuses_a_post_with_too_many_fields_clearly_and_keeps_the_answers(version):
    assessment, token = assessment_create(version=version, owner=None, language="en")
    owner = Client()
    owner.get(url("resume", token))
    owner.post(url("step", assessment.public_id, "profile"), {"firm_name": "Kept Ltd", "action": "save"})
    flood = {f"field{n}": "x" for n in range(1000)}
    response = owner.post(url("step", assessment.public_id, "profile"), {**flood, "firm_name": "Lost"})
    assert response.status_code == 400
    assert "sent too much data at once" in response.content.decode()
    assert Answer.objects.get(assessment=assessment, question_key="firm_name").value == "Kept Ltd"


def test_it_refuses_an_autosave_without_the_csrf_token_and_keeps_the_answer(version):
    assessment, token = assessment_create(version=version, owner=None, language="en")
    owner = Client(enforce_csrf_checks=True)
    page = owner.get(url("resume", token), follow=True).content.decode()
    csrf = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    saved = owner.post(
        url("step", assessment.public_id, "profile"),
        {"firm_name": "Kept Ltd", "action": "autosave", "csrfmiddlewaretoken": csrf},
    )
    assert saved.status_code == 200
    forged = owner.post(url("step", assessment.public_id, "profile"), {"firm_name": "Forged", "action": "autosave"})
    assert forged.status_code == 403
    assert "This page has expired" in forged.content.decode()
    assert Answer.objects.get(assessment=assessment, question_key="firm_name").value == "Kept Ltd"


def test_it_refuses_an_oversized_import_with_a_clear_message(version, django_user_model, settings):
    settings.IMPORT_MAX_MB = 1
    user = django_user_model.objects.create_user("a", password="a-long-password-1")
    _org, campaign = open_campaign(user, "Chamber", "Round", version)
    client = Client()
    client.force_login(user)
    big = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 10))
    response = client.post(url("campaign_import", campaign.pk), {"upload": big})
    assert response.status_code == 400 and "larger than 1 MB" in response.content.decode()
    assert Assessment.objects.count() == 0 and Firm.objects.count() == 0
    assert Campaign.objects.count() == 1


def test_it_refuses_an_overlong_email_address_everywhere_with_a_message(
    version, django_user_model, django_capture_on_commit_callbacks
):
    # Django's validator takes up to 320 characters, the database column 254: on PostgreSQL
    # the longer ones were a 500 page.
    long_address = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".cn"
    assert 254 < len(long_address) <= 320
    password = "a-long-password-1"
    anonymous = Client()
    page = anonymous.post(
        url("signup"), {"username": "mei", "email": long_address, "password1": password, "password2": password}
    )
    assert page.status_code == 200 and "at most 254 characters" in page.content.decode()
    assert not django_user_model.objects.filter(username="mei").exists()

    adviser = django_user_model.objects.create_user("adviser", password=password)
    from assessment.workspace.services import organisation_create

    organisation_create(user=adviser, name="Advisers", kind="consultancy")
    consultant = Client()
    consultant.force_login(adviser)
    page = consultant.post(url("client_new"), {"name": "Long Mail Co", "contact_email": long_address})
    assert page.status_code == 200 and "at most 254 characters" in page.content.decode()
    assert not Firm.objects.filter(name="Long Mail Co").exists()

    chamber = django_user_model.objects.create_user("chamber", password=password)
    _org, campaign = open_campaign(chamber, "Chamber", "Round", version)
    association = Client()
    association.force_login(chamber)
    with django_capture_on_commit_callbacks(execute=True):
        page = association.post(url("campaign_invite", campaign.pk), {"members": f"Long Co, Li, {long_address}\n"})
    assert page.status_code == 400 and "is not an e-mail address" in page.content.decode()
    assert not campaign.invitations.exists()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_shows_payloads_typed_into_forms_as_text_on_the_remaining_pages(
    payload, version, django_user_model, django_capture_on_commit_callbacks
):
    from django.utils.html import escape

    from assessment.bulk.services import bulk_job_start
    from assessment.services import answer_reason_set, assessment_reopen
    from assessment.workspace.services import firm_create, organisation_create

    qn = questionnaire_of(version)
    password = "a-long-password-1"
    # An owner with an account types the payload into the wizard's own form fields.
    owner_user = django_user_model.objects.create_user("owner", password=password)
    owner = Client()
    owner.force_login(owner_user)
    start = owner.post(url("start"))
    public_id = start["Location"].split("/a/")[1].split("/")[0]
    text_key = next(q.key for q in qn.questions.values() if q.type == "text" and q.key != "firm_name")
    step = url("step", public_id, "profile")
    owner.post(step, {"firm_name": f"Typed {payload}", "action": "save"})
    pages = {
        "step": owner.get(step),
        "step with errors": owner.post(step, {"firm_name": f"Typed {payload}", "employees": payload}),
        "review": owner.get(url("review", public_id)),
        "my assessments": owner.get(url("my_assessments")),
    }
    text_section = qn.questions[text_key].section
    owner.post(url("step", public_id, text_section), {text_key: payload[: qn.questions[text_key].max_length]})
    pages["step with a text answer"] = owner.get(url("step", public_id, text_section))

    # A consultant's reason for changing an owner's answer.
    consultant = django_user_model.objects.create_user("c", password=password)
    centre = organisation_create(user=consultant, name="Centre", kind="consultancy")
    firm = firm_create(organisation=centre, name="Client Co")
    validated, _ = assessment_create(version=version, owner=None, language="en", firm=firm)
    answers_save(assessment=validated, values=_answers(qn, "plain"))
    assessment_submit(assessment=validated)
    assessment_reopen(assessment=validated)
    answers_save(assessment=validated, values={"employees": 77}, consultant=consultant)
    assert answer_reason_set(assessment=validated, question_key="employees", reason=payload)
    c_client = Client()
    c_client.force_login(consultant)
    pages["review with a reason"] = c_client.get(url("review", validated.public_id))

    # An association: campaign name on the join and invitation pages, an imported firm name
    # on the member table and the bulk job page.
    chamber = django_user_model.objects.create_user("a", password=password)
    _org, campaign = open_campaign(chamber, f"Chamber {payload}", f"Round {payload}", version)
    tokens = invite(campaign, django_capture_on_commit_callbacks, _member("plain"))
    pages["invitation"] = Client().get(url("invitation", next(iter(tokens.values()))))
    pages["join"] = Client().get(url("campaign_join", campaign.link_token))
    rows = sample_table(qn, 1)
    rows[1][rows[0].index("firm_name")] = f"Imported {payload}"
    data = io.StringIO()
    csv.writer(data).writerows(rows)
    a_client = Client()
    a_client.force_login(chamber)
    imported = a_client.post(
        url("campaign_import", campaign.pk), {"upload": SimpleUploadedFile("x.csv", data.getvalue().encode())}
    )
    assert imported.status_code in (200, 302), imported.content.decode()[:500]
    pages["campaign with an import"] = a_client.get(url("campaign", campaign.pk))
    job = bulk_job_start(campaign=campaign, user=chamber, language="en", variant="summary")
    pages["bulk job"] = a_client.get(url("bulk_job", campaign.pk, job.pk))

    shown = {  # where the payload must appear, as text
        "step": f"Typed {payload}",
        "review": f"Typed {payload}",
        "my assessments": f"Typed {payload}",
        "review with a reason": payload,
        "invitation": f"Chamber {payload}",
        "join": f"Round {payload}",
        "campaign with an import": f"Imported {payload}",
        "bulk job": f"Imported {payload}",
    }
    # An API token named with it, on the tokens page (just made, and listed).
    pages["api tokens"] = a_client.post(
        url("api_tokens"), {"name": payload[:100], "scope": "read", "organisation": campaign.organisation_id}
    )
    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code in (200, 400), name
        assert not raw_in(payload, html), name
        if name in shown:
            assert escape(shown[name]) in html, name


def test_it_refuses_an_oversize_body_before_reading_it_but_not_an_import(client, version, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.REQUEST_MAX_MB = 1
    big = SimpleUploadedFile("x.bin", b"x" * (1024 * 1024 + 10))
    response = client.post("/en/start/", {"file": big})
    assert response.status_code == 413
    assert "at most 1 MB" in response.content.decode()
    # The import page's own limit applies there (it answers with its own page, not 413).
    big.seek(0)
    response = client.post("/en/campaigns/1/import/", {"file": big})
    assert response.status_code != 413
