"""Associations: campaigns, invitations and the members' way in (invitation or shareable link).

Thin views, like views.py and workspace.py: fetch through access helpers, validate a form,
call a service, redirect.
"""

from __future__ import annotations

import base64
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access, languages, links, selectors
from assessment.campaigns import memberlist, qr
from assessment.campaigns import selectors as campaigns_selectors
from assessment.campaigns import services as campaigns_services
from assessment.campaigns.dashboard import build_dashboard, logger
from assessment.campaigns.forms import CampaignForm, ConsentForm, InviteForm, JoinForm, MemberFilterForm, PosterLogoForm
from assessment.languages import current_lang
from assessment.models import Campaign
from assessment.questionnaire.definition import tr
from assessment.reports.filenames import download_name
from assessment.reports.forms import ReportRequestForm
from assessment.workspace import services as workspace_services

JOINS_PER_SESSION = 3


def _association(request: HttpRequest):
    organisation = selectors.association_of(request.user)
    if organisation is None:
        raise Http404
    return organisation


@login_required
@require_GET
def association_home(request: HttpRequest) -> HttpResponse:
    organisation = selectors.association_of(request.user)
    if organisation is None:
        return redirect("workspace")
    context = {
        "organisation": organisation,
        "campaigns": campaigns_selectors.campaigns_of(organisation),
        "form": CampaignForm(),
        "logo_form": PosterLogoForm() if selectors.is_admin(request.user, organisation) else None,
        "has_logo": bool(organisation.logo),
    }
    return render(request, "campaigns/home.html", context)


@login_required
@require_POST
def association_logo(request: HttpRequest) -> HttpResponse:
    """The association's logo for its posters: checked and re-encoded as a consultancy's is."""
    organisation = _association(request)
    if not selectors.is_admin(request.user, organisation):
        raise Http404
    form = PosterLogoForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose an image file to upload."))
        return redirect("association_home")
    try:
        workspace_services.organisation_logo_set(organisation=organisation, upload=form.cleaned_data["logo"])
    except workspace_services.LogoRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Logo saved. It appears on your campaign posters."))
    return redirect("association_home")


@login_required
@require_POST
def campaign_new(request: HttpRequest) -> HttpResponse:
    organisation = _association(request)
    form = CampaignForm(request.POST)
    if not form.is_valid():
        context = {
            "organisation": organisation,
            "campaigns": campaigns_selectors.campaigns_of(organisation),
            "form": form,
        }
        return render(request, "campaigns/home.html", context, status=400)
    campaign = campaigns_services.campaign_create(organisation=organisation, user=request.user, **form.cleaned_data)
    messages.success(request, _("Campaign created. Invite members or share its link."))
    return redirect("campaign", campaign.pk)


def _render_campaign(request: HttpRequest, campaign: Campaign, invite_form=None, errors=(), status=200):
    # The member table is one page of MEMBERS_PER_PAGE, filtered by the query string; the
    # counts above it are the database's, for every member.
    filter_form = MemberFilterForm(request.GET)
    filters = filter_form.filters()
    counts = campaigns_selectors.campaign_member_counts(campaign)
    page, rows = campaigns_selectors.campaign_members_page(campaign, filters, request.GET.get("page"))
    qn = selectors.questionnaire_of(campaign.questionnaire)
    summary = campaigns_selectors.campaign_summary(campaign, [area.key for area in qn.areas], counts)
    lang = current_lang()
    share_link = _join_link(campaign, lang)
    means = [
        {"title": tr(area.title, lang), "score": summary["means"].get(area.key)}
        for area in qn.areas
        if summary["means"]
    ]
    context = {
        "campaign": campaign,
        "is_open": campaigns_services.campaign_is_open(campaign),
        "share_link": share_link,
        # Only a link that lets members in gets a QR code and a poster: no dead code on a wall.
        "qr_unusable": _link_unusable(campaign),
        "qr_size": qr.svg_size(share_link),
        "rows": rows,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "filter_form": filter_form,
        "filtered": filters != campaigns_selectors.MemberFilters(),
        "query": filter_form.query(),
        "summary": summary,
        "means": means,
        "invite_form": invite_form or InviteForm(),
        "errors": errors,
    }
    return render(request, "campaigns/campaign.html", context, status=status)


@login_required
@require_GET
def campaign(request: HttpRequest, campaign_id: int) -> HttpResponse:
    return _render_campaign(request, access.campaign_for_request(request, campaign_id))


