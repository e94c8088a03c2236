"""Consent withdrawn means withdrawn: a member who stops sharing leaves every later download."""

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from django.test import Client

from assessment.bulk.samples import sample_table
from assessment.bulk.services import assessments_import, bulk_job_retry, bulk_job_start
from assessment.campaigns.services import consent_set
from assessment.models import Assessment, BulkItem
from assessment.reports import pdf
from assessment.selectors import questionnaire_of
from tests.test_bulk import break_render_of
from tests.test_campaigns import open_campaign, run_worker
from tests.test_workspace import url


@pytest.fixture
def chamber(version, django_user_model):
    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    _, campaign = open_campaign(user, "Hubei Chamber", "Autumn round", version)
    client = Client()
    client.force_login(user)
    rows = sample_table(questionnaire_of(version), 3)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    assessments_import(
        campaign=campaign,
        user=None,
        filename="x.csv",
        data=out.getvalue().encode(),
        messages_language="en",
        report_language="en",
    )
    return {"campaign": campaign, "client": client}


def download(chamber, job):
    response = chamber["client"].get(url("bulk_job_zip", chamber["campaign"].pk, job.pk))
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = list(csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode("utf-8-sig"))))
    return sorted(bundle.namelist()), {row["firm"]: row for row in manifest}


def test_it_leaves_a_member_who_stopped_sharing_out_of_a_later_download_and_retry(
    chamber, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.BULK_MAX_ATTEMPTS = 1
    real = break_render_of(monkeypatch, "Firm 00002")
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_job_start(campaign=chamber["campaign"], user=None, language="en", variant="summary")
    run_worker()
    names, manifest = download(chamber, job)
    assert len(names) == 3  # two reports and the manifest
    assert manifest["Firm 00000"]["status"] == "done" and manifest["Firm 00000"]["overall"]

    for name in ("Firm 00000", "Firm 00002"):  # one rendered, one failed
        consent_set(assessment=Assessment.objects.get(firm_name=name), share=False)
    monkeypatch.setattr(pdf, "html_to_pdf", real)

    names, manifest = download(chamber, job)
    assert len(names) == 2  # Firm 00001's report and the manifest
    withheld = manifest["Firm 00000"]
    assert withheld["status"] == "withheld" and withheld["file"] == ""
    assert withheld["overall"] == "" and "no longer shares" in withheld["error"]
    assert manifest["Firm 00001"]["status"] == "done"
    # "Try again" renders nothing for the member who withdrew.
    with django_capture_on_commit_callbacks(execute=True):
        assert bulk_job_retry(job=job) == 0
    run_worker()
    assert BulkItem.objects.get(assessment__firm_name="Firm 00002").status == "failed"


def test_it_ends_a_job_whose_worker_died_after_claiming_an_item(chamber, django_capture_on_commit_callbacks):
    from django.utils import timezone

    from assessment.bulk.services import bulk_claim_lease

    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_job_start(campaign=chamber["campaign"], user=None, language="en", variant="summary")
    run_worker()
    # A worker took this item and died: it stays pending, its task claimed.
    orphan = job.items.first()
    claimed = timezone.now() - bulk_claim_lease() - timedelta(seconds=1)
    BulkItem.objects.filter(pk=orphan.pk).update(status="pending", report=None, claimed_at=claimed)
    # One that was claimed just now is still within its lease and is left alone.
    fresh = job.items.exclude(pk=orphan.pk).first()
    BulkItem.objects.filter(pk=fresh.pk).update(status="pending", report=None, claimed_at=timezone.now())
    page = chamber["client"].get(url("bulk_job", chamber["campaign"].pk, job.pk) + "?format=json").json()
    assert page == {"done": 1, "failed": 1, "pending": 1, "total": 3}
    assert "worker stopped" in BulkItem.objects.get(pk=orphan.pk).error
    with django_capture_on_commit_callbacks(execute=True):
        chamber["client"].post(url("bulk_job_retry", chamber["campaign"].pk, job.pk))
    run_worker()
    assert BulkItem.objects.get(pk=orphan.pk).status == "done"
