"""The consultant's workspace: client firms, assessments run for them, progress over time.

Thin views, like views.py: fetch through access helpers, validate a form, call a service.
"""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access, links, selectors, services
from assessment.languages import current_lang
from assessment.models import Assessment, Firm, Organisation
from assessment.plan import selectors as plan_selectors
from assessment.questionnaire.definition import tr
from assessment.reports.builder import progress_section
from assessment.workspace import selectors as workspace_selectors
from assessment.workspace import services as workspace_services
from assessment.workspace.forms import ClientFilterForm, FirmForm, LogoForm, OrganisationForm

CLIENTS_PER_PAGE = 50


@login_required
@require_GET
def workspace(request: HttpRequest) -> HttpResponse:
    organisation = selectors.consultancy_of(request.user)
    if organisation is None:
        if selectors.association_of(request.user) is not None:
            return redirect("association_home")
        return render(request, "workspace/start.html", {"form": OrganisationForm()})
    version = selectors.current_version()
    qn = selectors.questionnaire_of(version) if version else None
    lang = current_lang()
    form = ClientFilterForm(request.GET or None, qn=qn, lang=lang) if qn else None
    # A filter that does not clean (an unknown band, a search too long) is left out and
    # marked on the form; the others still apply.
    filters = {}
    if form is not None and form.is_bound:
        form.is_valid()
        filters = {name: value for name, value in form.cleaned_data.items() if value}
    page = workspace_selectors.client_page(organisation, filters, request.GET.get("page"), CLIENTS_PER_PAGE)
    # Keys to labels of the current version; a key it lacks (an older version's) shows as it is.
    bands = {b.key: tr(b.label, lang) for b in qn.bands} if qn else {}
    areas = {s.key: tr(s.title, lang) for s in qn.areas} if qn else {}
    # Plain values, so the template's 50 rows resolve dictionary keys only (its cost per page).
    rows = [
        {
            "url": reverse("client", args=[firm.pk]),
            "name": firm.name,
            "contact": firm.contact_name,
            "submitted": f"{timezone.localdate(firm.latest_submitted_at):%Y-%m-%d}" if firm.latest_submitted_at else "",
            "score": firm.latest_score,
            "band": bands.get(firm.latest_band, firm.latest_band),
            "weakest": areas.get(firm.latest_weakest, firm.latest_weakest),
        }
        for firm in page.object_list
    ]
    counts = workspace_selectors.client_counts(organisation)
    band_counts = [(key, label, counts.by_band.get(key, 0)) for key, label in bands.items()]
    context = {
        "organisation": organisation,
        "rows": rows,
        "page": page,
        # The cleaned filters, so the page links keep them (and drop ones that did not clean).
        "query": urlencode(filters),
        "filtered": bool(filters),
        "form": form,
        "counts": counts,
        "band_counts": band_counts,
        "total": counts.total,
        "logo_form": LogoForm() if selectors.is_admin(request.user, organisation) else None,
    }
    return render(request, "workspace/home.html", context)


@login_required
@require_POST
def organisation_logo(request: HttpRequest) -> HttpResponse:
    organisation = selectors.consultancy_of(request.user)
    if organisation is None or not selectors.is_admin(request.user, organisation):
        raise Http404
    form = LogoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image file to upload."))
        return redirect("workspace")
    try:
        workspace_services.organisation_logo_set(organisation=organisation, upload=form.cleaned_data["logo"])
    except workspace_services.LogoRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Logo saved. It appears on the cover of your clients' reports."))
    return redirect("workspace")


@login_required
@require_POST
def organisation_new(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST)
    if not form.is_valid():
        return render(request, "workspace/start.html", {"form": form}, status=400)
    organisation = workspace_services.organisation_create(user=request.user, **form.cleaned_data)
    if organisation.kind == Organisation.Kind.ASSOCIATION:
        messages.success(request, _("Your association is ready. Create your first campaign."))
        return redirect("association_home")
    messages.success(request, _("Your organisation is ready. Add your first client firm."))
    return redirect("workspace")


@login_required
@require_http_methods(["GET", "POST"])
def client_new(request: HttpRequest) -> HttpResponse:
    organisation = selectors.consultancy_of(request.user)
    if organisation is None:
        raise Http404
    form = FirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        firm = workspace_services.firm_create(organisation=organisation, **form.cleaned_data)
        return redirect("client", firm.pk)
    return render(request, "workspace/client_form.html", {"form": form, "organisation": organisation})


OWNER_LINKS = "owner_links"  # session key: {assessment public id: owner's private link}


