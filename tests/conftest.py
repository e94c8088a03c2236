import csv
import io
from datetime import UTC, date, datetime
from functools import cache

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import translation

from assessment import services
from assessment.bulk.samples import sample_table
from assessment.campaigns.memberlist import Member
from assessment.models import BulkJob
from assessment.plan.services import action_progress_set
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.reports import services as reports_services
from assessment.selectors import questionnaire_of
from assessment.services import questionnaire_load
from assessment.workspace.services import firm_create, organisation_create
from tests.content import mini_raw, shipped_raw, shipped_text
from tests.factories import (
    STRESS_FIGURES,
    accept,
    answers_for,
    complete,
    invite,
    many_members,
    open_campaign,
    submitted_assessment,
    url,
)

# Hashing a real password costs ~0.3 s (2.8 s on a busy machine) per user, and almost every
# test only force_logins its users. tests/accounts/test_accounts.py, which tests logging in and how
# passwords are stored, switches the real hashers back on (the `real_hashers` fixture).
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        yield


@pytest.fixture(scope="session", autouse=True)
def media_of_this_process(tmp_path_factory):
    """Stored reports and logos go to a directory of this test process: parallel test
    processes (and the developer's own var/media) never see each other's files."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(scope="session", autouse=True)
def a_render_child_per_render():
    """Tests change the render in this process (monkeypatching html_to_pdf, say), which a child
    kept from an earlier render would not see: here every render forks its own, as before
    PDF_CHILD_IDLE_SECONDS. The kept child has its own tests (reports/test_pdf.py)."""
    with override_settings(PDF_CHILD_IDLE_SECONDS=0):
        yield


@pytest.fixture(autouse=True)
def no_language_left_active():
    """A request leaves its language active in the thread (LocaleMiddleware activates, nothing
    deactivates): each test starts as the first one does, whatever ran before it."""
    yield
    translation.deactivate()


@pytest.fixture
def real_hashers(settings):
    from django.conf import global_settings

    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


@pytest.fixture(scope="session", autouse=True)
def content_parsed_once():
    """Every database test loads the shipped questionnaire (the `version` fixture): parse the
    file once per process. Loaded content is only read, never changed, so one dict serves all."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(services, "load_yaml", cache(load_yaml))
        yield


@pytest.fixture(scope="session")
def shipped():
    return parse_questionnaire(shipped_raw())


@pytest.fixture(scope="session")
def mini():
    return parse_questionnaire(mini_raw())


@pytest.fixture
def version(db):
    """The shipped questionnaire, loaded as the current version."""
    version, _ = questionnaire_load(shipped_text())
    return version


# The app shows dates in Asia/Shanghai (UTC+8): 15:30 UTC is still 1 March there, 16:30 UTC
# is already 2 March. A test of a shown date runs at both instants, whatever the real clock says.
SHANGHAI_EVENING = (datetime(2026, 3, 1, 15, 30, tzinfo=UTC), date(2026, 3, 1))
SHANGHAI_AFTER_MIDNIGHT = (datetime(2026, 3, 1, 16, 30, tzinfo=UTC), date(2026, 3, 2))


@pytest.fixture(params=[SHANGHAI_EVENING, SHANGHAI_AFTER_MIDNIGHT], ids=["23h30-shanghai", "00h30-shanghai"])
def shanghai_today(request) -> date:
    """The clock set to just before or just after midnight in Shanghai; the Shanghai date then.

    The clock ticks on from there (renders and timeouts behave as usual)."""
    instant, local_day = request.param
    with time_machine.travel(instant, tick=True):
        yield local_day


# --- Organisations, each with what its tests start from -----------------------------------------


@pytest.fixture
def consultancy(db, django_user_model):
    """Two consultancies, each with a consultant and one client."""
    people = {}
    for tag in ("a", "b"):
        user = django_user_model.objects.create_user(f"consultant_{tag}", password="a-long-password-1")
        org = organisation_create(user=user, name=f"Service Centre {tag.upper()}", kind="consultancy")
        firm = firm_create(organisation=org, name=f"Client of {tag.upper()}")
        client = Client()
        client.force_login(user)
        people[tag] = {"user": user, "org": org, "firm": firm, "client": client}
    return people


