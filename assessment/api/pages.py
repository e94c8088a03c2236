"""The API tokens page of an organisation's administrators: create (the token shown once) and revoke."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessment import links
from assessment.api import selectors as api_selectors
from assessment.api import services as api_services
from assessment.api.forms import ApiTokenForm
from assessment.models import ApiToken


@login_required
@never_cache  # the page shows a new token once: no cache may keep it
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    administered = api_selectors.admin_organisations(request.user)
    organisations = list(administered)
    if not organisations:
        raise Http404  # administrators only, as the logo forms
    form = ApiTokenForm(request.POST or None, organisations=administered)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            token, raw = api_services.api_token_create(
                organisation=form.cleaned_data["organisation"],
                user=request.user,
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
            )
            # Rendered, not redirected: the token exists only in this response, never in a session.
            created = {"token": token, "raw": raw}
            form = ApiTokenForm(organisations=administered)
        else:
            status = 400
    context = {
        "organisations": [(org, api_selectors.api_tokens_of(org)) for org in organisations],
        "form": form,
        "created": created,
        "api_base": links.absolute_url("/api/v1/"),
        "docs_url": reverse("api:docs"),
    }
    return render(request, "api/tokens.html", context, status=status)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = ApiToken.objects.filter(
        pk=token_id, organisation__in=api_selectors.admin_organisations(request.user)
    ).first()
    if token is None:
        raise Http404
    api_services.api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("api_tokens")
