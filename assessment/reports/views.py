"""The report pages: results, consultant notes, PDF downloads (thin: access, form, builder)."""

from __future__ import annotations

import logging
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from assessment import access, selectors, services
from assessment.access import can_claim, resume_url
from assessment.campaigns import selectors as campaigns_selectors
from assessment.campaigns.forms import ConsentForm
from assessment.languages import current_lang
from assessment.models import ActionProgress, Assessment, Note
from assessment.plan import selectors as plan_selectors
from assessment.plan import services as plan_services
from assessment.plan.forms import ActionProgressForm
from assessment.plan.ics import plan_ics_file
from assessment.reports import selectors as reports_selectors
from assessment.reports import services as reports_services
from assessment.reports.builder import build_report
from assessment.reports.filenames import download_name, report_filename
from assessment.reports.forms import NoteForm, ReportEmailForm, ReportRequestForm, StressScenarioForm

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
    return _results_page(request, assessment)


def _email_contact(request: HttpRequest, assessment: Assessment) -> str | None:
    """For the firm's consultant, the client's stored address the report goes to ("" when
    none is stored); None for the owner, who types one."""
    if not selectors.is_member(request.user, assessment.organisation_id):
        return None
    return assessment.firm.contact_email if assessment.firm_id and assessment.firm else ""


