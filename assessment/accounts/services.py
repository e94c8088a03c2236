"""Account writes: queueing the password-reset e-mail."""

from __future__ import annotations

from django.db import transaction

from assessment.accounts import tasks


def password_reset_request(*, email: str, language: str) -> None:
    """Queue the reset e-mail (sent by password_reset_send in the worker), after commit."""
    transaction.on_commit(lambda: tasks.send_password_reset.enqueue(email, language))
