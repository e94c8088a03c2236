"""The report pages: results, consultant notes, PDF downloads (thin: access, form, builder)."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import access, selectors, services
from assessment.access import can_claim, resume_url
from assessment.campaigns import selectors as campaigns_selectors
from assessment.campaigns.forms import ConsentForm
from assessment.languages import current_lang
from assessment.models import Assessment, Note
from assessment.reports import services as reports_services
from assessment.reports.builder import build_report
from assessment.reports.filenames import report_filename
from assessment.reports.forms import NoteForm, ReportRequestForm, StressScenarioForm

logger = logging.getLogger(__name__)


def _to_review(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """Results and reports exist only after submission: send a draft's owner to the review page."""
    messages.info(request, _("Submit the assessment to see its results."))
    return redirect("review", assessment.public_id)


@require_GET
def results(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = access.assessment_for_viewing(request, public_id)
    if assessment.is_draft:
        return _to_review(request, assessment)
    qn = selectors.questionnaire_of(assessment.questionnaire)
    notes = selectors.notes_of(assessment)
    validation = selectors.validation_of(assessment)
    # Another stress-test scenario, tried with the page's GET form: shown, never saved.
    tried = "drop" in request.GET or "months" in request.GET
    stress_form = StressScenarioForm(request.GET if tried else None, qn=qn, lang=current_lang())
    report = build_report(
        assessment,
        qn,
        selectors.answers_of(assessment),
        current_lang(),
        notes,
        validation,
        stress_scenario=stress_form.scenario(),
    )
    context = {
        "assessment": assessment,
        "report": report,
        "stress_form_errors": stress_form.is_bound and not stress_form.is_valid(),
        "resume_url": resume_url(request, assessment),
        # Consultants of the organisation that ran it annotate the report.
        "can_annotate": selectors.is_member(request.user, assessment.organisation_id),
        "note_max_length": Note.MAX_LENGTH,
        # The member (not the association looking at shared results) decides about sharing.
        "consent_form": ConsentForm(initial={"share": assessment.share_with_association})
        if assessment.campaign_id and access.can_access(request, assessment)
        else None,
        "can_claim": can_claim(request, assessment),
        "standing": campaigns_selectors.standing_of(assessment),
    }
    return render(request, "assessment/results.html", context)


@require_POST
def note_save(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = access.assessment_for_request(request, public_id)
    if not selectors.is_member(request.user, assessment.organisation_id):
        raise Http404
    if assessment.is_draft:
        return _to_review(request, assessment)
    form = NoteForm(request.POST, result=assessment.outcome)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("results", assessment.public_id)
    target = form.cleaned_data["target"]
    services.note_save(assessment=assessment, target=target, text=form.cleaned_data["text"], author=request.user)
    messages.success(request, _("Note saved. It appears in the report."))
    kind, key = target.split(":", 1)
    anchor = f"area-note-{key}" if kind == "area" else f"action-{key}"
    return redirect(reverse("results", args=[assessment.public_id]) + f"#{anchor}")


@require_GET
def report_pdf(request: HttpRequest, public_id: uuid.UUID) -> HttpResponseBase:
    assessment = access.assessment_for_viewing(request, public_id)
    if assessment.is_draft:
        return _to_review(request, assessment)
    form = ReportRequestForm(request.GET)
    if not form.is_valid():
        raise Http404
    lang, variant = form.cleaned_data["lang"], form.cleaned_data["variant"]
    stored = reports_services.report_pdf_stored(assessment=assessment, lang=lang, variant=variant)
    if stored is None and reports_services.report_preparing(assessment=assessment, lang=lang, variant=variant):
        # Submitted a moment ago: the worker is on it. Say so rather than render it twice.
        context = {
            "assessment": assessment,
            "pdf_url": request.get_full_path(),
            "status_url": reverse("report_pdf_status", args=[assessment.public_id]) + "?" + request.GET.urlencode(),
            "variant": variant,
        }
        return render(request, "assessment/report_preparing.html", context, status=202)
    try:
        stored = stored or reports_services.report_pdf(assessment=assessment, lang=lang, variant=variant)
        handle = stored.file.open("rb")
    except Exception:
        # Never a 500 page: say what happened and keep the results page one click away.
        logger.exception("PDF report for assessment %s failed", assessment.pk)
        return render(request, "assessment/report_failed.html", {"assessment": assessment}, status=503)
    filename = report_filename(assessment.firm_name, timezone.localdate(assessment.submitted_at), variant, lang)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")


@require_GET
def report_pdf_status(request: HttpRequest, public_id: uuid.UUID) -> JsonResponse:
    """Polled by the "being prepared" page: download once ready, or once the worker gave up
    (the download then renders it itself)."""
    assessment = access.assessment_for_viewing(request, public_id)
    form = ReportRequestForm(request.GET)
    if assessment.is_draft or not form.is_valid():
        raise Http404
    lang, variant = form.cleaned_data["lang"], form.cleaned_data["variant"]
    ready = reports_services.report_pdf_stored(assessment=assessment, lang=lang, variant=variant) is not None
    preparing = not ready and reports_services.report_preparing(assessment=assessment, lang=lang, variant=variant)
    return JsonResponse({"ready": ready, "preparing": preparing})
