"""The typed Result: what submission stores and every reader reads (issue 13)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.bulk.samples import sample_table
from assessment.bulk.services import assessments_import
from assessment.campaigns.selectors import standing_of
from assessment.campaigns.services import campaign_create
from assessment.models import Assessment
from assessment.questionnaire.result import PlannedAction, Result, build_result
from assessment.questionnaire.samples import sample_answers, sample_firm
from assessment.selectors import questionnaire_of
from assessment.workspace.services import organisation_create


def test_it_stores_and_reads_back_the_same_result(shipped):
    qn = shipped
    for n in range(12):
        answers = sample_answers(qn, sample_firm(qn, n), quality=n / 12, seed=n)
        result = build_result(qn, answers)
        assert Result.from_json(result.to_json()) == result
        assert result.to_json()["actions"][0].keys() >= {"key", "tailoring", "level", "why", "after", "core"}


def test_it_reads_a_snapshot_from_before_severity_rules_and_writes_it_back_unchanged():
    old = {
        "scores": {"resilience": {"score": 40, "band": "developing", "counted": 6}},
        "overall": 40,
        "overall_band": "developing",
        "facts": {"sector": "tertiary"},
        "actions": [{"key": "res_backup", "tailoring": [1]}],
        "strengths": [],
    }
    result = Result.from_json(old)
    assert result.actions == (PlannedAction("res_backup", (1,)),)
    assert result.actions[0].level is None and result.actions[0].core
    assert result.score_of("resilience") == 40 and result.score_of("financing") is None
    assert result.to_json() == {**old, "support": [], "readiness": []}
    assert Result.from_json(None) == Result() and Result().weakest_area() is None


def test_it_names_the_weakest_area_ties_by_key():
    result = Result.from_json(
        {"scores": {"innovation": {"score": 30}, "financing": {"score": 30}, "resilience": {"score": None}}}
    )
    assert result.weakest_area() == "financing"


@pytest.fixture
def campaign(version, django_user_model):
    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    organisation = organisation_create(user=user, name="Hubei Chamber", kind="association")
    today = timezone.localdate()
    return campaign_create(
        organisation=organisation,
        user=user,
        name="Autumn round",
        questionnaire=version,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )


def _import(campaign, count, start, share):
    out = io.StringIO()
    qn = questionnaire_of(campaign.questionnaire)
    csv.writer(out).writerows(sample_table(qn, count, start=start, share=share))
    assessments_import(
        campaign=campaign,
        user=None,
        filename=f"{start}.csv",
        data=out.getvalue().encode(),
        messages_language="en",
        report_language="en",
    )


@pytest.mark.django_db
def test_it_reads_a_members_percentile_against_sharing_members_only(campaign):
    # The association opens a sharing member's page; a private member's submission between two
    # readings must not move that percentile, or it would place the private member's score.
    _import(campaign, 6, start=0, share="yes")
    shared = list(Assessment.objects.filter(campaign=campaign).order_by("pk"))
    before = [standing_of(a) for a in shared]
    assert all(s is not None and s["count"] == 6 for s in before)
    _import(campaign, 3, start=100, share="no")
    assert [standing_of(a) for a in shared] == before


def test_it_names_every_download_by_one_rule():
    from datetime import date

    from assessment.reports.filenames import download_name, report_filename

    day = date(2026, 12, 2)
    # A firm name holding ".pdf" keeps it: nothing patches a built name any more.
    assert report_filename("Acme.pdf Trading", day, "full", "zh-hans") == "Acme.pdf Trading-2026-12-02-report-zh.pdf"
    assert report_filename("武汉 光谷", day, "summary", "en") == "武汉 光谷-2026-12-02-summary-en.pdf"
    assert (
        download_name("Autumn/round", day, "reports", lang="zh-hans", ext="zip")
        == "Autumn round-2026-12-02-reports-zh.zip"
    )


@pytest.mark.django_db
def test_it_names_zip_entries_like_single_downloads(campaign):
    from assessment.bulk.selectors import bundle_items
    from assessment.bulk.services import bulk_job_start

    _import(campaign, 1, start=0, share="yes")
    Assessment.objects.filter(campaign=campaign).update(firm_name="Acme.pdf Trading")
    job = bulk_job_start(campaign=campaign, user=None, language="zh-hans", variant="full")
    [item] = list(bundle_items(job))
    assert item["filename"].startswith("Acme.pdf Trading-") and item["filename"].endswith("-report-zh.pdf")


@pytest.mark.django_db
def test_it_stores_the_chosen_report_language_not_the_screen_language(campaign, client):
    # A Chinese-speaking association imports English-speaking members' answers: their
    # reports are in English, whatever language the association's screen is in.
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse
    from django.utils import translation

    client.force_login(campaign.created_by)
    out = io.StringIO()
    csv.writer(out).writerows(sample_table(questionnaire_of(campaign.questionnaire), 2))
    with translation.override("zh-hans"):
        address = reverse("campaign_import", args=[campaign.pk])
    page = client.get(address).content.decode()
    assert 'name="report_language"' in page and "会员报告的语言" in page
    upload = SimpleUploadedFile("members.csv", out.getvalue().encode())
    response = client.post(address, {"upload": upload, "report_language": "en"})
    assert response.status_code == 302
    assert set(Assessment.objects.filter(campaign=campaign).values_list("language", flat=True)) == {"en"}
