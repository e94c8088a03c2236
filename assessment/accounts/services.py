"""Account writes: queueing the password-reset and sign-up e-mails, making an account."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from assessment.accounts import selectors, tasks


def password_reset_request(*, email: str, language: str) -> None:
    """Queue the reset e-mail (sent by password_reset_send in the worker), after commit."""
    transaction.on_commit(lambda: tasks.send_password_reset.enqueue(email, language))


def signup_request(*, email: str, language: str) -> None:
    """Queue the sign-up e-mail, after commit. The request does the same work whether or not
    the address has an account: the worker looks it up and sends either the link to finish
    signing up or the "you already have an account" e-mail (signup_mail_send)."""
    transaction.on_commit(lambda: tasks.send_signup_mail.enqueue(email, language))


def account_create(*, email: str, password: str) -> User | None:
    """Make the account of a confirmed address, its login being the address. None if the
    address was taken meanwhile (the link was used already, or two tabs raced)."""
    try:
        with transaction.atomic():
            if selectors.address_taken(email):
                return None
            return User.objects.create_user(username=email, email=email, password=password)
    except IntegrityError:  # the same username made at the same moment
        return None
