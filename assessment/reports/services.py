"""The stored PDF of an assessment: reused while its inputs are unchanged, else rendered and
stored; an owner's are prepared by the worker as soon as the assessment is submitted.

Deciding whether a stored PDF is current imports nothing of WeasyPrint (`fingerprint`), so a
web process that only serves stored files never pays for it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta
from typing import Any

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment import languages, selectors
from assessment.models import (
    Assessment,
    ReportEmail,
    ReportFile,
)
from assessment.questionnaire.result import build_result
from assessment.questionnaire.samples import sample_answers, sample_firm
from assessment.reports.builder import build_report
from assessment.reports.fingerprint import VARIANTS, template_fingerprint

logger = logging.getLogger(__name__)

# How long a download waits on the worker for a report it was asked to prepare: past this
# (a stopped worker, a long queue) the download renders it itself, as it would have anyway.
PREPARE_WAIT_SECONDS = 60
# An owner waiting on their report goes before the reports of a bulk job (default priority 0),
# where the queue can order tasks (the database queue does; RQ's queue is first come, first served).
OWNER_REPORT_PRIORITY = 10


def report_inputs_digest(assessment: Assessment, inputs: dict[str, Any], lang: str, variant: str) -> str:
    """Everything a rendered report depends on; a stored PDF is reused while this is unchanged."""
    payload = [
        assessment.result,
        inputs,
        assessment.firm_name,
        assessment.organisation.name if assessment.organisation else None,
        hashlib.sha256(assessment.organisation.logo or b"").hexdigest() if assessment.organisation else None,
        assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        assessment.questionnaire.checksum,
        lang,
        variant,
        template_fingerprint(),
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _digest(assessment: Assessment, lang: str, variant: str) -> tuple[str, dict[str, Any]]:
    inputs = selectors.report_inputs(assessment)
    previous = inputs["previous"]
    digest = report_inputs_digest(
        assessment, {**inputs, "previous": [previous.pk, previous.result] if previous else None}, lang, variant
    )
    return digest, inputs


def _is_current(report: ReportFile | None, digest: str) -> bool:
    return bool(
        report and report.inputs_digest == digest and report.file.name and report.file.storage.exists(report.file.name)
    )


def _current(assessment: Assessment, lang: str, variant: str) -> tuple[ReportFile | None, str, dict[str, Any]]:
    """(the stored PDF if rendered from today's inputs, else None; the inputs' digest; the inputs)."""
    digest, inputs = _digest(assessment, lang, variant)
    existing = ReportFile.objects.filter(assessment=assessment, language=lang, variant=variant).first()
    return (existing if _is_current(existing, digest) else None), digest, inputs


def report_pdf_stored(*, assessment: Assessment, lang: str, variant: str) -> ReportFile | None:
    """The stored PDF if it is current (rendered from today's inputs), else None: never renders."""
    return _current(assessment, lang, variant)[0]


def report_pdf(*, assessment: Assessment, lang: str, variant: str) -> ReportFile:
    """The stored PDF of a submitted assessment, rendered now if missing or out of date."""
    stored, digest, inputs = _current(assessment, lang, variant)
    return stored or _render_and_store(assessment, lang, variant, digest, inputs)


def report_pdf_for_download(*, assessment: Assessment, lang: str, variant: str) -> ReportFile | None:
    """As report_pdf, but None while the worker is preparing this PDF (asked for moments
    after submission): the download says so rather than render it a second time."""
    stored, digest, inputs = _current(assessment, lang, variant)
    if stored is None and report_preparing(assessment=assessment, lang=lang, variant=variant):
        return None
    return stored or _render_and_store(assessment, lang, variant, digest, inputs)


def _render_and_store(
    assessment: Assessment, lang: str, variant: str, digest: str, inputs: dict[str, Any]
) -> ReportFile:
    from assessment.reports import pdf  # WeasyPrint: imported by the processes that render

    qn = selectors.questionnaire_of(assessment.questionnaire)
    data = pdf.render_pdf_bounded(build_report(assessment, qn, lang=lang, **inputs), variant)
    name = f"{assessment.public_id}-{variant}-{lang}-{digest[:12]}.pdf"
    try:
        with transaction.atomic():
            # Lock the row (or take the slot with the insert) so that two first downloads
            # at once (a double click) do not both write it.
            report = (
                ReportFile.objects.select_for_update()
                .filter(assessment=assessment, language=lang, variant=variant)
                .first()
            ) or ReportFile(assessment=assessment, language=lang, variant=variant)
            if report.pk and _is_current(report, digest):
                return report  # the other request stored the same PDF meanwhile
            old_name = report.file.name or None
            report.inputs_digest = digest
            report.size = len(data)
            report.file.save(name, ContentFile(data), save=False)
            report.save()
    except IntegrityError:
        # The concurrent request inserted the row first; its PDF is the same.
        return ReportFile.objects.get(assessment=assessment, language=lang, variant=variant)
    if old_name and old_name != report.file.name:
        # Kept a little longer would be kinder to a download already streaming it; a
        # missing file is re-rendered on the next request, so deleting now is safe.
        report.file.storage.delete(old_name)
    return report


def reports_warm_up() -> None:
    """Render a sample report of each variant in each language in this process (a worker, as it starts),
    so the render children it forks start with the fonts open, their common glyphs loaded and
    the template compiled, instead of spending that on their first real report. Nothing is
    stored (the sample is an unsaved assessment); a failure costs only the warmth."""
    from assessment.reports import pdf

    try:
        version = selectors.current_version()
        if version is None:
            return  # no content loaded yet: nothing to render either
        qn = selectors.questionnaire_of(version)
        answers = sample_answers(qn, sample_firm(qn, 1), 0.5, seed=1)
        result = build_result(qn, answers).to_json()
        for lang in languages.CODES:
            sample = Assessment(
                questionnaire=version,
                language=lang,
                firm_name=str(answers.get("firm_name", "")),
                status=Assessment.Status.SUBMITTED,
                submitted_at=timezone.now(),
                result=result,
            )
            report = build_report(sample, qn, answers, lang)
            for variant in VARIANTS:
                pdf.html_to_pdf(pdf.report_html(report, variant))
    except Exception:
        logger.exception("Warming up the PDF renderer failed; the first reports start cold")


def _preparing_key(assessment_id: int, lang: str, variant: str) -> str:
    return f"report-preparing:{assessment_id}:{lang}:{variant}"


def reports_prepare(*, assessment: Assessment) -> list[tuple[str, str]]:
    """Have the worker render the owner's PDFs (both variants, both languages; the assessment's
    own language first, the short summary before the full report) once this transaction
    commits, so that a download finds them ready. Returns the (language, variant) pairs queued.
    """
    from assessment.reports.tasks import render_report_file  # the task runs this module's code

    order = sorted(languages.CODES, key=lambda code: code != assessment.language)
    kinds = [(lang, variant) for lang in order for variant in sorted(VARIANTS, key=lambda v: v != "summary")]
    for lang, variant in kinds:
        key = _preparing_key(assessment.pk, lang, variant)

        def enqueue(key: str = key, lang: str = lang, variant: str = variant) -> None:
            task = render_report_file
            if task.get_backend().supports_priority:
                task = task.using(priority=OWNER_REPORT_PRIORITY)  # before a bulk job's hundreds
            try:
                cache.set(key, True, PREPARE_WAIT_SECONDS)
                task.enqueue(assessment.pk, lang, variant)
            except Exception:  # the queue or the cache is down: the download renders it, as before
                logger.exception("Could not queue the %s %s PDF of assessment %s", lang, variant, assessment.pk)
                _forget(key)

        transaction.on_commit(enqueue)
    return kinds


def _forget(key: str) -> None:
    try:
        cache.delete(key)
    except Exception:  # an unreachable cache holds no mark a download could wait on
        logger.exception("Could not clear %s", key)


def report_preparing(*, assessment: Assessment, lang: str, variant: str) -> bool:
    """Whether the worker was asked to prepare this PDF and has not finished (nor given up)."""
    try:
        return bool(cache.get(_preparing_key(assessment.pk, lang, variant)))
    except Exception:  # an unreachable cache: the download renders the PDF itself, as before
        logger.exception("Could not read whether a PDF is being prepared")
        return False


def report_file_prepare(*, assessment_id: int, lang: str, variant: str) -> str:
    """The worker's side of reports_prepare: render and store one PDF; never raises, and
    always clears the mark, so a download waits on it no longer (and renders it itself)."""
    try:
        assessment = selectors.assessments().filter(pk=assessment_id).first()
        if assessment is None or assessment.is_draft:
            return "skipped"  # deleted, or reopened for validation since
        report_pdf(assessment=assessment, lang=lang, variant=variant)
        return "done"
    except Exception:  # the render runs in a bounded child; a download will try again
        logger.exception("Preparing the %s %s PDF of assessment %s failed", lang, variant, assessment_id)
        return "failed"
    finally:
        _forget(_preparing_key(assessment_id, lang, variant))


# --- The report by e-mail -----------------------------------------------------------------
#
# A form that mails a PDF to an address anyone can type is a way to send mail to strangers:
# each assessment, and each address, gets a few a day (rolling 24 hours, counted from the rows).

EMAILS_PER_ASSESSMENT = 5
EMAILS_PER_ADDRESS = 3
EMAIL_WINDOW = timedelta(hours=24)


class EmailLimitReached(Exception):
    """Nothing was queued; the message says which limit and when to try again."""


def report_email_request(
    *,
    assessment: Assessment,
    address: str,
    language: str,
    user=None,
    by_consultant: bool = False,
    private_token: str = "",
) -> ReportEmail:
    """Queue the report's e-mail (summary attached, links to the full report and the results
    page, and the owner's private link if given) for the worker, once this transaction commits.
    Raises EmailLimitReached when the assessment or the address had its e-mails for the day."""
    from assessment.reports.tasks import send_report_email  # the task runs this module's code

    address = address.strip().lower()
    since = timezone.now() - EMAIL_WINDOW
    with transaction.atomic():
        # Two requests at once for one assessment are counted one after the other.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).exists()
        if ReportEmail.objects.filter(assessment=assessment, created_at__gte=since).count() >= EMAILS_PER_ASSESSMENT:
            raise EmailLimitReached(
                _("This report has been e-mailed %(count)d times in the last 24 hours. Please try again tomorrow.")
                % {"count": EMAILS_PER_ASSESSMENT}
            )
        if ReportEmail.objects.filter(address=address, created_at__gte=since).count() >= EMAILS_PER_ADDRESS:
            raise EmailLimitReached(
                _("This address has been sent enough reports for today. Please try again tomorrow.")
            )
        row = ReportEmail.objects.create(
            assessment=assessment,
            address=address,
            language=languages.get(language).code,
            by_consultant=by_consultant,
            requested_by=user if user is not None and user.is_authenticated else None,
            private_token=private_token,
        )

        def enqueue() -> None:
            task = send_report_email
            if task.get_backend().supports_priority:
                task = task.using(priority=OWNER_REPORT_PRIORITY)  # a person is waiting on it
            task.enqueue(row.pk)

        transaction.on_commit(enqueue)
    return row


def report_email_send(*, report_email_id: int) -> str:
    """The worker's side of report_email_request: the summary (stored, else rendered in the
    bounded child), the e-mail, and the row marked sent or failed; the private link is blanked
    either way. Run twice (a retried task), it sends nothing the second time."""
    from assessment.reports.mail import report_email_message

    row = ReportEmail.objects.filter(pk=report_email_id, status=ReportEmail.Status.QUEUED).first()
    if row is None:
        return "skipped"
    assessment = selectors.assessments().select_related("firm").filter(pk=row.assessment_id).first()
    done = ReportEmail.objects.filter(pk=row.pk, status=ReportEmail.Status.QUEUED)
    if assessment is None or assessment.is_draft:  # reopened for validation since: no report to send
        done.update(status=ReportEmail.Status.FAILED, private_token="")
        return "skipped"
    row.assessment = assessment
    try:
        summary = report_pdf(assessment=assessment, lang=row.language, variant="summary")
        report_email_message(row, summary).send()
    except Exception:
        logger.exception("The report e-mail %s could not be sent", row.pk)
        done.update(status=ReportEmail.Status.FAILED, private_token="")
        return "failed"
    done.update(status=ReportEmail.Status.SENT, sent_at=timezone.now(), private_token="")
    return "sent"
