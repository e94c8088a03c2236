"""Report tasks, each taking primary keys: prepare one of an owner's PDFs after submission,
send a report by e-mail."""

from __future__ import annotations

from django.tasks import task

from assessment.reports.services import report_email_send, report_file_prepare


@task()
def render_report_file(assessment_id: int, lang: str, variant: str) -> str:
    """One stored PDF, rendered ahead of its download (see services.reports_prepare)."""
    return report_file_prepare(assessment_id=assessment_id, lang=lang, variant=variant)


@task()
def send_report_email(report_email_id: int) -> str:
    """One report e-mail asked for on the results page (see services.report_email_request)."""
    return report_email_send(report_email_id=report_email_id)
