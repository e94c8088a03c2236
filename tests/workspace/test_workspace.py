"""Consultants: organisation, client firms, assessments run for clients, progress, isolation."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment.models import Answer, Assessment, Firm, Membership, Organisation
from assessment.questionnaire.samples import sample_answers
from assessment.selectors import questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit
from assessment.workspace.services import firm_create
from tests.factories import PROFILE, squash, submitted_for, text_of, url


def test_it_offers_to_create_an_organisation_first(client, db, django_user_model):
    user = django_user_model.objects.create_user("newcomer", password="a-long-password-1")
    client.force_login(user)
    assert "Set up your organisation" in client.get(url("workspace")).content.decode()
    response = client.post(url("organisation_new"), {"name": "Wuhan SME Service Centre", "kind": "consultancy"})
    assert response["Location"] == url("workspace")
    membership = Membership.objects.get(user=user)
    assert membership.role == "admin" and membership.organisation.name == "Wuhan SME Service Centre"


def test_it_needs_a_login_for_the_workspace(client, db):
    assert client.get(url("workspace"))["Location"].startswith(url("login"))


def test_it_lists_only_its_own_clients_with_search_and_filters(consultancy, version):
    a = consultancy["a"]
    firm_create(organisation=a["org"], name="Hubei Green Tea Co.")
    submitted_for(a["firm"], version, 0.0, days_ago=1)
    page = a["client"].get(url("workspace")).content.decode()
    assert "Client of A" in page and "Hubei Green Tea Co." in page and "Client of B" not in page
    page = a["client"].get(url("workspace"), {"q": "tea"}).content.decode()
    assert "Hubei Green Tea Co." in page and "Client of A" not in page
    page = a["client"].get(url("workspace"), {"band": "fragile"}).content.decode()
    assert "Client of A" in page and "Hubei Green Tea Co." not in page


def test_it_adds_a_client_and_runs_an_interview_with_the_same_wizard(consultancy, version):
    a = consultancy["a"]
    response = a["client"].post(url("client_new"), {"name": "Xiangyang Auto Parts", "contact_name": "Ms Li"})
    firm = Firm.objects.get(name="Xiangyang Auto Parts")
    assert firm.organisation == a["org"]
    assert response["Location"] == url("client", firm.pk)
    response = a["client"].post(url("client_start", firm.pk), {"mode": "interview"})
    assessment = Assessment.objects.get(firm=firm)
    assert response["Location"] == url("step", assessment.public_id, "profile")
    assert assessment.organisation == a["org"] and assessment.created_by == a["user"] and assessment.owner is None
    assert Answer.objects.get(assessment=assessment, question_key="firm_name").value == "Xiangyang Auto Parts"
    # a colleague of the same consultancy can continue it; the other consultancy cannot see it
    colleague = Client()
    colleague_user = type(a["user"]).objects.create_user("colleague_a", password="a-long-password-1")
    Membership.objects.create(organisation=a["org"], user=colleague_user)
    colleague.force_login(colleague_user)
    assert colleague.get(url("step", assessment.public_id, "profile")).status_code == 200
    assert consultancy["b"]["client"].get(url("step", assessment.public_id, "profile")).status_code == 404


def test_it_creates_a_private_link_for_the_owner(consultancy, version):
    a = consultancy["a"]
    response = a["client"].post(url("client_start", a["firm"].pk), {"mode": "link"}, follow=True)
    link = re.search(r"(http://127\.0\.0\.1:8000/en/resume/[\w-]+/)", response.content.decode()).group(1)
    owner = Client()
    assert owner.get(link.removeprefix("http://127.0.0.1:8000")).status_code == 302
    assessment = Assessment.objects.get(firm=a["firm"])
    assert owner.get(url("step", assessment.public_id, "profile")).status_code == 200


def test_it_shows_progress_between_two_assessments(consultancy, version):
    a = consultancy["a"]
    earlier = submitted_for(a["firm"], version, 0.1, days_ago=120)
    later = submitted_for(a["firm"], version, 0.9, days_ago=1)
    page = a["client"].get(url("client", a["firm"].pk)).content.decode()
    assert "Progress from" in page and "Resolved since last time" in page
    qn = questionnaire_of(version)
    resolved = {x["key"] for x in earlier.result["actions"]} - {x["key"] for x in later.result["actions"]}
    assert resolved
    for key in resolved:
        assert qn.recommendation(key).title["en"] in page
    delta = later.result["overall"] - earlier.result["overall"]
    assert f"+{delta}" in page


@pytest.mark.parametrize("name", ["client", "client_start"])
def test_it_hides_other_consultancies_clients(consultancy, version, name):
    a, b = consultancy["a"], consultancy["b"]
    response = (
        a["client"].post(url(name, b["firm"].pk))
        if name == "client_start"
        else a["client"].get(url(name, b["firm"].pk))
    )
    assert response.status_code == 404
    assert not Assessment.objects.filter(firm=b["firm"]).exists()


def test_it_hides_another_consultancys_assessment_pages_and_pdf(consultancy, version):
    a, b = consultancy["a"], consultancy["b"]
    theirs = submitted_for(b["firm"], version, 0.5, days_ago=1)
    assert b["client"].get(url("results", theirs.public_id)).status_code == 200
    for name, args in (("results", ()), ("review", ()), ("step", ("profile",))):
        assert a["client"].get(url(name, theirs.public_id, *args)).status_code == 404
    pdf = url("report_pdf", theirs.public_id) + "?lang=en&variant=summary"
    assert a["client"].get(pdf).status_code == 404


def test_it_validates_the_organisation_kind(client, db, django_user_model):
    user = django_user_model.objects.create_user("x", password="a-long-password-1")
    client.force_login(user)
    response = client.post(url("organisation_new"), {"name": "X", "kind": "bank"})
    assert response.status_code == 400
    assert not Organisation.objects.exists()


def test_it_names_the_consultancy_on_the_report(consultancy, version):
    a = consultancy["a"]
    assessment = submitted_for(a["firm"], version, 0.5, days_ago=1)
    page = a["client"].get(url("results", assessment.public_id)).content.decode()
    assert "With Service Centre A" in page
    response = a["client"].get(url("report_pdf", assessment.public_id) + "?lang=en&variant=summary")
    assert "WithServiceCentreA" in squash(text_of(b"".join(response.streaming_content)))


def test_it_lets_consultants_annotate_areas_and_actions_in_page_and_pdf(consultancy, version):
    a, b = consultancy["a"], consultancy["b"]
    assessment = submitted_for(a["firm"], version, 0.2, days_ago=1)
    action = assessment.result["actions"][0]["key"]
    notes = url("note_save", assessment.public_id)
    a["client"].post(notes, {"target": "area:financing", "text": "Bank visit booked for <May>."})
    a["client"].post(notes, {"target": f"rec:{action}", "text": "Owner agrees; start with the cash plan."})
    page = a["client"].get(url("results", assessment.public_id)).content.decode()
    assert "Bank visit booked for &lt;May&gt;." in page
    assert "Owner agrees; start with the cash plan." in page
    response = a["client"].get(url("report_pdf", assessment.public_id) + "?lang=en&variant=full")
    text = squash(text_of(b"".join(response.streaming_content)))
    assert "Bankvisitbookedfor<May>." in text and "Owneragrees;startwiththecashplan." in text
    # only notes for this report's areas and actions; only the consultancy's members
    bad = a["client"].post(notes, {"target": "rec:not_triggered_here", "text": "x"}, follow=True)
    assert "does not belong to this report" in bad.content.decode()
    assert b["client"].post(notes, {"target": "area:financing", "text": "hijack"}).status_code == 404
    # an empty note removes it
    a["client"].post(notes, {"target": "area:financing", "text": "  "})
    assert "Bank visit booked" not in a["client"].get(url("results", assessment.public_id)).content.decode()


def test_it_does_not_offer_notes_to_the_owner_of_a_self_assessment(client, version):
    assessment, token = assessment_create(version=version, owner=None, language="en")
    answers_save(
        assessment=assessment, values=sample_answers(questionnaire_of(version), {**PROFILE, "firm_name": "Own"}, 0.5)
    )
    assessment_submit(assessment=assessment)
    client.get(url("resume", token))
    page = client.get(url("results", assessment.public_id)).content.decode()
    assert "Add a note to the report" not in page
    assert (
        client.post(url("note_save", assessment.public_id), {"target": "area:financing", "text": "x"}).status_code
        == 404
    )


def test_it_marks_answers_validated_or_changed_by_the_consultant(consultancy, version):
    a = consultancy["a"]
    assessment, token = assessment_create(version=version, owner=None, language="en", firm=a["firm"])
    qn = questionnaire_of(version)
    answers = sample_answers(qn, {**PROFILE, "firm_name": a["firm"].name}, 0.2, seed=3)
    owner = Client()
    owner.get(url("resume", token))
    for section in qn.sections:
        data = {q.key: answers[q.key] for q in section.questions if q.key in answers}
        owner.post(url("step", assessment.public_id, section.key), {**data, "action": "save"})
    assert not Answer.objects.filter(assessment=assessment, validated_by__isnull=False).exists()

    # the consultant reviews the resilience page and changes one answer
    section = qn.section("resilience")
    data = {q.key: answers[q.key] for q in section.questions if q.key in answers}
    changed = next(q for q in section.questions if q.type in ("single", "scale") and q.key in data)
    new_value = next(o.key for o in changed.options if o.key != data[changed.key] and not o.na)
    a["client"].post(
        url("step", assessment.public_id, "resilience"), {**data, changed.key: new_value, "action": "save"}
    )
    row = Answer.objects.get(assessment=assessment, question_key=changed.key)
    assert row.validated_by == a["user"] and row.value == new_value and row.owner_value == data[changed.key]
    same = Answer.objects.get(assessment=assessment, question_key=next(k for k in data if k != changed.key))
    assert same.validated_by == a["user"] and same.owner_value is None
    a["client"].post(
        url("answer_reason", assessment.public_id),
        {"question_key": changed.key, "reason": "Checked the bank statements."},
    )
    review = a["client"].get(url("review", assessment.public_id)).content.decode()
    assert "changed by the consultant" in review and "self-assessed" in review

    a["client"].post(url("submit", assessment.public_id))
    response = a["client"].get(url("report_pdf", assessment.public_id) + "?lang=en&variant=full")
    text = squash(text_of(b"".join(response.streaming_content)))
    owner_said = squash(changed.option(data[changed.key]).text["en"])
    assert f"changedbytheconsultant(owneranswered:{owner_said})Checkedthebankstatements." in text
    assert "validatedbytheconsultant" in text and "self-assessed" in text


def test_it_makes_an_answer_self_assessed_again_when_the_owner_changes_it(consultancy, version):
    a = consultancy["a"]
    assessment, token = assessment_create(version=version, owner=None, language="en", firm=a["firm"])
    a["client"].post(url("step", assessment.public_id, "profile"), {"firm_name": "Checked Name", "action": "save"})
    assert Answer.objects.get(assessment=assessment, question_key="firm_name").validated_by == a["user"]
    owner = Client()
    owner.get(url("resume", token))
    owner.post(url("step", assessment.public_id, "profile"), {"firm_name": "Owner Name", "action": "save"})
    row = Answer.objects.get(assessment=assessment, question_key="firm_name")
    assert row.validated_by is None and row.owner_value is None


def test_it_takes_a_reason_only_for_changed_answers_and_only_from_the_consultancy(consultancy, version):
    a, b = consultancy["a"], consultancy["b"]
    assessment, _ = assessment_create(version=version, owner=None, language="en", firm=a["firm"])
    reason_url = url("answer_reason", assessment.public_id)
    response = a["client"].post(reason_url, {"question_key": "firm_name", "reason": "x"}, follow=True)
    assert "only changed answers take one" in response.content.decode()
    assert b["client"].post(reason_url, {"question_key": "firm_name", "reason": "x"}).status_code == 404


def _image(size=(800, 300), fmt="PNG", color=(11, 83, 148)) -> SimpleUploadedFile:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", size, color).save(buffer, fmt)
    return SimpleUploadedFile(f"logo.{fmt.lower()}", buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_it_prints_the_consultancy_logo_on_the_report_cover(consultancy, version):
    a = consultancy["a"]
    response = a["client"].post(url("organisation_logo"), {"logo": _image()}, follow=True)
    assert "Logo saved" in response.content.decode()
    org = Organisation.objects.get(pk=a["org"].pk)
    assert org.logo_type == "image/png" and len(org.logo) < 60 * 1024
    assessment = submitted_for(a["firm"], version, 0.5, days_ago=1)
    pdf = b"".join(
        a["client"].get(url("report_pdf", assessment.public_id) + "?lang=en&variant=summary").streaming_content
    )
    assert b"/Subtype /Image" in pdf


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png"),
            "not an image we can read",
        ),
        (
            SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", content_type="image/svg+xml"),
            "not an image we can read",
        ),
        ("bomb", "too many pixels"),
        (SimpleUploadedFile("big.png", b"0" * (2 * 1024 * 1024 + 1), content_type="image/png"), "larger than 2 MB"),
    ],
)
def test_it_refuses_bad_logos_with_a_clear_message(consultancy, upload, message):
    a = consultancy["a"]
    if upload == "bomb":
        upload = _image(size=(6000, 6000))
    response = a["client"].post(url("organisation_logo"), {"logo": upload}, follow=True)
    assert message in response.content.decode()
    assert not Organisation.objects.get(pk=a["org"].pk).logo


def test_it_lets_only_administrators_change_the_logo(consultancy, django_user_model):
    a = consultancy["a"]
    staff = django_user_model.objects.create_user("staff_a", password="a-long-password-1")
    Membership.objects.create(organisation=a["org"], user=staff, role="staff")
    client = Client()
    client.force_login(staff)
    assert client.post(url("organisation_logo"), {"logo": _image()}).status_code == 404


def test_it_ends_access_when_a_consultant_leaves_the_organisation(consultancy, version):
    a = consultancy["a"]
    a["client"].post(url("client_start", a["firm"].pk), {"mode": "interview"})
    assessment = Assessment.objects.get(firm=a["firm"])
    assert a["client"].get(url("step", assessment.public_id, "profile")).status_code == 200
    Membership.objects.filter(user=a["user"]).delete()
    assert a["client"].get(url("step", assessment.public_id, "profile")).status_code == 404


def test_it_orders_progress_by_submission_date(consultancy, version, shanghai_today):
    a = consultancy["a"]
    submitted_for(a["firm"], version, 0.1, days_ago=90)  # created now, submitted 90 days ago
    submitted_for(a["firm"], version, 0.9, days_ago=1)
    page = a["client"].get(url("client", a["firm"].pk)).content.decode()
    first, last = shanghai_today - timedelta(days=90), shanghai_today - timedelta(days=1)
    assert f"Progress from {first:%Y-%m-%d} to {last:%Y-%m-%d}" in page


def test_it_replaces_a_lost_owner_link(consultancy, version):
    a, b = consultancy["a"], consultancy["b"]
    first = a["client"].post(url("client_start", a["firm"].pk), {"mode": "link"}, follow=True).content.decode()
    old = re.search(r"http://127\.0\.0\.1:8000(/en/resume/[\w-]+/)", first).group(1)
    assessment = Assessment.objects.get(firm=a["firm"])
    new_url = url("client_new_link", a["firm"].pk, assessment.public_id)
    assert b["client"].post(url("client_new_link", b["firm"].pk, assessment.public_id)).status_code == 404
    page = a["client"].post(new_url, follow=True).content.decode()
    new = re.search(r"http://127\.0\.0\.1:8000(/en/resume/[\w-]+/)", page).group(1)
    assert new != old
    assert Client().get(old).status_code == 404
    assert Client().get(new).status_code == 302


def test_it_adds_a_progress_section_to_the_pdf(consultancy, version, shanghai_today):
    a = consultancy["a"]
    earlier = submitted_for(a["firm"], version, 0.1, days_ago=120)
    later = submitted_for(a["firm"], version, 0.9, days_ago=1)
    response = a["client"].get(url("report_pdf", later.public_id) + "?lang=en&variant=full")
    text = squash(text_of(b"".join(response.streaming_content)))
    assert f"Progresssincethelastassessment({shanghai_today - timedelta(days=120):%Y-%m-%d})" in text
    assert f"+{later.result['overall'] - earlier.result['overall']}" in text
    # the first assessment has nothing to compare with
    first = squash(
        text_of(
            b"".join(a["client"].get(url("report_pdf", earlier.public_id) + "?lang=en&variant=full").streaming_content)
        )
    )
    assert "Progresssincethelastassessment" not in first


def test_it_pages_the_client_list_with_flat_queries(consultancy, version):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    a = consultancy["a"]
    Firm.objects.bulk_create([Firm(organisation=a["org"], name=f"Firm {i:03d}") for i in range(60)])
    with CaptureQueriesContext(connection) as small:
        first = a["client"].get(url("workspace")).content.decode()
    # by name: "Client of A", then Firm 000 to Firm 048 make the first 50
    assert "Client of A" in first and "Firm 048" in first and "Firm 049" not in first
    assert "Page 1 of 2" in first
    second = a["client"].get(url("workspace"), {"page": 2}).content.decode()
    assert "Firm 049" in second and "Firm 059" in second and "Client of A" not in second
    Firm.objects.bulk_create([Firm(organisation=a["org"], name=f"More {i:03d}") for i in range(200)])
    with CaptureQueriesContext(connection) as large:
        a["client"].get(url("workspace"))
    assert len(large) == len(small)
    assert "Firm 007" in a["client"].get(url("workspace"), {"q": "firm 007"}).content.decode()


def test_it_lets_the_consultant_reopen_an_owner_submitted_assessment_to_validate_it(consultancy, version):
    a = consultancy["a"]
    assessment, token = assessment_create(version=version, owner=None, language="en", firm=a["firm"])
    qn = questionnaire_of(version)
    answers = sample_answers(qn, {**PROFILE, "firm_name": a["firm"].name}, 0.2, seed=3)
    answers_save(assessment=assessment, values=answers)
    owner = Client()
    owner.get(url("resume", token))
    owner.post(url("submit", assessment.public_id))
    before = Assessment.objects.get(pk=assessment.pk).result["overall"]
    assert "Reopen to validate" not in owner.get(url("results", assessment.public_id)).content.decode()
    assert owner.post(url("reopen", assessment.public_id)).status_code == 404
    assert consultancy["b"]["client"].post(url("reopen", assessment.public_id)).status_code == 404
    assert Assessment.objects.get(pk=assessment.pk).status == "submitted"

    assert "Reopen to validate" in a["client"].get(url("results", assessment.public_id)).content.decode()
    response = a["client"].post(url("reopen", assessment.public_id))
    assert response["Location"] == url("review", assessment.public_id)
    reopened = Assessment.objects.get(pk=assessment.pk)
    assert reopened.status == "draft" and reopened.result is None
    # The consultant validates a page with better answers and submits again: new scores.
    better = sample_answers(qn, {**PROFILE, "firm_name": a["firm"].name}, 1.0, seed=3)
    section = qn.section("financing")
    data = {q.key: better[q.key] for q in section.questions if q.key in better}
    a["client"].post(url("step", assessment.public_id, "financing"), {**data, "action": "save"})
    assert Answer.objects.filter(assessment=assessment, validated_by=a["user"]).count() == len(data)
    a["client"].post(url("submit", assessment.public_id))
    after = Assessment.objects.get(pk=assessment.pk)
    assert after.status == "submitted" and after.result["overall"] > before
