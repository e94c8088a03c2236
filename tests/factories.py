"""What the tests build and reach, shared by every package's tests: rows made through the
services (as the app makes them, never by writing models directly), the addresses of pages,
and reading a PDF's text. Plain functions; the fixtures built on them are in conftest.py."""

import csv
import io
import re
from datetime import timedelta
from unittest import mock

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from assessment import access
from assessment.bulk.samples import sample_table
from assessment.bulk.services import assessments_import
from assessment.campaigns.memberlist import Member
from assessment.campaigns.services import campaign_create, invitations_add
from assessment.models import Assessment, Firm, Invitation
from assessment.questionnaire.result import build_result
from assessment.questionnaire.samples import sample_answers
from assessment.selectors import questionnaire_of
from assessment.services import (
    answers_save,
    assessment_create,
    assessment_submit,
    campaign_tallies_refresh,
    firms_latest_refresh,
)
from assessment.workspace.services import organisation_create

# --- Profiles ----------------------------------------------------------------------------------

# A small retailer in Hubei: the profile of the generated answers of clients and members.
PROFILE = {
    "industry": "retail",
    "province": "hubei",
    "employees": 25,
    "revenue": 900,
    "total_assets": 500,
    "legal_form": "company",
    "export_channel": "none",
    "export_share": 0,
    "export_plan": "no_plan",
    "growth_ambition": "steady",
}

# A food maker in Chengdu that exports: the owner of the reports the PDF tests print.
FOOD_MAKER = {
    "firm_name": "成都蓉城食品有限公司",
    "industry": "mfg_food",
    "province": "sichuan",
    "employees": 60,
    "revenue": 2500,
    "total_assets": 1800,
    "legal_form": "company",
    "growth_ambition": "grow",
    "export_channel": "direct",
    "export_share": 15,
    "export_plan": "already",
}

# The stress-test figures of a small restaurant (2026.3): 2.5 months of cash under revenue -80 % for 3 months.
STRESS_FIGURES = {
    "stress_wages": 6,
    "stress_social_insurance": 1.5,
    "stress_rent": 3,
    "stress_loan_payments": 1.2,
    "stress_other_fixed": 0.5,
    "stress_cash": 22,
    "stress_credit": 10,
    "stress_revenue": 25,
    "stress_variable_share": 35,
    "stress_drop": "80",
    "stress_months": "3",
}

# A textile exporter's profile page, as the wizard's form posts it (every value a string).
EXPORTER = {
    "firm_name": "宁波海蓝贸易有限公司",
    "industry": "mfg_textiles",
    "province": "zhejiang",
    "employees": "120",
    "revenue": "5000",
    "total_assets": "3000",
    "legal_form": "company",
    "growth_ambition": "grow",
    "export_channel": "direct",
    "export_share": "40",
    "export_plan": "already",
}


# --- Addresses -----------------------------------------------------------------------------------


def url(name: str, *args, lang: str = "en", **kwargs) -> str:
    """The path of a URL name in a language, with positional or keyword arguments."""
    with translation.override(lang):
        return reverse(name, args=args or None, kwargs=kwargs or None)


def step_url(assessment: Assessment, section: str, lang: str = "en") -> str:
    return url("step", assessment.public_id, section, lang=lang)


def pdf_url(assessment: Assessment, lang: str, variant: str) -> str:
    with translation.override("en"):
        return reverse("report_pdf", args=[assessment.public_id]) + f"?lang={lang}&variant={variant}"


# --- Owners ------------------------------------------------------------------------------------


def submitted(version, profile: dict = FOOD_MAKER, quality: float = 0.3, lang: str = "zh-hans"):
    """An owner's assessment without an account, answered and submitted: (assessment, token)."""
    assessment, token = assessment_create(version=version, owner=None, language=lang)
    answers_save(assessment=assessment, values=sample_answers(questionnaire_of(version), profile, quality, seed=7))
    assessment_submit(assessment=assessment)
    return assessment, token


def owner_client(assessment: Assessment, token: str) -> Client:
    """A browser holding the owner's resume token for `assessment` in its session."""
    client = Client()
    session = client.session
    session[access.SESSION_KEY] = {str(assessment.public_id): token}
    session.save()
    return client


def start(client: Client, lang: str = "en") -> Assessment:
    """Start an assessment on the home page, as an owner does; lands on the profile step."""
    response = client.post(url("start", lang=lang))
    assert response.status_code == 302
    assessment = Assessment.objects.latest("created_at")
    assert response["Location"] == url("step", assessment.public_id, "profile", lang=lang)
    return assessment


def answers_for(version) -> dict:
    return sample_answers(questionnaire_of(version), {**PROFILE, "firm_name": "F"}, 0.5, seed=3)


def submitted_assessment(version, **kwargs) -> Assessment:
    """A submitted English assessment; kwargs go to assessment_create (owner=, firm=)."""
    assessment, _ = assessment_create(version=version, language="en", **kwargs)
    answers_save(
        assessment=assessment,
        values=sample_answers(questionnaire_of(version), {**PROFILE, "firm_name": "F"}, 0.5, seed=3),
    )
    assessment_submit(assessment=assessment)
    return assessment


# --- Consultancies -----------------------------------------------------------------------------


def submitted_for(firm, version, quality: float, days_ago: int) -> Assessment:
    """A client firm's assessment run by its consultant, submitted `days_ago` days ago."""
    assessment, _ = assessment_create(version=version, owner=None, language="en", firm=firm)
    answers = sample_answers(questionnaire_of(version), {**PROFILE, "firm_name": firm.name}, quality, seed=5)
    answers_save(assessment=assessment, values=answers)
    assessment_submit(assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=assessment.submitted_at - timedelta(days=days_ago))
    firms_latest_refresh([firm.pk])  # the firm's newest may be another one now
    assessment.refresh_from_db()
    return assessment


