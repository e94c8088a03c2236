"""Report reads: the e-mails sent of an assessment's report."""

from __future__ import annotations

from assessment.models import Assessment, ReportEmail

EMAILS_SHOWN = 5


def report_emails_of(assessment: Assessment) -> list[ReportEmail]:
    """Its latest report e-mails, newest first: what the page says was sent, and when."""
    return list(
        ReportEmail.objects.filter(assessment=assessment)
        .only("address", "status", "created_at", "sent_at", "by_consultant")
        .order_by("-created_at", "-pk")[:EMAILS_SHOWN]
    )
