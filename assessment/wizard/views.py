"""Thin views: fetch through the access helper, validate a form, call one service, redirect."""

from __future__ import annotations

import json
import logging
import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, translate_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access, links, selectors, services
from assessment.access import resume_url
from assessment.languages import current_lang, is_offered
from assessment.models import Assessment
from assessment.questionnaire.definition import Question, Questionnaire, tr
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.rules import is_answered, missing_questions, visible_questions
from assessment.reports import services as reports_services
from assessment.reports.builder import answer_rows
from assessment.wizard.forms import AnswerReasonForm, SectionForm

logger = logging.getLogger(__name__)


def switched_to(code: str, path: str) -> HttpResponseRedirect:
    """`path` in language `code`, with the choice kept in the language cookie: what django's
    set_language answers, for the step page that saves its own form before switching."""
    response = HttpResponseRedirect(translate_url(path, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _progress(
    qn: Questionnaire, answers: dict, facts: dict, current: str, visible: list[Question] | None = None
) -> list[dict]:
    """Each section's progress; `visible` when the caller has just worked it out for these answers."""
    if visible is None:
        visible = visible_questions(qn, answers, facts)
    steps = []
    for section in qn.sections:
        required = [q for q in visible if q.section == section.key and q.required]
        done = sum(1 for q in required if is_answered(answers.get(q.key)))
        steps.append(
            {
                "key": section.key,
                "title": tr(section.title, current_lang()),
                "done": done,
                "total": len(required),
                "complete": done == len(required),
                "current": section.key == current,
            }
        )
    # An owner may jump to any section up to the first one not yet complete (and back from
    # there); the review once every section is complete.
    keys = [s["key"] for s in steps]
    first_open = next((i for i, s in enumerate(steps) if not s["complete"]), len(steps))
    furthest = max(first_open, keys.index(current) if current in keys else len(steps))
    for index, s in enumerate(steps):
        s["reached"] = index <= furthest
    steps.append(
        {
            "key": "review",
            "title": _("Review"),
            "current": current == "review",
            "complete": False,
            "reached": first_open == len(keys),
        }
    )
    return steps


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        mine = list(selectors.assessments_of_user(request.user)[:10])
    else:
        mine = access.session_assessments(request)
    return render(request, "assessment/home.html", {"mine": mine, "ready": selectors.current_version() is not None})


@require_POST
def start(request: HttpRequest) -> HttpResponse:
    version = selectors.current_version()
    if version is None:
        messages.error(request, _("The questionnaire has not been loaded yet. Run the set-up command first."))
        return redirect("home")
    assessment, token = services.assessment_create(version=version, owner=request.user, language=current_lang())
    access.remember_token(request, assessment, token)
    access.remember_started(request, assessment)
    return redirect("step", assessment.public_id, "profile")


@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, public_id: uuid.UUID, section: str) -> HttpResponse:
    assessment = access.assessment_for_request(request, public_id)
    qn = selectors.questionnaire_of(assessment.questionnaire)
    keys = [s.key for s in qn.sections]
    if section not in keys:
        raise Http404
    autosave = request.POST.get("action") == "autosave"
    if not assessment.is_draft:
        if autosave:
            return JsonResponse({"error": _("This assessment has been submitted.")}, status=409)
        messages.info(request, _("This assessment has been submitted and can no longer be changed."))
        return redirect("results", assessment.public_id)

    answers = selectors.answers_of(assessment)
    facts = derive_facts(qn, answers)
    visible = visible_questions(qn, answers, facts)
    questions = [q for q in visible if q.section == section]
    lang = current_lang()
    # Asked once: the page says so, and a consultant's saves count as validated.
    consultant_mode = selectors.is_member(request.user, assessment.organisation_id)

    if request.method == "POST":
        form = SectionForm(request.POST, questions=questions, lang=lang)
        change = form.changes(qn.questions, answers)
        values, cleared, foreign, shown_now = change.values, change.cleared, change.foreign, change.shown_now
        consultant = request.user if consultant_mode else None
        try:
            services.answers_save(assessment=assessment, values=values, cleared=cleared, consultant=consultant)
        except services.AssessmentLocked as exc:
            if autosave:
                return JsonResponse({"error": str(exc)}, status=409)
            messages.info(request, str(exc))
            return redirect("results", assessment.public_id)
        answers.update(values)
        for key in cleared:
            answers.pop(key, None)
        if autosave:
            errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
            return JsonResponse({"saved": sorted(values), "ignored": foreign, "errors": errors, "loaded": shown_now})
        action = request.POST.get("action", "next")
        index = keys.index(section)
        # Opened from the review to change an answer: Next and Save go straight back to it.
        to_review = request.POST.get("return_to") == "review"
        goto = action.removeprefix("goto:") if action.startswith("goto:") else None
        if foreign:
            messages.warning(
                request,
                _(
                    "Some answers were for questions that no longer apply to your firm or belong to another page, "
                    "so they were not saved. Everything else was saved: please check this page and continue."
                ),
            )
            return _render_step(request, assessment, qn, answers, facts, section, form, consultant_mode, shown_now, 400)
        # A language button of the header submits this form (no JavaScript needed): save, then switch.
        language = request.POST.get("language")
        if form.errors and is_offered(language):
            messages.warning(
                request,
                _(
                    "Some answers need correcting before the page can switch language. "
                    "Everything else on this page was saved."
                ),
            )
        elif form.errors:
            messages.warning(request, _("Some answers need correcting. Everything else on this page was saved."))
        elif is_offered(language):
            return switched_to(language, request.get_full_path())
        elif goto == "review":
            return redirect("review", assessment.public_id)
        elif goto in keys:
            return redirect("step", assessment.public_id, goto)
        elif to_review and action in ("next", "save") and not form.flag_missing(answers):
            return redirect("review", assessment.public_id)
        elif action == "back":
            return (
                redirect("step", assessment.public_id, keys[index - 1])
                if index
                else redirect("step", assessment.public_id, section)
            )
        elif action == "save":
            messages.success(request, _("Saved. Use your private link to continue at any time."))
            # Straight to the link: on a phone it is several screens below the message.
            return redirect(reverse("step", args=[assessment.public_id, section]) + "#resume")
        elif not form.flag_missing(answers):
            target = keys[index + 1] if index + 1 < len(keys) else None
            return (
                redirect("step", assessment.public_id, target) if target else redirect("review", assessment.public_id)
            )
        return _render_step(request, assessment, qn, answers, facts, section, form, consultant_mode, shown_now)

    form = SectionForm(questions=questions, lang=lang, initial={q.key: answers.get(q.key) for q in questions})
    return _render_step(request, assessment, qn, answers, facts, section, form, consultant_mode, visible=visible)


def _render_step(
    request, assessment, qn, answers, facts, section, form, consultant_mode, loaded=None, status=200, visible=None
) -> HttpResponse:
    keys = [s.key for s in qn.sections]
    sec = qn.section(section)
    lang = current_lang()
    context = {
        "assessment": assessment,
        "section": sec,
        "section_title": tr(sec.title, lang),
        "section_intro": tr(sec.intro, lang),
        "form": form,
        "steps": _progress(qn, answers, facts, section, visible),
        "step_number": keys.index(section) + 1,
        "step_count": len(keys) + 1,
        "is_first": keys.index(section) == 0,
        "resume_url": resume_url(request, assessment),
        "consultant_mode": consultant_mode,
        "return_to": "review" if "review" in (request.GET.get("from"), request.POST.get("return_to")) else "",
        # What the page shows as loaded, so a later post can tell what this tab changed.
        "loaded_json": json.dumps(
            loaded if loaded is not None else {key: answers[key] for key in form.fields if key in answers}
        ),
    }
    return render(request, "assessment/step.html", context, status=status)


@require_GET
def review(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = access.assessment_for_request(request, public_id)
    if not assessment.is_draft:
        return redirect("results", assessment.public_id)
    return _render_review(request, assessment)


def _render_review(request, assessment, status=200) -> HttpResponse:
    qn = selectors.questionnaire_of(assessment.questionnaire)
    answers = selectors.answers_of(assessment)
    facts = derive_facts(qn, answers)
    lang = current_lang()
    visible = visible_questions(qn, answers, facts)
    missing = {q.key for q in missing_questions(qn, answers, facts)}
    consultant_run = assessment.organisation_id is not None
    validation = selectors.validation_of(assessment) if consultant_run else {}
    sections = [
        {
            "key": s.key,
            "title": tr(s.title, lang),
            "rows": [
                # The review shows each question as it was asked.
                {**vars(row), "label": row.question, "missing": row.key in missing}
                for row in answer_rows(
                    [q for q in visible if q.section == s.key], answers, validation, lang, checked=consultant_run
                )
            ],
        }
        for s in qn.sections
    ]
    context = {
        "assessment": assessment,
        "sections": sections,
        "missing_count": len(missing),
        "steps": _progress(qn, answers, facts, "review"),
        "step_number": len(qn.sections) + 1,
        "step_count": len(qn.sections) + 1,
        "resume_url": resume_url(request, assessment),
        "can_validate": selectors.is_member(request.user, assessment.organisation_id),
    }
    return render(request, "assessment/review.html", context, status=status)


@require_POST
def answer_reason(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A consultant explains why they changed the owner's answer (shown in the report)."""
    assessment = access.assessment_for_request(request, public_id)
    if not selectors.is_member(request.user, assessment.organisation_id) or not assessment.is_draft:
        raise Http404
    form = AnswerReasonForm(request.POST)
    if form.is_valid() and services.answer_reason_set(assessment=assessment, **form.cleaned_data):
        messages.success(request, _("Reason saved."))
    else:
        messages.error(
            request, _("The reason could not be saved: only changed answers take one (300 characters at most).")
        )
    return redirect(reverse("review", args=[assessment.public_id]) + f"#row-{request.POST.get('question_key', '')}")


@require_POST
def submit(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = access.assessment_for_request(request, public_id)
    try:
        submitted = services.assessment_submit(assessment=assessment)
    except services.IncompleteAssessment as exc:
        messages.error(
            request,
            _("%(count)d required questions are still unanswered. They are marked below.")
            % {"count": len(exc.missing)},
        )
        return _render_review(request, assessment, status=400)
    if submitted:
        reports_services.reports_prepare(assessment=assessment)  # the PDFs, ready when asked for
    return redirect("results", assessment.public_id)


def _where_left_off(assessment: Assessment) -> HttpResponse:
    """The first section with a required answer missing, else the review; results once submitted."""
    if not assessment.is_draft:
        return redirect("results", assessment.public_id)
    qn = selectors.questionnaire_of(assessment.questionnaire)
    answers = selectors.answers_of(assessment)
    missing = missing_questions(qn, answers, derive_facts(qn, answers))
    if missing:
        return redirect("step", assessment.public_id, missing[0].section)
    return redirect("review", assessment.public_id)


@require_GET
def continue_assessment(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Lists of assessments link here, so an owner goes on where they stopped, not at step 1."""
    return _where_left_off(access.assessment_for_request(request, public_id))


@require_GET
def resume(request: HttpRequest, token: str) -> HttpResponse:
    assessment = selectors.assessment_by_digest(links.token_digest(token))
    if assessment is None:
        return render(request, "assessment/resume_invalid.html", status=404)
    access.remember_token(request, assessment, token)
    if not assessment.is_draft:
        return redirect("results", assessment.public_id)
    # A firm's draft starts with the firm's name filled in: that alone is not a visit.
    if set(selectors.answers_of(assessment)) - {"firm_name"}:
        messages.success(request, _("Welcome back. Your answers so far are saved."))
    else:
        # The first visit, e.g. through the link a consultant sent: nothing to come back to yet.
        messages.success(request, _("Welcome. Your answers are saved as you go; this private link brings you back."))
    return _where_left_off(assessment)
