"""Associations: campaigns, invitations and the members' way in (invitation or shareable link).

Thin views, like views.py and workspace.py: fetch through access helpers, validate a form,
call a service, redirect.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, memberlist, selectors, services
from .languages import current_lang
from .models import Campaign, QuestionnaireVersion
from .questionnaire import tr

JOINS_PER_SESSION = 3
DATE_INPUT = {"type": "date"}


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Campaign name"), max_length=200)
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("Questionnaire version"),
        queryset=QuestionnaireVersion.objects.defer("definition").order_by("-loaded_at"),
        empty_label=None,
    )
    # A date input takes only an ISO value: the locale's format (2026/12/02 in zh-hans) shows it empty.
    opens_on = forms.DateField(label=gettext_lazy("Opens on"), widget=forms.DateInput(DATE_INPUT, format="%Y-%m-%d"))
    closes_on = forms.DateField(label=gettext_lazy("Closes on"), widget=forms.DateInput(DATE_INPUT, format="%Y-%m-%d"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = selectors.current_version()
        if current is not None:
            self.fields["questionnaire"].initial = current.pk
        today = timezone.localdate()
        self.fields["opens_on"].initial = today
        self.fields["closes_on"].initial = today + timezone.timedelta(days=30)

    def clean(self):
        data = super().clean()
        if data.get("opens_on") and data.get("closes_on") and data["closes_on"] < data["opens_on"]:
            self.add_error("closes_on", _("The closing date must not be before the opening date."))
        return data


class InviteForm(forms.Form):
    members = forms.CharField(
        label=gettext_lazy("Members, one per line"),
        help_text=gettext_lazy(
            "Firm name, contact person, e-mail and optionally language (zh-hans or en), separated by commas "
            "or tabs. You can paste the columns straight from Excel."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=memberlist.MAX_BYTES,
    )
    upload = forms.FileField(
        label=gettext_lazy("Or upload a CSV file with the same columns (UTF-8 or GBK)"), required=False
    )


class ConsentForm(forms.Form):
    share = forms.BooleanField(required=False)


class JoinForm(forms.Form):
    firm_name = forms.CharField(label=gettext_lazy("Firm name"), max_length=200)
    share = forms.BooleanField(required=False)


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
    context = {"organisation": organisation, "campaigns": selectors.campaigns_of(organisation), "form": CampaignForm()}
    return render(request, "campaigns/home.html", context)


@login_required
@require_POST
def campaign_new(request: HttpRequest) -> HttpResponse:
    organisation = _association(request)
    form = CampaignForm(request.POST)
    if not form.is_valid():
        context = {"organisation": organisation, "campaigns": selectors.campaigns_of(organisation), "form": form}
        return render(request, "campaigns/home.html", context, status=400)
    campaign = services.campaign_create(organisation=organisation, user=request.user, **form.cleaned_data)
    messages.success(request, _("Campaign created. Invite members or share its link."))
    return redirect("campaign", campaign.pk)


def _render_campaign(request: HttpRequest, campaign: Campaign, invite_form=None, errors=(), status=200):
    rows = selectors.campaign_members(campaign)
    summary = selectors.campaign_summary(campaign, rows)
    qn = selectors.questionnaire_of(campaign.questionnaire)
    lang = current_lang()
    means = [
        {"title": tr(area.title, lang), "score": summary["means"].get(area.key)}
        for area in qn.areas
        if summary["means"]
    ]
    context = {
        "campaign": campaign,
        "is_open": services.campaign_is_open(campaign),
        "share_link": selectors.absolute_url(reverse("campaign_join", args=[campaign.link_token])),
        "rows": rows,
        "summary": summary,
        "means": means,
        "min_group": selectors.MIN_GROUP,
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
    if not services.campaign_is_open(campaign):
        error = _("Invitations can be sent only while the campaign is open (%(opens)s to %(closes)s).") % {
            "opens": campaign.opens_on.isoformat(),
            "closes": campaign.closes_on.isoformat(),
        }
        return _render_campaign(request, campaign, form, [error], status=400)
    # The links go out by e-mail from the task queue, so the service returns none of them here:
    # count the invited as those not skipped.
    _links, skipped = services.invitations_add(campaign=campaign, members=members)
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
        # Chinese sentences follow each other without a space.
        message += ("" if current_lang() == "zh-hans" else " ") + ngettext(
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
        count = services.reminders_send(campaign=campaign)
    except services.CampaignClosed as exc:
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
    services.campaign_link_set(campaign=campaign, action=action)
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
    found = services.invitation_find(token)
    if found is None:
        # Coming back to a link this browser already used: continue the assessment it started.
        used = selectors.invitation_assessment(services.token_digest(token))
        if used is not None and access.can_access(request, used):
            return redirect("review", used.public_id)
        return _invalid(request)
    # An unticked box sends nothing: an empty POST is still a POST.
    form = ConsentForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment, resume = services.invitation_accept(
                token=token, user=request.user, share=form.cleaned_data["share"], language=current_lang()
            )
        except services.InvitationInvalid:
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
    found = selectors.campaign_by_link(link_token)
    if found is None:
        raise Http404
    is_open = services.campaign_is_open(found)
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
        and not services.campaign_join_allowed(campaign=found, address=access.client_ip(request))
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
        assessment, resume = services.campaign_join(
            campaign=found,
            firm_name=form.cleaned_data["firm_name"],
            user=request.user,
            share=form.cleaned_data["share"],
            language=current_lang(),
        )
        return _start(request, assessment, resume)
    context = {"campaign": found, "form": form, "is_open": is_open}
    return render(request, "campaigns/join.html", context, status=400 if request.method == "POST" else 200)
