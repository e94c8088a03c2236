"""Stored report files leave the disk with the assessment they belong to."""

from django.db import transaction

from assessment.models import Assessment, ReportFile
from tests.factories import owner_client, pdf_url, submitted


def test_it_deletes_the_stored_pdfs_with_the_assessment(version, django_capture_on_commit_callbacks):
    assessment, token = submitted(version)
    client = owner_client(assessment, token)
    client.get(pdf_url(assessment, "en", "summary"))
    client.get(pdf_url(assessment, "zh-hans", "summary"))
    files = [(r.file.storage, r.file.name) for r in ReportFile.objects.filter(assessment=assessment)]
    assert len(files) == 2 and all(storage.exists(name) for storage, name in files)
    with django_capture_on_commit_callbacks(execute=True):
        assessment.delete()
    assert not any(storage.exists(name) for storage, name in files)


def test_it_deletes_the_stored_pdfs_when_many_assessments_are_deleted_at_once(
    version, django_capture_on_commit_callbacks
):
    """A queryset delete (what an admin action or a clean-up script does) cascades the same way."""
    assessment, token = submitted(version)
    owner_client(assessment, token).get(pdf_url(assessment, "en", "summary"))
    [(storage, name)] = [(r.file.storage, r.file.name) for r in ReportFile.objects.filter(assessment=assessment)]
    with django_capture_on_commit_callbacks(execute=True):
        Assessment.objects.filter(pk=assessment.pk).delete()
    assert not storage.exists(name)


def test_it_keeps_the_file_when_the_deletion_is_rolled_back(version):
    assessment, token = submitted(version)
    owner_client(assessment, token).get(pdf_url(assessment, "en", "summary"))
    [(storage, name)] = [(r.file.storage, r.file.name) for r in ReportFile.objects.filter(assessment=assessment)]
    try:
        with transaction.atomic():
            assessment.delete()
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert storage.exists(name)
