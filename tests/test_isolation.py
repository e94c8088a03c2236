"""Isolation: every URL that names an object, as every kind of user, gives a foreign object
exactly the answer a non-existent one gets (a 404 once logged in), never a 403 or the page."""

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, get_resolver

from assessment.api.services import api_token_create
from assessment.campaigns.services import campaign_join, invitations_add
from assessment.models import Assessment, BulkJob, ImportUpload, Invitation
from assessment.questionnaire.samples import sample_answers
from assessment.selectors import questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit, questionnaire_load
from assessment.workspace.services import firm_create, organisation_create
from tests.content import shipped_text
from tests.factories import PROFILE, member, open_campaign, submitted_assessment, url

ROLES = ["anonymous", "owner_a", "owner_b", "consultant_a", "consultant_b", "association_x", "association_y"]

# Every URL naming an object: (name, method, kind of object, extra args). Token URLs (resume,
# invitation, campaign link) are capabilities themselves and are tested in their own files.
OBJECT_URLS = [
    ("step", "get", "assessment", ["profile"]),
    ("continue", "get", "assessment", []),
    ("review", "get", "assessment", []),
    ("submit", "post", "assessment", []),
    ("results", "get", "assessment", []),
    ("report_pdf", "get", "assessment", []),
    ("report_pdf_status", "get", "assessment", []),
    ("note_save", "post", "assessment", []),
    ("plan_save", "post", "assessment", []),
    ("plan_ics", "get", "assessment", []),
    ("report_email", "post", "assessment", []),
    ("answer_reason", "post", "assessment", []),
    ("consent", "post", "assessment", []),
    ("claim", "post", "assessment", []),
    ("reopen", "post", "assessment", []),
    ("client", "get", "firm", []),
    ("client_start", "post", "firm", []),
    ("client_new_link", "post", "firm_draft", []),
    ("client_email_link", "post", "firm_draft", []),
    ("campaign", "get", "campaign", []),
    ("campaign_invite", "post", "campaign", []),
    ("campaign_remind", "post", "campaign", []),
    ("campaign_link", "post", "campaign", []),
    ("campaign_import", "get", "campaign", []),
    ("campaign_import", "post", "campaign", []),
    ("campaign_template", "get", "campaign", ["xlsx"]),
    ("campaign_export", "get", "campaign", ["csv"]),
    ("bulk_reports", "get", "campaign", []),
    ("bulk_reports", "post", "campaign", []),
    ("bulk_job", "get", "job", []),
    ("bulk_job_retry", "post", "job", []),
    ("bulk_job_zip", "get", "job", []),
    ("import_upload", "get", "upload", []),
    ("import_upload", "post", "upload", []),
    ("campaign_dashboard", "get", "campaign", []),
    ("campaign_dashboard_pdf", "get", "campaign", []),
    ("campaign_qr", "get", "campaign", ["png"]),
    ("campaign_poster", "get", "campaign", []),
    ("api_token_revoke", "post", "api_token", []),
]
TOKEN_URLS = {"resume", "invitation", "campaign_join", "password_reset_confirm", "signup_finish"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Two of each kind of user, each with its own objects.

    Built once for the module (it is half of the module's run time), in a transaction rolled
    back at its end; each test's own changes are rolled back after it as usual (`db`)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


def build_world():
    version, _ = questionnaire_load(shipped_text())
    users, objects = {}, {}
    for role in ROLES[1:]:
        users[role] = get_user_model().objects.create_user(role, password="a-long-password-1")
    for tag in ("a", "b"):
        owner = users[f"owner_{tag}"]
        objects[f"owner_{tag}"] = {"assessment": submitted_assessment(version, owner=owner)}
        consultant = users[f"consultant_{tag}"]
        org = organisation_create(user=consultant, name=f"Centre {tag}", kind="consultancy")
        firm = firm_create(organisation=org, name=f"Client {tag}")
        draft, _ = assessment_create(version=version, owner=None, language="en", firm=firm)
        token, raw = api_token_create(organisation=org, user=consultant, name="CRM", scope="write")
        objects[f"consultant_{tag}"] = {
            "assessment": submitted_assessment(version, owner=None, firm=firm),
            "firm": (firm.pk,),
            "firm_draft": (firm.pk, draft.public_id),
            "api_token": (token.pk,),
            "api_raw": raw,
        }
    for tag in ("x", "y"):
        member_user = users[f"association_{tag}"]
        _org, campaign = open_campaign(member_user, f"Chamber {tag}", f"Round {tag}", version, days=9)
        joined, _ = campaign_join(campaign=campaign, firm_name=f"Member of {tag}", user=None, share=True, language="en")
        answers_save(
            assessment=joined,
            values=sample_answers(questionnaire_of(version), {**PROFILE, "firm_name": "F"}, 0.5, seed=4),
        )
        assessment_submit(assessment=joined)
        # The association may read a consenting member's results, and nothing else of it.
        job = BulkJob.objects.create(campaign=campaign, language="en", variant="summary")
        upload = ImportUpload.objects.create(
            campaign=campaign, filename="x.csv", messages_language="en", report_language="en", status="decide"
        )
        invitations_add(campaign=campaign, members=[member(1)], notify=False)
        invitation = campaign.invitations.get()
        token, raw = api_token_create(organisation=_org, user=member_user, name="CRM", scope="write")
        objects[f"association_{tag}"] = {
            "api_token": (token.pk,),
            "api_raw": raw,
            "member": (campaign.pk, f"a{joined.pk}"),
            "invited_member": (campaign.pk, f"i{invitation.pk}"),
            "campaign": (campaign.pk,),
            "job": (campaign.pk, job.pk),
            "upload": (campaign.pk, upload.pk),
            "shared_assessment": joined,
            # Member firms belong to the association, but never open in the consultant workspace.
            "firm": (joined.firm_id,),
            "firm_draft": (joined.firm_id, joined.public_id),
        }
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return clients, objects


def args_for(objects, owner, kind):
    if kind == "assessment":
        found = objects[owner].get("assessment") or objects[owner].get("shared_assessment")
        return (found.public_id,) if found else None
    return objects[owner].get(kind)


def missing_args(kind):
    return {
        "assessment": (uuid.uuid4(),),
        "firm": (987654,),
        "firm_draft": (987654, uuid.uuid4()),
        "campaign": (987654,),
        "job": (987654, 987654),
        "upload": (987654, 987654),
        "api_token": (987654,),
        "member": (987654, "a987654"),
        "invited_member": (987654, "i987654"),
    }[kind]


def entitled(role, owner, kind, name):
    """An association reads a consenting member's results and report; owners use their own objects."""
    if role != owner:
        return False
    if owner.startswith("association") and kind in ("firm", "firm_draft"):
        return False
    shared_reads = ("results", "report_pdf", "report_pdf_status")
    return not (kind == "assessment" and owner.startswith("association") and name not in shared_reads)


def test_it_covers_every_url_that_names_an_object():
    names = {p.name for p in get_resolver("assessment.urls").url_patterns if isinstance(p, URLPattern)}
    with_object = {
        p.name
        for p in get_resolver("assessment.urls").url_patterns
        if isinstance(p, URLPattern) and p.pattern.converters
    }
    assert with_object - TOKEN_URLS == {name for name, *_ in OBJECT_URLS}
    assert names >= TOKEN_URLS


@pytest.mark.parametrize("name,method,kind,extra", OBJECT_URLS, ids=[f"{u[0]}-{u[1]}" for u in OBJECT_URLS])
def test_it_answers_a_foreign_object_like_a_missing_one(db, world, name, method, kind, extra):
    clients, objects = world
    checked = 0
    for owner in objects:
        args = args_for(objects, owner, kind)
        if args is None:
            continue
        for role in ROLES:
            if entitled(role, owner, kind, name):
                continue
            client = clients[role]
            call = getattr(client, method)
            foreign = call(url(name, *args, *extra))
            missing = call(url(name, *missing_args(kind), *extra))
            assert foreign.status_code == missing.status_code, (name, role, owner)
            if role != "anonymous":
                assert foreign.status_code == 404, (name, role, owner)
            checked += 1
    assert checked


@pytest.mark.parametrize("name", ["results", "report_pdf"])
def test_it_lets_each_role_open_its_own_objects(db, world, name):
    """The other half of the matrix: the same URLs do open for the one entitled (so a 404 means something)."""
    clients, objects = world
    suffix = "?lang=en&variant=summary" if name == "report_pdf" else ""
    for role in ("owner_a", "consultant_b", "association_x"):
        args = args_for(objects, role, "assessment")
        response = clients[role].get(url(name, *args) + suffix)
        assert response.status_code == 200, role
    assert Assessment.objects.filter(status="submitted").count() == 6


# --- The JSON API: every endpoint naming an object, called with another organisation's token ---

# (URL name in the "api" namespace, method, kind of object, extra args, body). The bodies are
# valid: a check that failed open would act on the foreign object, not stop at a bad input.
API_URLS = [
    ("campaign", "get", "campaign", [], None),
    ("members", "get", "campaign", [], None),
    ("member", "get", "member", [], None),
    ("member", "get", "invited_member", [], None),
    ("invitations", "post", "campaign", [], {"members": [{"firm_name": "Spy Co", "email": "spy@example.com"}]}),
    ("imports", "post", "campaign", [], "file"),
    ("import", "get", "upload", [], None),
    ("import_choice", "post", "upload", [], {"replace_rows": [2]}),
    ("bulk_jobs", "post", "campaign", [], {"language": "en", "variant": "summary"}),
    ("bulk_job", "get", "job", [], None),
    ("bulk_job_zip", "get", "job", [], None),
]
# Not any organisation's: the questionnaire versions are the product's content, the same for all.
API_SHARED_URLS = {"questionnaire"}
API_ROLES = ["consultant_a", "consultant_b", "association_x", "association_y"]


def api_call(role_objects, method, path, body):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client(HTTP_AUTHORIZATION=f"Bearer {role_objects['api_raw']}", HTTP_ACCEPT_LANGUAGE="en")
    if body == "file":
        return client.post(path, {"file": SimpleUploadedFile("x.csv", b"firm_name\nSpy Co\n")})
    if method == "post":
        return client.post(path, body, content_type="application/json")
    return client.get(path)


def api_url(name, *args):
    from django.urls import reverse

    return reverse(f"api:{name}", args=args)


def test_it_covers_every_api_url_that_names_an_object():
    patterns = [p for p in get_resolver("assessment.api.urls").url_patterns if isinstance(p, URLPattern)]
    with_object = {p.name for p in patterns if p.name and p.pattern.converters}
    assert with_object - API_SHARED_URLS == {name for name, *_ in API_URLS}


@pytest.mark.parametrize("name,method,kind,extra,body", API_URLS, ids=[f"api-{u[0]}-{u[2]}" for u in API_URLS])
def test_it_answers_another_organisations_token_like_a_missing_object(db, world, name, method, kind, extra, body):
    _clients, objects = world
    checked = 0
    for owner in API_ROLES:
        args = objects[owner].get(kind)
        if args is None:
            continue
        for role in API_ROLES:
            if role == owner:
                continue
            foreign = api_call(objects[role], method, api_url(name, *args, *extra), body)
            missing = api_call(objects[role], method, api_url(name, *missing_args(kind), *extra), body)
            assert foreign.status_code == missing.status_code == 404, (name, role, owner, foreign.content[:200])
            assert foreign.json() == missing.json(), (name, role, owner)
            checked += 1
    assert checked
    assert not Invitation.objects.filter(email="spy@example.com").exists()
    # Nothing was written for the caller: the world's own jobs and uploads have no author.
    assert not BulkJob.objects.filter(created_by__isnull=False).exists()
    assert not ImportUpload.objects.filter(uploaded_by__isnull=False).exists()


def test_it_lets_each_organisations_token_open_its_own_objects(db, world):
    """The other half: the same API addresses answer the organisation that owns the objects."""
    _clients, objects = world
    for owner in ("association_x", "association_y"):
        for name, method, kind, extra, _body in API_URLS:
            if method != "get":
                continue
            response = api_call(objects[owner], "get", api_url(name, *objects[owner][kind], *extra), None)
            assert response.status_code == 200, (name, owner, response.content[:200])
    listed = api_call(objects["association_x"], "get", api_url("campaigns"), None).json()
    assert [c["id"] for c in listed] == list(objects["association_x"]["campaign"])
    assert api_call(objects["consultant_a"], "get", api_url("campaigns"), None).json() == []
