"""Account pages: sign-up confirmed by e-mail, login that hands over drafts, password reset."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.contrib.auth.views import LoginView
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment import access, selectors, services
from assessment.access import can_claim
from assessment.accounts import selectors as accounts_selectors
from assessment.accounts import services as accounts_services
from assessment.accounts.forms import LoginForm, SignupForm
from assessment.accounts.tokens import signup_token_email
from assessment.models import Organisation


@require_POST
def claim(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Add an assessment (and its firm) opened from a private link to the logged-in account."""
    assessment = access.assessment_for_request(request, public_id)
    if not can_claim(request, assessment):
        raise Http404
    services.assessment_claim(user=request.user, assessment=assessment)
    messages.success(request, _("The assessment and its firm are now in your account."))
    return redirect("my_assessments")


@login_required
@require_GET
def after_login(request: HttpRequest) -> HttpResponse:
    """Where logging in lands: staff of a consultancy or an association who have no
    assessments of their own go to their organisation's pages, everyone else to theirs."""
    organisation = selectors.organisations_of(request.user).first()
    if organisation and not selectors.assessments_of_user(request.user).exists():
        return redirect("association_home" if organisation.kind == Organisation.Kind.ASSOCIATION else "workspace")
    return redirect("my_assessments")


@login_required
@require_GET
def my_assessments(request: HttpRequest) -> HttpResponse:
    mine = selectors.assessments_of_user(request.user)
    return render(request, "assessment/my_assessments.html", {"mine": mine})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    """Ask for the address only. Whether it already has an account is never said here: the
    page answers alike (redirect to "check your e-mail", nobody logged in) and the worker
    mails the address either the link to finish or "you already have an account"."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts_services.signup_request(email=form.cleaned_data["email"], language=translation.get_language())
        return redirect("signup_sent")
    return render(request, "registration/signup.html", {"form": form})


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_finish(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the sign-up e-mail: choose a password, and the account is made, logged in,
    and given the drafts this browser started."""
    email = signup_token_email(token)
    if email is None or accounts_selectors.address_taken(email):
        # Only the address's owner has the link, so saying "already used" tells nobody else.
        return render(request, "registration/signup_invalid.html", {"used": email is not None})
    # An unsaved user, so the password validators compare the password with the address.
    form = SetPasswordForm(get_user_model()(username=email, email=email), request.POST or None)
    if request.method == "POST" and form.is_valid():
        drafts = access.started_here(request)
        user = accounts_services.account_create(email=email, password=form.cleaned_data["new_password1"])
        if user is None:
            return render(request, "registration/signup_invalid.html", {"used": True})
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        services.assessments_claim(user=user, assessments=drafts)
        messages.success(request, _("Your account is ready. Your assessments are listed below."))
        return redirect("my_assessments")
    return render(request, "registration/signup_finish.html", {"form": form, "email": email})


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link. The look-up and the e-mail happen in the task worker, so the
    page answers in the same time whether or not the address has an account."""

    def form_valid(self, form: PasswordResetForm) -> HttpResponse:
        accounts_services.password_reset_request(email=form.cleaned_data["email"], language=translation.get_language())
        return redirect(self.get_success_url())


class OwnerLoginView(LoginView):
    """Log in, and attach the drafts this browser started anonymously to the account."""

    form_class = LoginForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        drafts = access.started_here(self.request)
        response = super().form_valid(form)
        services.assessments_claim(user=form.get_user(), assessments=drafts)
        return response