@login_required
@require_GET
def client(request: HttpRequest, firm_id: int) -> HttpResponse:
    firm = access.firm_for_request(request, firm_id)
    lang = current_lang()
    history = workspace_selectors.firm_assessments(firm)
    # Submitted assessments all have submitted_at (None only on drafts).
    submitted = sorted((a for a in history if not a.is_draft), key=lambda a: a.submitted_at)  # type: ignore[arg-type, return-value]
    progress = (
        progress_section(submitted[-2], submitted[-1], lang, selectors.action_statuses_of(submitted[-2]))
        if len(submitted) >= 2
        else None
    )
    links = request.session.get(OWNER_LINKS, {})
    for assessment in history:
        assessment.owner_link = links.get(str(assessment.public_id)) if assessment.is_draft else None
    # Today in the app's time zone (Asia/Shanghai): a due date before it is overdue.
    open_actions = plan_selectors.open_actions(firm, lang, timezone.localdate())
    context = {
        "firm": firm,
        "history": history,
        "progress": progress,
        "open_actions": open_actions,
        "overdue_count": sum(1 for a in open_actions if a.overdue),
    }
    return render(request, "workspace/client.html", context)


@login_required
@require_POST
def client_start(request: HttpRequest, firm_id: int) -> HttpResponse:
    """Start an assessment for a client: fill it together now, or hand the owner a private link."""
    firm = access.firm_for_request(request, firm_id)
    version = selectors.current_version()
    if version is None:
        raise Http404
    assessment, token = services.assessment_create(
        version=version, owner=None, language=current_lang(), firm=firm, created_by=request.user
    )
    if request.POST.get("mode") == "link":
        _show_owner_link(request, firm, assessment, token)
        return redirect("client", firm.pk)
    # No resume token in the consultant's session: their access follows their membership,
    # so it ends when they leave the organisation.
    return redirect("step", assessment.public_id, "profile")


def _show_owner_link(request: HttpRequest, firm, assessment, token: str) -> None:
    """Keep the owner's link in this consultant's session, shown on the client page to copy.

    Only the link's digest is stored in the database; like an owner's own session, the
    consultant's keeps the link itself so it can be shown again (not only once in a message).
    """
    link = links.absolute_url(reverse("resume", args=[token]))
    request.session[OWNER_LINKS] = {**request.session.get(OWNER_LINKS, {}), str(assessment.public_id): link}
    messages.success(
        request,
        _("The private link for %(firm)s is below, under Assessments: copy it and send it to the owner.")
        % {"firm": firm.name},
    )


def _client_draft(request: HttpRequest, firm_id: int, public_id) -> tuple[Firm, Assessment]:
    """The client firm and its draft assessment, or 404 (not the consultant's, or submitted)."""
    firm = access.firm_for_request(request, firm_id)
    assessment = selectors.assessments().filter(firm=firm, public_id=public_id).first()
    if assessment is None or not assessment.is_draft:
        raise Http404
    return firm, assessment


@login_required
@require_POST
def client_email_link(request: HttpRequest, firm_id: int, public_id) -> HttpResponse:
    """E-mail the owner a new private link, in the language chosen for them (the shown one stops working)."""
    firm, assessment = _client_draft(request, firm_id, public_id)
    language = request.POST.get("language")
    if not firm.contact_email or language not in dict(settings.LANGUAGES):
        messages.error(request, _("Add the client's e-mail address and choose a language first."))
        return redirect("client", firm.pk)
    workspace_services.owner_link_email(assessment=assessment, language=language)
    links = request.session.get(OWNER_LINKS, {})
    links.pop(str(assessment.public_id), None)
    request.session[OWNER_LINKS] = links
    messages.success(
        request,
        _("A new private link is on its way to %(email)s. Any link shown before no longer works.")
        % {"email": firm.contact_email},
    )
    return redirect("client", firm.pk)


@login_required
@require_POST
def client_new_link(request: HttpRequest, firm_id: int, public_id) -> HttpResponse:
    """A lost owner link: make a new one for the client's draft (the old link stops working)."""
    firm, assessment = _client_draft(request, firm_id, public_id)
    _show_owner_link(request, firm, assessment, services.assessment_new_link(assessment=assessment))
    return redirect("client", firm.pk)


@require_POST
def reopen(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A consultant reopens a client's submitted assessment to validate the owner's answers."""
    assessment = access.assessment_for_request(request, public_id)
    if not selectors.is_member(request.user, assessment.organisation_id):
        raise Http404
    if services.assessment_reopen(assessment=assessment):
        messages.success(
            request,
            _(
                "The assessment is open again. Answers you save count as validated by you; "
                "submit it again to update the scores and the report."
            ),
        )
    return redirect("review", assessment.public_id)
