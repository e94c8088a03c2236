"""Bulk reads: a campaign's report jobs, their progress and the items of a zip bundle; its uploads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from assessment.models import (
    BulkItem,
    BulkJob,
    Campaign,
    ImportUpload,
)
from assessment.reports.filenames import report_filename


def bulk_jobs_of(campaign: Campaign) -> list[dict[str, Any]]:
    jobs = campaign.bulk_jobs.order_by("-created_at")[:20]
    return [{"job": job, **bulk_progress(job)} for job in jobs]


def bulk_progress(job: BulkJob) -> dict[str, int]:
    """Counts per status in one query: done, failed, pending and total."""
    counts = dict(job.items.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    done, failed = counts.get("done", 0), counts.get("failed", 0)
    total = sum(counts.values())
    return {"done": done, "failed": failed, "pending": total - done - failed, "total": total}


def bulk_items(job: BulkJob) -> QuerySet[BulkItem]:
    return job.items.select_related("assessment", "report").defer("assessment__result").order_by("pk")


def bundle_items(job: BulkJob) -> Iterator[dict[str, Any]]:
    """What goes into a job's zip, item by item (see exports.write_bundle)."""
    rows = job.items.select_related("assessment", "report").order_by("pk").iterator(chunk_size=500)
    for item in rows:
        assessment = item.assessment
        if not assessment.share_with_association:
            # Consent is read now, not when the job ran: a member who stopped sharing is left
            # out of every later download, scores included.
            yield {
                "firm": assessment.firm_name,
                "result": None,
                "status": "withheld",
                "error": "the member no longer shares its results",
                "path": None,
                "filename": "",
            }
            continue
        stored = item.report if item.status == BulkItem.Status.DONE else None
        path = (
            stored.file.path if stored and stored.file.name and stored.file.storage.exists(stored.file.name) else None
        )
        yield {
            "firm": assessment.firm_name,
            "result": assessment.outcome,
            "status": item.status if path or item.status != BulkItem.Status.DONE else "missing",
            "error": item.error,
            "path": path,
            "filename": report_filename(
                assessment.firm_name, timezone.localdate(assessment.submitted_at), job.variant, job.language
            ),
        }


def upload_of(campaign: Campaign, upload_id: int) -> ImportUpload:
    """One upload of this campaign (the campaign is fetched through the access check); 404 otherwise."""
    upload = ImportUpload.objects.select_related("batch").filter(pk=upload_id, campaign=campaign).first()
    if upload is None:
        raise Http404
    return upload


def unfinished_uploads(campaign: Campaign) -> QuerySet[ImportUpload]:
    """Uploads still being checked or imported, or waiting for the importer's choice."""
    running = [ImportUpload.Status.CHECKING, ImportUpload.Status.IMPORTING, ImportUpload.Status.DECIDE]
    return campaign.uploads.filter(status__in=running).order_by("-created_at")[:20]


def upload_progress(upload: ImportUpload) -> dict[str, int]:
    """For the progress bar (the same keys as a bulk job's): rows scored of the rows to import."""
    pending = 1 if upload.is_running else 0
    return {"done": upload.rows_done, "failed": 0, "pending": pending, "total": upload.rows_total}


def upload_conflicts(upload: ImportUpload) -> list[dict[str, Any]]:
    """The rows for members who have answered already, with their dates as datetimes."""
    return [
        {**c, "answered_at": datetime.fromisoformat(c["answered_at"]) if c.get("answered_at") else None}
        for c in upload.conflicts
    ]
