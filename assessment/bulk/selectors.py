"""Bulk reads: a campaign's report jobs, their progress and the items of a zip bundle."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from assessment.models import (
    BulkItem,
    BulkJob,
    Campaign,
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
