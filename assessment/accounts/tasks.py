"""Account e-mails (password reset, sign-up): sent from the worker, so a request's timing says
nothing about which addresses have accounts."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from assessment.product import PRODUCT_NAME


def password_reset_send(*, email: str, language: str) -> int:
    """Mail a reset link, in `language`, to every active account with this address.

    Links are built on SITE_URL, never on a request's Host header. Returns how many were sent.
    """
    from django.contrib.auth.forms import PasswordResetForm

    form = PasswordResetForm(data={"email": email})
    if not form.is_valid():
        return 0
    site = urlsplit(settings.SITE_URL)
    with translation.override(language):
        users = list(form.get_users(form.cleaned_data["email"]))
        form.save(
            domain_override=site.netloc,
            use_https=site.scheme == "https",
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
            html_email_template_name="registration/password_reset_email.html",
            extra_email_context={"site_url": settings.SITE_URL, "site_name": str(PRODUCT_NAME)},
        )
    return len(users)


@task()
def send_password_reset(email: str, language: str) -> int:
    """A password-reset e-mail: sent here, so the request's timing says nothing about accounts."""
    return password_reset_send(email=email, language=language)


def signup_mail_send(*, email: str, language: str) -> str:
    """Mail, in `language`, either the link to finish signing up ("confirm") or, if the address
    already has an account, what to do instead ("exists": log in, or reset the password).

    Links are built on SITE_URL. Returns which e-mail was sent.
    """
    from assessment.accounts import selectors, tokens

    site_url = settings.SITE_URL.rstrip("/")
    with translation.override(language):
        context: dict[str, object] = {"site_name": str(PRODUCT_NAME), "site_url": site_url}
        if selectors.address_taken(email):
            kind = "exists"
            # Only the logins of accounts with this very address: they are its owner's.
            context["usernames"] = [user.get_username() for user in selectors.accounts_with_address(email)]
            context["login_link"] = site_url + reverse("login")
            context["reset_link"] = site_url + reverse("password_reset")
        else:
            kind = "confirm"
            context["link"] = site_url + reverse("signup_finish", kwargs={"token": tokens.signup_token(email)})
        subject = " ".join(render_to_string(f"email/signup_{kind}_subject.txt", context).split())
        text = render_to_string(f"email/signup_{kind}.txt", context)
        html = render_to_string(f"email/signup_{kind}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [email])
    message.attach_alternative(html, "text/html")
    message.send()
    return kind


@task()
def send_signup_mail(email: str, language: str) -> str:
    """A sign-up e-mail: decided and sent here, so the sign-up page answers alike for every address."""
    return signup_mail_send(email=email, language=language)
