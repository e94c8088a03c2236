"""Bulk tasks, each taking a primary key: render one report of a job (with retries), import an uploaded file."""

from __future__ import annotations

import logging

from django.conf import settings
from django.tasks import task
from django.utils import timezone

from assessment import selectors
from assessment.models import (
    BulkItem,
)
from assessment.reports.services import report_pdf

logger = logging.getLogger(__name__)


def bulk_item_render(*, item_id: int) -> str:
    """Render one report of a bulk job, trying up to BULK_MAX_ATTEMPTS times; never raises.

    A report that keeps failing is marked failed with its last error, so the rest of the
    job goes on; the job page offers to retry just those.
    """
    item = BulkItem.objects.select_related("job").filter(pk=item_id).first()
    if item is None or item.status != BulkItem.Status.PENDING:
        return "skipped"
    BulkItem.objects.filter(pk=item.pk).update(claimed_at=timezone.now())
    assessment = selectors.assessments().get(pk=item.assessment_id)
    if not assessment.share_with_association:
        BulkItem.objects.filter(pk=item.pk).update(
            status=BulkItem.Status.FAILED, error="withheld: the member no longer shares its results"
        )
        return "withheld"
    error = ""
    for attempt in range(item.attempts + 1, settings.BULK_MAX_ATTEMPTS + 1):
        try:
            stored = report_pdf(assessment=assessment, lang=item.job.language, variant=item.job.variant)
        except Exception as exc:  # the render runs in a bounded child; any failure counts as one try
            logger.warning("Bulk report %s, try %d failed: %s", item_id, attempt, exc)
            error = (str(exc) or type(exc).__name__)[:300]
            BulkItem.objects.filter(pk=item_id).update(attempts=attempt, error=error)
            continue
        BulkItem.objects.filter(pk=item_id).update(
            status=BulkItem.Status.DONE, attempts=attempt, error="", report=stored
        )
        return "done"
    BulkItem.objects.filter(pk=item_id).update(status=BulkItem.Status.FAILED, error=error)
    return "failed"


@task()
def render_bulk_item(item_id: int) -> str:
    """One report of a bulk job."""
    return bulk_item_render(item_id=item_id)


@task()
def run_import_upload(upload_id: int) -> str:
    """Check and import an uploaded answers file too large to handle within the request."""
    from assessment.bulk.services import import_upload_run  # services enqueue this task

    return import_upload_run(upload_id=upload_id)
