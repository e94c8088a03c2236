"""The stored PDF of an assessment: reused while its inputs are unchanged, else rendered and stored."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from assessment import selectors
from assessment.models import (
    Assessment,
    ReportFile,
)
from assessment.reports import pdf
from assessment.reports.builder import build_report


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
        pdf.template_fingerprint(),
    ]
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def report_pdf(*, assessment: Assessment, lang: str, variant: str) -> ReportFile:
    """The stored PDF of a submitted assessment, rendered now if missing or out of date."""
    inputs = selectors.report_inputs(assessment)
    previous = inputs["previous"]
    digest = report_inputs_digest(
        assessment, {**inputs, "previous": [previous.pk, previous.result] if previous else None}, lang, variant
    )
    existing = ReportFile.objects.filter(assessment=assessment, language=lang, variant=variant).first()
    if (
        existing
        and existing.inputs_digest == digest
        and existing.file.name
        and existing.file.storage.exists(existing.file.name)
    ):
        return existing
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
            if (
                report.pk
                and report.inputs_digest == digest
                and report.file.name
                and report.file.storage.exists(report.file.name)
            ):
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