# --- Associations ------------------------------------------------------------------------------


def open_campaign(user, association: str, name: str, version, days: int = 30):
    """A new association of `user` with a campaign open from yesterday for `days` days."""
    org = organisation_create(user=user, name=association, kind="association")
    today = timezone.localdate()
    campaign = campaign_create(
        organisation=org,
        user=user,
        name=name,
        questionnaire=version,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=days),
    )
    return org, campaign


def member(n: int, language: str = "en") -> Member:
    return Member(firm_name=f"Member {n}", contact_name=f"Contact {n}", email=f"m{n}@example.com", language=language)


def invite(campaign, django_capture_on_commit_callbacks, *members) -> dict[str, str]:
    """Invite and return {email: token} read from the e-mails, as a member would."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        invitations_add(campaign=campaign, members=members)
    run_worker()
    return {m.to[0]: re.search(r"/invite/([\w-]+)/", m.body).group(1) for m in mail.outbox}


def accept(token: str, share: bool = False, lang: str = "en", client: Client | None = None):
    """Accept an invitation in a browser: (that browser, the member's new assessment)."""
    client = client or Client()
    data = {"share": "on"} if share else {}
    response = client.post(url("invitation", token, lang=lang), data)
    assert response.status_code == 302, response.content[:500]
    public_id = response["Location"].split("/a/")[1].split("/")[0]
    return client, Assessment.objects.get(public_id=public_id)


def complete(assessment: Assessment, quality: float = 0.6) -> None:
    qn = questionnaire_of(assessment.questionnaire)
    answers_save(assessment=assessment, values=sample_answers(qn, PROFILE, quality, seed=assessment.pk))
    assert assessment_submit(assessment=assessment)


def run_worker() -> None:
    """Run every queued task (invitation e-mails, reports), as `manage.py worker --burst` does."""
    # Between tasks the worker closes stale connections; here that would be the test's own
    # connection, inside its transaction (SQLite's in-memory one is never closed, PostgreSQL's is).
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def many_members(
    campaign,
    count: int,
    status: str,
    *,
    name: str = "Firm",
    share: bool = True,
    sector: str = "tertiary",
    quality: float = 0.6,
    start: int = 0,
) -> None:
    """`count` members of `campaign` in a few bulk inserts, for the tests of a large member list.

    The one exception to building rows through the services (20,000 members would take
    minutes): the rows are the columns the services write, with one real scored result copied.
    status "invited" (not started), "started" or "submitted" makes invited members;
    "joined" makes submitted members who came by the link. Firms are "<name> 00001"…, their
    addresses <name>00001@example.com…; the submitted results (all the same, answered
    at `quality`) say `sector`."""
    qn = questionnaire_of(campaign.questionnaire)
    result = build_result(qn, sample_answers(qn, PROFILE, quality, seed=1)).to_json()
    result["facts"]["sector"] = sector
    numbers = range(start + 1, start + count + 1)
    firms = Firm.objects.bulk_create(Firm(organisation=campaign.organisation, name=f"{name} {n:05d}") for n in numbers)
    assessments: list = [None] * count
    if status != "invited":
        done = status in ("submitted", "joined")
        assessments = Assessment.objects.bulk_create(
            Assessment(
                questionnaire=campaign.questionnaire,
                campaign=campaign,
                firm=firm,
                firm_name=firm.name,
                language="en",
                resume_digest=f"{campaign.pk}-{firm.pk}-resume",
                status=Assessment.Status.SUBMITTED if done else Assessment.Status.DRAFT,
                submitted_at=timezone.now() if done else None,
                **Assessment.result_columns(result if done else None),
                share_with_association=share,
            )
            for firm in firms
        )
    if status != "joined":
        Invitation.objects.bulk_create(
            Invitation(
                campaign=campaign,
                firm=firm,
                email=f"{name.lower()}{n:05d}@example.com",
                language="en",
                token_digest=f"{campaign.pk}-{firm.pk}-token",
                expires_at=timezone.now() + timedelta(days=30),
                sent_at=timezone.now(),
                used_at=timezone.now() if assessment else None,
                assessment=assessment,
            )
            for n, firm, assessment in zip(numbers, firms, assessments, strict=True)
        )
    campaign_tallies_refresh(campaign.pk)  # as the services do after their writes


# --- Imports (answers collected offline) -------------------------------------------------------


def table(qn, count: int, share: str = "yes", start: int = 0) -> list[list]:
    return sample_table(qn, count, share=share, start=start)


def csv_bytes(rows, encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode(encoding)


def import_rows(chamber: dict, count: int, start: int = 0, share: str = "yes"):
    """Import `count` generated firms into the `chamber` fixture's campaign, as its association."""
    data = csv_bytes(table(chamber["qn"], count, share=share, start=start))
    return assessments_import(
        campaign=chamber["campaign"],
        user=None,
        filename="x.csv",
        data=data,
        messages_language="en",
        report_language="en",
    )


def upload(chamber: dict, name: str, data: bytes, lang: str = "en"):
    """Post a file on the import page of the `chamber` fixture's campaign."""
    return chamber["client"].post(
        url("campaign_import", chamber["campaign"].pk, lang=lang), {"upload": SimpleUploadedFile(name, data)}
    )


# --- Reading PDFs ------------------------------------------------------------------------------


def text_of(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    """Extracted text breaks lines anywhere; compare without whitespace."""
    return re.sub(r"\s+", "", text)
