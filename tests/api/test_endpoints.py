"""The API's endpoints as an organisation's own system calls them, with its tokens."""

import io
import zipfile

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment.models import ApiToken, Assessment, BulkItem, Firm, ImportUpload, Invitation
from assessment.selectors import questionnaire_of
from tests.api.conftest import api_client
from tests.factories import csv_bytes, many_members, run_worker, table, url


def members_of(api, **query):
    response = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/members/", query)
    assert response.status_code == 200, response.content
    return response.json()


# --- Tokens and scopes ------------------------------------------------------------------------


def test_it_lists_the_organisations_campaigns_with_their_counts(api):
    response = api["read"].get("/api/v1/campaigns/")
    assert response.status_code == 200
    [campaign] = response.json()
    assert campaign["id"] == api["campaign"].pk
    assert campaign["name"] == "Autumn round"
    assert campaign["is_open"] is True
    assert campaign["members"] == {"invited": 1, "started": 0, "submitted": 2, "total": 3}
    detail = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/").json()
    assert detail == campaign


def test_it_refuses_a_request_without_a_token_with_a_json_401(api):
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/campaigns/")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["detail"]


def test_it_refuses_an_unknown_token_and_a_malformed_header(api):
    assert api_client("smec_not-a-token").get("/api/v1/campaigns/").status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer two words", HTTP_ACCEPT_LANGUAGE="en").get("/api/v1/campaigns/")
    assert bad.status_code == 401
    assert "Authorization: Bearer" in bad.json()["detail"]


def test_it_refuses_a_revoked_token_at_once(api):
    assert api["write"].get("/api/v1/campaigns/").status_code == 200
    api["write_token"].revoked_at = api["write_token"].created_at
    api["write_token"].save()
    response = api["write"].get("/api/v1/campaigns/")
    assert response.status_code == 401
    assert response.json() == {"detail": "This API token is not valid or was revoked."}


def test_it_notes_when_a_token_was_last_used(api):
    assert ApiToken.objects.get(pk=api["write_token"].pk).last_used_at is None
    api["write"].get("/api/v1/campaigns/")
    assert ApiToken.objects.get(pk=api["write_token"].pk).last_used_at is not None


@pytest.mark.parametrize(
    "path,body",
    [
        ("invitations/", {"members": [{"firm_name": "New Co", "email": "new@example.com"}]}),
        ("bulk-jobs/", {"language": "en", "variant": "summary"}),
    ],
)
def test_it_refuses_writes_with_a_read_token(api, path, body):
    response = api["read"].post(f"/api/v1/campaigns/{api['campaign'].pk}/{path}", body, content_type="application/json")
    assert response.status_code == 403
    assert "may only read" in response.json()["detail"]
    assert not Invitation.objects.filter(email="new@example.com").exists()
    assert not BulkItem.objects.exists()


def test_it_refuses_an_upload_with_a_read_token(api):
    rows = csv_bytes(table(questionnaire_of(api["campaign"].questionnaire), 1))
    response = api["read"].post(
        f"/api/v1/campaigns/{api['campaign'].pk}/imports/", {"file": SimpleUploadedFile("a.csv", rows)}
    )
    assert response.status_code == 403
    assert not ImportUpload.objects.exists()


def test_it_throttles_each_token_with_a_json_429(api, settings):
    settings.API_RATE = "2/minute"
    assert api["read"].get("/api/v1/campaigns/").status_code == 200
    assert api["read"].get("/api/v1/campaigns/").status_code == 200
    response = api["read"].get("/api/v1/campaigns/")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert "throttled" in response.json()["detail"].lower()
    assert api["write"].get("/api/v1/campaigns/").status_code == 200  # another token has its own count


def test_it_answers_unknown_addresses_with_a_json_404(api):
    for path in ("/api/v1/nothing/", "/api/v2/campaigns/", "/api/v1/campaigns/987654/"):
        response = api["read"].get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path