@pytest.fixture
def associations(version, django_user_model):
    """Two associations X and Y, each with an open campaign."""
    people = {}
    for tag in ("x", "y"):
        user = django_user_model.objects.create_user(f"assoc_{tag}", password="a-long-password-1")
        org, campaign = open_campaign(user, f"Chamber {tag.upper()}", f"Spring round {tag.upper()}", version)
        client = Client()
        client.force_login(user)
        people[tag] = {"user": user, "org": org, "campaign": campaign, "client": client}
    return people


@pytest.fixture
def chamber(version, django_user_model):
    """One association with an open campaign, logged in; `qn` is the campaign's questionnaire."""
    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    org, campaign = open_campaign(user, "Hubei Chamber", "Autumn round", version)
    client = Client()
    client.force_login(user)
    return {"user": user, "org": org, "campaign": campaign, "client": client, "qn": questionnaire_of(version)}


# --- The main pages of every kind of user (HTML validity, nothing loaded from elsewhere) ---------


@pytest.fixture
def main_pages(version, django_user_model, django_capture_on_commit_callbacks) -> dict[str, bytes]:
    """The main pages of every kind of user (also with errors shown), by name."""
    pages: dict[str, bytes] = {}
    anonymous = Client()
    for lang in ("zh-hans", "en"):
        pages[f"home-{lang}"] = anonymous.get(url("home", lang=lang)).content
    pages["login"] = anonymous.get(url("login")).content
    pages["signup"] = anonymous.get(url("signup")).content
    pages["password-reset"] = anonymous.get(url("password_reset")).content

    owner = Client()
    start = owner.post(url("start", lang="zh-hans"))
    public_id = start["Location"].split("/a/")[1].split("/")[0]
    pages["step-profile"] = owner.get(start["Location"]).content
    pages["step-financing"] = owner.get(url("step", public_id, "financing", lang="zh-hans")).content
    pages["review"] = owner.get(url("review", public_id, lang="zh-hans")).content
    # Pages as they come back with errors: the values typed are shown again as typed.
    pages["step-errors"] = owner.post(
        url("step", public_id, "profile", lang="zh-hans"), {"firm_name": "", "employees": "many", "action": "next"}
    ).content
    pages["login-error"] = anonymous.post(url("login"), {"username": "nobody", "password": "wrong-password"}).content

    consultant = django_user_model.objects.create_user("c", password="a-long-password-1")
    centre = organisation_create(user=consultant, name="Centre", kind="consultancy")
    firm = firm_create(organisation=centre, name="Client Co")
    done = submitted_assessment(version, owner=None, firm=firm)
    c = Client()
    c.force_login(consultant)
    # The plan (issue 18 §2): one action overdue, one done; and a due date that does not parse.
    first_key, second_key = done.outcome.action_keys()[:2]
    action_progress_set(
        assessment=done, action_key=first_key, status="in_progress", owner_name="Li", due_on=date(2026, 1, 5)
    )
    action_progress_set(assessment=done, action_key=second_key, status="done", user=consultant)
    pages["workspace"] = c.get(url("workspace")).content
    pages["client"] = c.get(url("client", firm.pk)).content
    pages["results-consultant"] = c.get(url("results", done.public_id)).content
    pages["results-plan-error"] = c.post(
        url("plan_save", done.public_id), {"action": first_key, "status": "done", "due_on": "31/31/2026"}
    ).content
    # A report asked for while the worker is still preparing it.
    with django_capture_on_commit_callbacks(execute=True):
        reports_services.reports_prepare(assessment=done)
    preparing = c.get(url("report_pdf", done.public_id, lang="zh-hans") + "?lang=zh-hans&variant=full")
    assert preparing.status_code == 202
    pages["report-preparing"] = preparing.content
    # The stress test (2026.3): its step, and results with the figures, also with another scenario tried.
    pages["step-stress"] = owner.get(url("step", public_id, "stress", lang="zh-hans")).content
    stressed, _ = services.assessment_create(version=version, owner=None, language="en", firm=firm)
    services.answers_save(assessment=stressed, values={**answers_for(version), **STRESS_FIGURES})
    services.assessment_submit(assessment=stressed)
    pages["results-stress"] = c.get(url("results", stressed.public_id)).content
    pages["results-stress-tried"] = c.get(url("results", stressed.public_id), {"drop": "100", "months": "6"}).content

    chamber = django_user_model.objects.create_user("a", password="a-long-password-1")
    _org, campaign = open_campaign(chamber, "Chamber", "Round", version)
    members = [Member(f"Member {n}", "", f"m{n}@example.com", "en") for n in range(6)]
    tokens = invite(campaign, django_capture_on_commit_callbacks, *members)
    first = None
    for token in tokens.values():
        member, assessment = accept(token, share=True)
        complete(assessment)
        assessment.refresh_from_db()
        action_progress_set(assessment=assessment, action_key=assessment.outcome.action_keys()[0], status="done")
        first = first or (member, assessment)
    a = Client()
    a.force_login(chamber)
    pages["results-member"] = first[0].get(url("results", first[1].public_id)).content
    pages["campaigns"] = a.get(url("association_home")).content
    pages["campaign"] = a.get(url("campaign", campaign.pk)).content
    # The member table as it is with many members: filtered, paged, one filter value refused.
    many_members(campaign, 120, "invited", name="Invited")
    pages["campaign-members"] = a.get(url("campaign", campaign.pk) + "?status=invited&sector=x&page=2").content
    pages["import"] = a.get(url("campaign_import", campaign.pk)).content
    pages["bulk-reports"] = a.get(url("bulk_reports", campaign.pk)).content
    pages["invite-errors"] = a.post(
        url("campaign_invite", campaign.pk), {"members": "No Mail Co, Li, not-an-address"}
    ).content
    bad_rows = b"firm_name,employees\nBad Co,many\n"
    pages["import-errors"] = a.post(
        url("campaign_import", campaign.pk), {"upload": SimpleUploadedFile("a.csv", bad_rows, "text/csv")}
    ).content
    # The members answered online: importing them again asks, per member, keep or replace.
    rows = sample_table(questionnaire_of(version), 2)
    for row, number in zip(rows[1:], range(2), strict=True):
        row[rows[0].index("firm_name")] = f"Member {number}"
    again = io.StringIO()
    csv.writer(again).writerows(rows)
    choice = a.post(
        url("campaign_import", campaign.pk), {"upload": SimpleUploadedFile("b.csv", again.getvalue().encode())}
    )
    pages["import-choice"] = a.get(choice["Location"]).content
    assert b'value="replace"' in pages["import-choice"]
    job = BulkJob.objects.create(campaign=campaign, language="en", variant="summary")
    pages["bulk-job"] = a.get(url("bulk_job", campaign.pk, job.pk)).content
    pages["dashboard"] = a.get(url("campaign_dashboard", campaign.pk)).content
    # The API tokens page: a token just made (shown once), and the form refused.
    pages["api-tokens"] = a.post(
        url("api_tokens"), {"name": "CRM sync", "scope": "write", "organisation": campaign.organisation_id}
    ).content
    assert b"smec_" in pages["api-tokens"]
    pages["api-tokens-errors"] = a.post(url("api_tokens"), {"name": "", "scope": "all"}).content
    pages["join"] = anonymous.get(url("campaign_join", campaign.link_token)).content
    # A closed link gets a page that says why, never a QR code or poster of a dead link.
    a.post(url("campaign_link", campaign.pk), {"action": "close"})
    pages["poster-link-closed"] = a.get(url("campaign_poster", campaign.pk)).content
    assert "The campaign link is closed" in pages["poster-link-closed"].decode()
    pages["invitation-invalid"] = anonymous.get(url("invitation", "not-a-token")).content
    assert answers_for(version)  # the shared helpers above really produced data
    return pages
