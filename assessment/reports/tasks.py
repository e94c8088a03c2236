"""Report tasks, each taking primary keys: prepare one of an owner's PDFs after submission."""

from __future__ import annotations

from django.tasks import task

from assessment.reports.services import report_file_prepare


@task()
def render_report_file(assessment_id: int, lang: str, variant: str) -> str:
    """One stored PDF, rendered ahead of its download (see services.reports_prepare)."""
    return report_file_prepare(assessment_id=assessment_id, lang=lang, variant=variant)