@login_required
@require_POST
def campaign_invite(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Check the whole list first; invite everyone or no one, so a fixed list can be sent again."""
    campaign = access.campaign_for_request(request, campaign_id)
    form = InviteForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_campaign(request, campaign, form, status=400)
    text = form.cleaned_data["members"]
    upload = form.cleaned_data["upload"]
    try:
        if upload is not None:
            if upload.size > memberlist.MAX_BYTES:
                raise memberlist.ListError(
                    _("The file is larger than %(size)d KB.") % {"size": memberlist.MAX_BYTES // 1024}
                )
            text = memberlist.decode_upload(upload.read())
    except memberlist.ListError as exc:
        return _render_campaign(request, campaign, form, [str(exc)], status=400)
    members, errors = memberlist.parse_members(text, default_language=current_lang())
    if errors:
        return _render_campaign(request, campaign, form, errors, status=400)
    if not campaigns_services.campaign_is_open(campaign):
        error = _("Invitations can be sent only while the campaign is open (%(opens)s to %(closes)s).") % {
            "opens": campaign.opens_on.isoformat(),
            "closes": campaign.closes_on.isoformat(),
        }
        return _render_campaign(request, campaign, form, [error], status=400)
    # The links go out by e-mail from the task queue, so the service returns none of them here:
    # count the invited as those not skipped.
    _links, skipped = campaigns_services.invitations_add(campaign=campaign, members=members)
    invited = len(members) - skipped
    if not invited:
        message = ngettext(
            "Nobody new was invited: the member was already invited.",
            "Nobody new was invited: all %(count)d members were already invited.",
            skipped,
        ) % {"count": skipped}
        messages.info(request, message)
        return redirect("campaign", campaign.pk)
    message = ngettext(
        "%(count)d member invited; the e-mail is on the way.",
        "%(count)d members invited; their e-mails are on the way.",
        invited,
    ) % {"count": invited}
    if skipped:
        message += languages.get(current_lang()).sentence_separator + ngettext(
            "%(count)d was already invited and was skipped.",
            "%(count)d were already invited and were skipped.",
            skipped,
        ) % {"count": skipped}
    messages.success(request, message)
    return redirect("campaign", campaign.pk)


@login_required
@require_POST
def campaign_remind(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.campaign_for_request(request, campaign_id)
    try:
        count = campaigns_services.reminders_send(campaign=campaign)
    except campaigns_services.CampaignClosed as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", count) % {"count": count}
        )
    return redirect("campaign", campaign.pk)


@login_required
@require_POST
def campaign_link(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Close, reopen or replace the campaign's public link."""
    campaign = access.campaign_for_request(request, campaign_id)
    action = request.POST.get("action")
    if action not in ("close", "open", "rotate"):
        messages.error(request, _("Choose what to do with the link."))
        return redirect("campaign", campaign.pk)
    campaigns_services.campaign_link_set(campaign=campaign, action=action)
    done = {
        "close": _("The campaign link is closed: nobody can join through it until you open it again."),
        "open": _("The campaign link works again."),
        "rotate": _("The campaign has a new link; the old one no longer works."),
    }
    messages.success(request, done[action])
    return redirect("campaign", campaign.pk)


# --- The member's way in ------------------------------------------------------------------


def _start(request: HttpRequest, assessment, resume_token: str) -> HttpResponse:
    access.remember_token(request, assessment, resume_token)
    access.remember_started(request, assessment)
    return redirect("step", assessment.public_id, "profile")


def _invalid(request: HttpRequest) -> HttpResponse:
    # Unknown, used and expired links and closed campaigns all get this same page.
    return render(request, "campaigns/invitation_invalid.html", status=404)


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET only shows the invitation (a mail scanner fetching it uses nothing up); POST uses it."""
    found = campaigns_services.invitation_find(token)
    if found is None:
        # Coming back to a link this browser already used: continue the assessment it started.
        used = campaigns_selectors.invitation_assessment(links.token_digest(token))
        if used is not None and access.can_access(request, used):
            return redirect("review", used.public_id)
        return _invalid(request)
    # An unticked box sends nothing: an empty POST is still a POST.
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment, resume = campaigns_services.invitation_accept(
                token=token, user=request.user, share=form.cleaned_data["share"], language=current_lang()
            )
        except campaigns_services.InvitationInvalid:
            return _invalid(request)
        if found.assessment is not None:
            return redirect("resume", resume)  # back to the first unanswered page of the draft
        return _start(request, assessment, resume)
    context = {
        "campaign": found.campaign,
        "firm_name": found.firm.name,
        "form": form,
        "continuing": found.assessment is not None,
    }
    return render(request, "campaigns/invitation.html", context)


@require_http_methods(["GET", "POST"])
def campaign_join(request: HttpRequest, link_token: str) -> HttpResponse:
    """The campaign's shareable link: any firm may take part while the campaign is open."""
    found = campaigns_selectors.campaign_by_link(link_token)
    if found is None:
        raise Http404
    is_open = campaigns_services.campaign_is_open(found)
    form = JoinForm(request.POST if request.method == "POST" else None)
    # The link is public (a WeChat group, a newsletter): one browser may join a campaign only a
    # few times, so nobody fills the member list or the statistics from one session.
    joined = request.session.get("campaigns_joined", {})
    if request.method == "POST" and joined.get(str(found.pk), 0) >= JOINS_PER_SESSION:
        form.add_error(None, _("This browser has already started several assessments for this campaign."))
    if (
        request.method == "POST"
        and is_open
        and form.is_valid()
        and not campaigns_services.campaign_join_allowed(campaign=found, address=access.client_ip(request))
    ):
        form.add_error(
            None,
            _(
                "Many assessments were started from your network for this campaign in the last hour. "
                "Please try again later."
            ),
        )
    if request.method == "POST" and is_open and form.is_valid():
        request.session["campaigns_joined"] = {**joined, str(found.pk): joined.get(str(found.pk), 0) + 1}
        assessment, resume = campaigns_services.campaign_join(
            campaign=found,
            firm_name=form.cleaned_data["firm_name"],
            user=request.user,
            share=form.cleaned_data["share"],
            language=current_lang(),
        )
        return _start(request, assessment, resume)
    context = {"campaign": found, "form": form, "is_open": is_open}
    return render(request, "campaigns/join.html", context, status=400 if request.method == "POST" else 200)


@require_POST
def consent(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    assessment = access.assessment_for_request(request, public_id)
    if assessment.campaign_id is None:
        raise Http404
    form = ConsentForm(request.POST)
    form.is_valid()  # an unticked box is simply absent: "do not share"
    share = form.cleaned_data.get("share", False)
    campaigns_services.consent_set(assessment=assessment, share=share)
    if share:
        messages.success(request, _("The association can now see these results."))
    else:
        messages.success(request, _("The association now sees your firm only inside totals of several firms."))
    return redirect("results", assessment.public_id)


@login_required
@require_GET
def campaign_dashboard(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = access.campaign_for_request(request, campaign_id)
    qn = selectors.questionnaire_of(campaign.questionnaire)
    data = build_dashboard(campaign, qn, current_lang())
    return render(request, "campaigns/dashboard.html", {"campaign": campaign, "data": data})


@login_required
@require_GET
def campaign_dashboard_pdf(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """The dashboard as a cohort report, through the same PDF machinery as the firm reports."""
    campaign = access.campaign_for_request(request, campaign_id)
    form = ReportRequestForm({"lang": request.GET.get("lang", current_lang()), "variant": "full"})
    lang = form.cleaned_data["lang"] if form.is_valid() else current_lang()
    qn = selectors.questionnaire_of(campaign.questionnaire)
    with translation.override(lang):
        data = build_dashboard(campaign, qn, lang)
        html = render_to_string("report/cohort.html", {"data": data, "generated": timezone.localdate()})
    from assessment.reports import pdf  # WeasyPrint: imported by the processes that render

    try:
        document = pdf.render_html_bounded(html)
    except Exception:
        logger.exception("Cohort PDF for campaign %s failed", campaign.pk)
        return render(request, "campaigns/dashboard_failed.html", {"campaign": campaign}, status=503)
    response = HttpResponse(document, content_type="application/pdf")
    filename = download_name(campaign.name, timezone.localdate(), "cohort", lang=lang)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- The campaign link on paper: QR code and poster ---------------------------------------


def _join_link(campaign: Campaign, lang: str) -> str:
    """The campaign's public link in `lang`, so that a member lands on pages in that language."""
    with translation.override(lang):
        return links.absolute_url(reverse("campaign_join", args=[campaign.link_token]))


def _link_unusable(campaign: Campaign) -> str:
    """Why the campaign link lets nobody in any more ("" while it does).

    A campaign that has not opened yet is fine: posters go up before it opens, and the link
    says when it does."""
    if not campaign.link_active:
        return _("The campaign link is closed, so a QR code of it would lead nowhere. Open the link again first.")
    if timezone.localdate() > campaign.closes_on:
        return _("The campaign closed on %(date)s: its link no longer lets anyone take part.") % {
            "date": campaign.closes_on.isoformat()
        }
    return ""


def _download_lang(request: HttpRequest) -> str:
    form = ReportRequestForm({"lang": request.GET.get("lang", current_lang()), "variant": "full"})
    return form.cleaned_data["lang"] if form.is_valid() else current_lang()


def _link_unavailable(request: HttpRequest, campaign: Campaign, title: str, reason: str, status: int) -> HttpResponse:
    context = {"campaign": campaign, "title": title, "reason": reason}
    return render(request, "campaigns/link_unavailable.html", context, status=status)


def _logo_uri(organisation) -> str:
    # The logo is stored re-encoded and small (workspace.services.organisation_logo_set), within
    # what the PDF renderer accepts as an inline image.
    if not organisation.logo:
        return ""
    return f"data:{organisation.logo_type};base64,{base64.b64encode(bytes(organisation.logo)).decode()}"


def _length_class(text: str, long: int, very_long: int) -> str:
    return "very-long" if len(text) > very_long else "long" if len(text) > long else ""


def _poster_classes(campaign_name: str, organisation_name: str) -> dict[str, str]:
    """CSS classes that shrink long names (up to 200 characters each) so the poster stays one
    page: a Chinese title of more than 34 characters would take a third line at full size."""
    title = _length_class(campaign_name, 34, 80)
    organisation = _length_class(organisation_name, 33, 80)
    return {"title": title, "organisation": organisation, "body": "crowded" if title or organisation else ""}


@login_required
@require_GET
def campaign_qr(request: HttpRequest, campaign_id: int, fmt: str) -> HttpResponse:
    """The campaign link as a QR code, SVG (also shown on the campaign page) or PNG."""
    campaign = access.campaign_for_request(request, campaign_id)
    if fmt not in ("svg", "png"):
        raise Http404
    reason = _link_unusable(campaign)
    if reason:
        return _link_unavailable(request, campaign, _("No QR code for this link"), reason, 409)
    lang = _download_lang(request)
    link = _join_link(campaign, lang)
    if fmt == "svg":
        with translation.override(lang):
            title = _("QR code of the campaign link: %(link)s") % {"link": link}
        response = HttpResponse(qr.qr_svg(link, title), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr.qr_png(link), content_type="image/png")
    filename = download_name(campaign.name, timezone.localdate(), "qr", lang=lang, ext=fmt)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def campaign_poster(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """An A4 poster of the campaign link for notice boards and WeChat groups, in zh or en."""
    campaign = access.campaign_for_request(request, campaign_id)
    reason = _link_unusable(campaign)
    if reason:
        return _link_unavailable(request, campaign, _("No poster for this link"), reason, 409)
    lang = _download_lang(request)
    link = _join_link(campaign, lang)
    organisation = campaign.organisation
    with translation.override(lang):
        qr_title = _("QR code of the campaign link: %(link)s") % {"link": link}
        context = {
            "campaign": campaign,
            "organisation": organisation,
            "logo": _logo_uri(organisation),
            "link": link,
            # segno's markup of our own URL; it escapes the title it writes
            "qr_svg": mark_safe(qr.qr_svg_inline(link, qr_title)),  # noqa: S308
            "lang": lang,
            "classes": _poster_classes(campaign.name, organisation.name),
        }
        html = render_to_string("campaigns/poster.html", context)
    from assessment.reports import pdf  # WeasyPrint: imported by the processes that render

    try:
        document = pdf.render_html_bounded(html)
    except Exception:
        logger.exception("Poster PDF for campaign %s failed", campaign.pk)
        message = _("Creating the PDF took too long or failed. Nothing is lost: try again in a minute.")
        return _link_unavailable(request, campaign, _("The poster could not be created"), message, 503)
    response = HttpResponse(document, content_type="application/pdf")
    filename = download_name(campaign.name, timezone.localdate(), "poster", lang=lang)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
