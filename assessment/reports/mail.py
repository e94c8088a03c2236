"""The report by e-mail: the summary PDF attached, the full report and the results page as links,
in the language it was asked for, text and HTML."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from assessment import links, selectors
from assessment.models import ReportEmail, ReportFile
from assessment.reports.builder import build_report
from assessment.reports.filenames import report_filename

TOP_IN_MAIL = 3  # the e-mail names the first actions; the attachment and the page have the rest


def report_email_message(row: ReportEmail, summary: ReportFile) -> EmailMultiAlternatives:
    """The e-mail of one request: its links are made here, in the worker, from SITE_URL."""
    assessment, language = row.assessment, row.language
    qn = selectors.questionnaire_of(assessment.questionnaire)
    with translation.override(language):
        report = build_report(assessment, qn, selectors.answers_of(assessment), language)
        results = reverse("results", args=[assessment.public_id])
        full = reverse("report_pdf", args=[assessment.public_id]) + f"?lang={language}&variant=full"
        private = reverse("resume", args=[row.private_token]) if row.private_token else ""
        day = timezone.localdate(assessment.submitted_at) if assessment.submitted_at else timezone.localdate()
        context = {
            "firm": report.firm_name,
            "contact": assessment.firm.contact_name if row.by_consultant and assessment.firm else "",
            "overall": report.overall,
            "band": report.overall_band_label,
            "top": report.top_actions[:TOP_IN_MAIL],
            "results_link": links.absolute_url(results),
            "full_link": links.absolute_url(full),
            "private_link": links.absolute_url(private) if private else "",
            "by_consultant": row.by_consultant,
            "organisation": assessment.organisation.name if row.by_consultant and assessment.organisation else "",
        }
        subject = " ".join(render_to_string("email/report_subject.txt", context).split())
        text = render_to_string("email/report.txt", context)
        html = render_to_string("email/report.html", context)
        filename = report_filename(assessment.firm_name, day, "summary", language)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [row.address])
    message.attach_alternative(html, "text/html")
    with summary.file.open("rb") as pdf:
        message.attach(filename, pdf.read(), "application/pdf")
    return message