def _results_page(
    request: HttpRequest,
    assessment: Assessment,
    plan_form: ActionProgressForm | None = None,
    email_form: ReportEmailForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The results page; with a plan or e-mail form that did not go through, that form with its
    message and what was typed (status 400, or 429 over the e-mail limit)."""
    qn = selectors.questionnaire_of(assessment.questionnaire)
    notes = selectors.notes_of(assessment)
    validation = selectors.validation_of(assessment)
    # Another stress-test scenario, tried with the page's GET form: shown, never saved.
    tried = "drop" in request.GET or "months" in request.GET
    stress_form = StressScenarioForm(request.GET if tried else None, qn=qn, lang=current_lang())
    # The owner and the firm's consultant keep the plan; an association reading shared
    # results sees neither the forms nor where each action stands (only cohort totals).
    can_plan = access.can_access(request, assessment)
    previous = selectors.previous_submitted(assessment) if can_plan else None
    # One query for both: each action's history, newest first, and from it its present state.
    history = plan_selectors.history_by_action(assessment) if can_plan else {}
    report = build_report(
        assessment,
        qn,
        selectors.answers_of(assessment),
        current_lang(),
        notes,
        validation,
        previous=previous,
        stress_scenario=stress_form.scenario(),
        plan={key: selectors.plan_state(changes[0].progress) for key, changes in history.items()},
        previous_plan=selectors.action_statuses_of(previous),
    )
    failed = plan_form.data.get("action") if plan_form is not None else None
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
        "can_plan": can_plan,
        "plan_history": history,
        "plan_statuses": ActionProgress.Status.choices,
        "owner_max_length": ActionProgress.OWNER_MAX_LENGTH,
        "today": timezone.localdate(),
        "has_due_dates": can_plan and any(a.due_on for area in report.areas for a in area.actions),
        # The form that did not save: its action's values and messages replace the stored ones.
        "plan_failed": failed,
        "plan_posted": plan_form.data if plan_form is not None else {},
        "plan_errors": [str(e) for errors in plan_form.errors.values() for e in errors] if plan_form else [],
        # The report by e-mail: for those who keep the plan (an association reading shared results does not).
        "email_form": (email_form or _blank_email_form(request, assessment)) if can_plan else None,
        "email_contact": _email_contact(request, assessment) if can_plan else None,
        "report_emails": reports_selectors.report_emails_of(assessment) if can_plan else [],
        "open_area": next((a.key for a in report.areas for x in a.actions if x.key == failed), None),
    }
    return render(request, "assessment/results.html", context, status=status)


def _blank_email_form(request: HttpRequest, assessment: Assessment) -> ReportEmailForm:
    user = request.user
    initial = {"address": user.email} if user.is_authenticated and assessment.owner_id == user.pk else {}
    return ReportEmailForm(initial=initial, contact=_email_contact(request, assessment))


@require_POST
def report_email(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """E-mail the report: the owner (account or private link) to an address they type, the
    firm's consultant to the client's stored contact; anyone else, an association included,
    gets a 404. The worker sends it; the page then says when."""
    assessment = access.assessment_for_request(request, public_id)
    if assessment.is_draft:
        return _to_review(request, assessment)
    contact = _email_contact(request, assessment)
    form = ReportEmailForm(request.POST, contact=contact)
    status = 400
    if form.is_valid():
        if contact == "":
            form.add_error(None, _("The client has no e-mail address yet: add it on the client's page first."))
        else:
            address = contact if contact is not None else form.cleaned_data["address"]
            # The private link is the one this browser holds (never made anew: that would end the old one).
            token = (
                access.token_for(request, assessment) if contact is None and form.cleaned_data["include_link"] else None
            )
            try:
                row = reports_services.report_email_request(
                    assessment=assessment,
                    address=address,
                    language=current_lang(),
                    user=request.user,
                    by_consultant=contact is not None,
                    private_token=token or "",
                )
            except reports_services.EmailLimitReached as exc:
                form.add_error(None, str(exc))
                status = 429
            else:
                messages.success(
                    request,
                    _("The report is on its way to %(address)s. This page shows when it has been sent.")
                    % {"address": row.address},
                )
                return redirect(reverse("results", args=[assessment.public_id]) + "#email")
    return _results_page(request, assessment, email_form=form, status=status)


@require_POST
def plan_save(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Mark one action planned, in progress or done: the owner (account or private link) and
    the firm's consultant; anyone else, an association included, gets a 404."""
    assessment = access.assessment_for_request(request, public_id)
    if assessment.is_draft:
        return _to_review(request, assessment)
    form = ActionProgressForm(request.POST, actions=assessment.outcome.action_keys())
    if form.is_valid():
        user = request.user
        # Who changed it: an account that owns or serves the assessment, else the private link.
        by_account = user.is_authenticated and (
            assessment.owner_id == user.pk or selectors.is_member(user, assessment.organisation_id)
        )
        try:
            plan_services.action_progress_set(
                assessment=assessment,
                action_key=form.cleaned_data["action"],
                status=form.cleaned_data["status"],
                owner_name=form.cleaned_data["owner_name"],
                due_on=form.cleaned_data["due_on"],
                user=user if by_account else None,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    if not form.is_valid():
        return _results_page(request, assessment, plan_form=form, status=400)
    messages.success(request, _("Saved. The plan keeps it for your next visit."))
    return redirect(reverse("results", args=[assessment.public_id]) + f"#action-{form.cleaned_data['action']}")


@require_GET
def plan_ics(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The plan's due dates as a calendar file, in the page's language (same access as the form)."""
    assessment = access.assessment_for_request(request, public_id)
    if assessment.is_draft:
        return _to_review(request, assessment)
    data = plan_ics_file(assessment, current_lang())
    response = HttpResponse(data, content_type="text/calendar; charset=utf-8")
    filename = download_name(
        assessment.firm_name, timezone.localdate(assessment.submitted_at), "plan", lang=current_lang(), ext="ics"
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


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
    try:
        stored = reports_services.report_pdf_for_download(assessment=assessment, lang=lang, variant=variant)
        handle = stored.file.open("rb") if stored is not None else None
    except Exception:
        # Never a 500 page: say what happened and keep the results page one click away.
        logger.exception("PDF report for assessment %s failed", assessment.pk)
        return render(request, "assessment/report_failed.html", {"assessment": assessment}, status=503)
    if handle is None:
        # Submitted a moment ago: the worker is on it. Say so rather than render it twice.
        context = {
            "assessment": assessment,
            "pdf_url": request.get_full_path(),
            "status_url": reverse("report_pdf_status", args=[assessment.public_id]) + "?" + request.GET.urlencode(),
            "variant": variant,
        }
        return render(request, "assessment/report_preparing.html", context, status=202)
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