def test_it_answers_an_unexpected_error_with_a_json_500(api, monkeypatch):
    from assessment.api import selectors as api_selectors

    def broken(organisation):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(api_selectors, "campaigns_of", broken)
    client = api_client(api["write_raw"])
    client.raise_request_exception = False
    response = client.get("/api/v1/campaigns/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "Nothing was changed" in response.json()["detail"]


def test_it_refuses_a_too_large_body_with_a_json_413(api, settings):
    settings.REQUEST_MAX_MB = 1
    response = api["write"].post(
        f"/api/v1/campaigns/{api['campaign'].pk}/invitations/",
        b"{" + b" " * (2 * 1024 * 1024) + b"}",
        content_type="application/json",
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is larger than 1 MB."}


def test_it_answers_in_the_language_asked_for(api):
    response = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/api/v1/campaigns/")
    assert response.status_code == 401
    assert response.json()["detail"] == "身份认证信息未提供。"


# --- Members and their results ------------------------------------------------------------------


def test_it_lists_members_with_their_statuses(api):
    page = members_of(api)
    assert page["count"] == 3 and page["pages"] == 1 and page["next"] is None
    rows = {m["email"]: m for m in page["results"]}
    assert rows["m1@example.com"]["status"] == "submitted" and rows["m1@example.com"]["shared"] is True
    assert rows["m1@example.com"]["result_id"] == str(api["sharing"].public_id)
    assert rows["m1@example.com"]["overall"] == api["sharing"].outcome.overall
    # The private member: its status only, as on the campaign page.
    assert rows["m2@example.com"]["status"] == "submitted"
    assert rows["m2@example.com"]["result_id"] is None and rows["m2@example.com"]["overall"] is None
    assert rows["m3@example.com"]["status"] == "invited"
    assert [m["id"][0] for m in page["results"]] == ["i", "i", "i"]


def test_it_pages_members_and_filters_them_by_status(api):
    many_members(api["campaign"], 7, "joined", name="Joined")
    first = members_of(api, per_page=4)
    assert first["count"] == 10 and first["pages"] == 3
    assert first["next"].endswith(f"/api/v1/campaigns/{api['campaign'].pk}/members/?per_page=4&page=2")
    last = members_of(api, per_page=4, page=3)
    assert [m["firm"] for m in last["results"]] == ["Joined 00006", "Joined 00007"]
    assert {m["source"] for m in last["results"]} == {"joined"}
    assert last["results"][0]["id"].startswith("a")
    invited = members_of(api, status="invited")
    assert [m["email"] for m in invited["results"]] == ["m3@example.com"]
    found = members_of(api, search="00004")
    assert [m["firm"] for m in found["results"]] == ["Joined 00004"] and found["count"] == 1
    past = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/members/", {"page": 9})
    assert past.status_code == 404
    wrong = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/members/", {"status": "lost", "page": "x"})
    assert wrong.status_code == 400
    assert set(wrong.json()) == {"status", "page"}


def test_it_gives_a_sharing_members_result_with_scores_bands_and_citations(api):
    key = next(m["id"] for m in members_of(api)["results"] if m["email"] == "m1@example.com")
    response = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/members/{key}/", {"lang": "zh-hans"})
    assert response.status_code == 200
    body = response.json()
    result = body["result"]
    outcome = api["sharing"].outcome
    assert result["overall"] == outcome.overall and result["overall_band"] == outcome.overall_band
    assert {a["key"]: a["score"] for a in result["areas"]} == {k: a.score for k, a in outcome.scores.items()}
    assert {a["key"] for a in result["actions"]} == set(outcome.action_keys())
    first = next(a for a in result["actions"] if a["key"] == outcome.actions[0].key)
    assert first["priority"] == outcome.actions[0].level and first["title"] and first["rationale"]
    citation = result["actions"][0]["citations"][0]
    assert set(citation) == {"paper", "section", "title"} and citation["title"]
    assert result["language"] == "zh-hans"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in result["areas"][0]["title"])  # Chinese titles


def test_it_gives_only_the_status_of_a_member_who_does_not_share(api):
    key = next(m["id"] for m in members_of(api)["results"] if m["email"] == "m2@example.com")
    body = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/members/{key}/").json()
    assert body["status"] == "submitted" and body["shared"] is False
    assert body["result"] is None and body["overall"] is None and body["result_id"] is None
    assert str(api["private"].public_id) not in str(body)


def test_it_stops_showing_results_once_a_member_withdraws_consent(api):
    from assessment.campaigns.services import consent_set

    key = next(m["id"] for m in members_of(api)["results"] if m["email"] == "m1@example.com")
    consent_set(assessment=api["sharing"], share=False)
    body = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/members/{key}/").json()
    assert body["result"] is None and body["status"] == "submitted"


def test_it_gives_a_404_for_a_member_of_no_such_id(api):
    for key in ("i987654", "a987654"):
        response = api["read"].get(f"/api/v1/campaigns/{api['campaign'].pk}/members/{key}/")
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"


# --- Invitations --------------------------------------------------------------------------------


def test_it_invites_members_and_mails_them(api, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    body = {
        "members": [
            {"firm_name": "Wuhan Optics, Ltd", "contact_name": "Li Na", "email": "Li@Example.com", "language": "zh"},
            {"firm_name": "Hubei Freight", "email": "ops@example.com"},
            {"firm_name": "Member 1", "email": "m1@example.com"},
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api["write"].post(
            f"/api/v1/campaigns/{api['campaign'].pk}/invitations/", body, content_type="application/json"
        )
    assert response.status_code == 201
    assert response.json() == {"invited": 2, "skipped": 1}
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["li@example.com", "ops@example.com"]
    li = Invitation.objects.get(email="li@example.com")
    assert (li.firm.name, li.firm.contact_name, li.language) == ("Wuhan Optics, Ltd", "Li Na", "zh-hans")


def test_it_takes_invitations_as_the_pages_lines(api):
    text = "New Co, Wang, new@example.com\nOther Co；Zhao；other@example.com；en"
    response = api["write"].post(
        f"/api/v1/campaigns/{api['campaign'].pk}/invitations/", {"text": text}, content_type="application/json"
    )
    assert response.status_code == 201
    assert response.json() == {"invited": 2, "skipped": 0}


def test_it_invites_nobody_when_one_member_is_wrong_with_the_pages_messages(api):
    body = {"members": [{"firm_name": "Good Co", "email": "good@example.com"}, {"firm_name": "", "email": "nope"}]}
    response = api["write"].post(
        f"/api/v1/campaigns/{api['campaign'].pk}/invitations/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        "Line 2: the firm name is missing or longer than 200 characters; “nope” is not an e-mail address."
    ]
    assert not Invitation.objects.filter(email="good@example.com").exists()
    # The campaign page says the same of the same list.
    client = Client()
    client.force_login(api["user"])
    page = client.post(url("campaign_invite", api["campaign"].pk), {"members": "Good Co,,good@example.com\n,,nope"})
    assert "Line 2: the firm name is missing or longer than 200 characters; “nope” is not an e-mail address." in (
        page.content.decode()
    )


def test_it_refuses_an_invitation_body_that_is_neither_members_nor_text(api):
    response = api["write"].post(
        f"/api/v1/campaigns/{api['campaign'].pk}/invitations/", {"people": []}, content_type="application/json"
    )
    assert response.status_code == 400
    broken = api["write"].post(
        f"/api/v1/campaigns/{api['campaign'].pk}/invitations/", "{not json", content_type="application/json"
    )
    assert broken.status_code == 400
    assert broken["Content-Type"] == "application/json"


# --- Imports ------------------------------------------------------------------------------------


def post_file(api, name: str, data: bytes, **extra):
    return api["write"].post(
        f"/api/v1/campaigns/{api['campaign'].pk}/imports/", {"file": SimpleUploadedFile(name, data), **extra}
    )


def test_it_imports_a_clean_file(api):
    qn = questionnaire_of(api["campaign"].questionnaire)
    response = post_file(api, "round.csv", csv_bytes(table(qn, 3)), report_language="zh-hans")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "done" and body["imported"] == 3 and body["errors"] == []
    imported = Assessment.objects.filter(campaign=api["campaign"], import_batch__isnull=False)
    assert imported.count() == 3
    assert set(imported.values_list("language", flat=True)) == {"zh-hans"}
    poll = api["read"].get(body["url"])
    assert poll.status_code == 200 and poll.json()["status"] == "done"


def test_it_gives_row_errors_like_the_page_and_writes_nothing(api):
    qn = questionnaire_of(api["campaign"].questionnaire)
    rows = table(qn, 3)
    rows[2][rows[0].index("employees")] = "many"
    rows[3][rows[0].index("firm_name")] = ""
    data = csv_bytes(rows)
    firms = Firm.objects.count()
    response = post_file(api, "bad.csv", data)
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "rejected"
    assert body["message"] == "Nothing was imported: correct these cells and upload the file again."
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "employees"), (4, "firm_name")]
    assert body["errors"][0]["value"] == "many" and body["errors"][0]["message"]
    assert not Assessment.objects.filter(import_batch__isnull=False).exists()
    assert Firm.objects.count() == firms
    # The import page, given the same file, lists the very same cells and messages.
    client = Client()
    client.force_login(api["user"])
    client.post(url("campaign_import", api["campaign"].pk), {"upload": SimpleUploadedFile("bad.csv", data)})
    page_upload = ImportUpload.objects.order_by("-pk").first()
    assert page_upload.errors == body["errors"]


def test_it_rejects_a_file_that_is_no_table(api):
    response = post_file(api, "photo.xlsx", b"\x89PNG not a workbook")
    assert response.status_code == 400
    body = response.json()
    assert body["status"] == "rejected" and body["message"] and body["errors"] == []
    assert not Assessment.objects.filter(import_batch__isnull=False).exists()


def test_it_refuses_an_upload_without_a_file(api):
    response = api["write"].post(f"/api/v1/campaigns/{api['campaign'].pk}/imports/", {"report_language": "xx"})
    assert response.status_code == 400
    assert set(response.json()) == {"file", "report_language"}


def test_it_asks_for_a_choice_for_members_who_answered_and_then_replaces(api):
    qn = questionnaire_of(api["campaign"].questionnaire)
    rows = table(qn, 1)
    rows[1][rows[0].index("firm_name")] = "Member 1"  # answered online already
    response = post_file(api, "again.csv", csv_bytes(rows))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "decide" and [c["row"] for c in body["conflicts"]] == [2]
    chosen = api["write"].post(body["url"] + "choice/", {"replace_rows": [2]}, content_type="application/json")
    assert chosen.status_code == 200
    assert chosen.json()["status"] == "done" and chosen.json()["replaced"] == 1
    again = api["write"].post(body["url"] + "choice/", {"replace_rows": [2]}, content_type="application/json")
    assert again.status_code == 400


# --- Bulk reports -------------------------------------------------------------------------------


def test_it_starts_a_bulk_job_polls_it_and_downloads_the_zip(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api["write"].post(
            f"/api/v1/campaigns/{api['campaign'].pk}/bulk-jobs/",
            {"language": "en", "variant": "summary"},
            content_type="application/json",
        )
    assert response.status_code == 202
    job = response.json()
    assert job["total"] == 1 and job["pending"] == 1 and job["finished"] is False and job["zip_url"] is None
    early = api["read"].get(job["url"] + "zip/")
    assert early.status_code == 409 and "still being made" in early.json()["detail"]
    run_worker()
    polled = api["read"].get(job["url"]).json()
    assert polled["done"] == 1 and polled["finished"] is True
    download = api["read"].get(polled["zip_url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))).namelist()
    assert any(name.endswith(".pdf") for name in names)


def test_it_refuses_a_bulk_job_of_no_sharing_member_and_bad_choices(api):
    base = f"/api/v1/campaigns/{api['campaign'].pk}/bulk-jobs/"
    private = {"language": "en", "variant": "full", "assessments": [str(api["private"].public_id)]}
    response = api["write"].post(base, private, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"assessments": ["None of the chosen members shares its results."]}
    wrong = api["write"].post(base, {"language": "fr", "variant": "poster"}, content_type="application/json")
    assert wrong.status_code == 400 and set(wrong.json()) == {"language", "variant"}
    assert not BulkItem.objects.exists()


# --- Questionnaires -----------------------------------------------------------------------------


def test_it_gives_a_questionnaire_versions_content(api, version):
    listed = api["read"].get("/api/v1/questionnaires/").json()
    assert [v["version"] for v in listed] == [version.version]
    assert listed[0]["is_current"] is True
    body = api["read"].get(listed[0]["url"]).json()
    assert body["version"] == version.version
    assert body["content"] == version.definition
    assert api["read"].get("/api/v1/questionnaires/1999.1/").status_code == 404


def test_it_imports_a_large_file_in_the_background_and_the_poll_says_when_done(
    api, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_KB = 1  # every file here is "large"
    qn = questionnaire_of(api["campaign"].questionnaire)
    with django_capture_on_commit_callbacks(execute=True):
        response = post_file(api, "big.csv", csv_bytes(table(qn, 4)))
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "checking" and body["imported"] is None
    assert not Assessment.objects.filter(import_batch__isnull=False).exists()
    run_worker()
    polled = api["read"].get(body["url"]).json()
    assert polled["status"] == "done" and polled["imported"] == 4 and polled["rows_done"] == 4


def test_it_invites_nobody_once_the_campaign_has_closed(api):
    from datetime import timedelta

    from django.utils import timezone

    campaign = api["campaign"]
    campaign.closes_on = timezone.localdate() - timedelta(days=1)
    campaign.save()
    body = {"members": [{"firm_name": "Late Co", "email": "late@example.com"}]}
    response = api["write"].post(f"/api/v1/campaigns/{campaign.pk}/invitations/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Invitations can be sent only while the campaign is open")
    assert not Invitation.objects.filter(email="late@example.com").exists()


def test_it_answers_json_even_where_django_refuses_the_request_before_the_api(api):
    refused = api["read"].get("/api/v1/campaigns/", HTTP_HOST="evil.example.com")
    assert refused.status_code == 400
    assert refused.json() == {"detail": "The request could not be understood."}
    page = Client().get("/en/", HTTP_HOST="evil.example.com")
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")  # pages keep their page
