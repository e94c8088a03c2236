"""The sign-up link's token: the address, signed, valid as long as a password-reset link.

It holds no password and needs no table. It works once in effect: after the account is made
the address is taken and the finish page refuses it.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "assessment.accounts.signup"


def signup_token(email: str) -> str:
    return signing.dumps({"email": email}, salt=SALT)


def signup_token_email(token: str) -> str | None:
    """The address a genuine, unexpired token was made for, else None."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.PASSWORD_RESET_TIMEOUT)
    except signing.BadSignature:  # includes SignatureExpired
        return None
    email = payload.get("email") if isinstance(payload, dict) else None
    return email if isinstance(email, str) else None
