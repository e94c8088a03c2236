"""The password-reset task: sent from the worker, so a request's timing says nothing about accounts."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.tasks import task
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
