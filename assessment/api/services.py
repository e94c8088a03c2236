"""API token writes: made and revoked by an organisation's administrators on the tokens page."""

from __future__ import annotations

import secrets

from django.utils import timezone

from assessment.links import token_digest
from assessment.models import ApiToken, Organisation

# A recognisable start (secret scanners and people tell it apart), then 256 random bits.
TOKEN_START = "smec_"  # noqa: S105 - a public marker, not a secret
PREFIX_LENGTH = len(TOKEN_START) + 6


def api_token_create(*, organisation: Organisation, user, name: str, scope: str) -> tuple[ApiToken, str]:
    """A new token of the organisation: (the stored row, the token itself, to show once)."""
    raw = TOKEN_START + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        scope=scope,
        digest=token_digest(raw),
        prefix=raw[:PREFIX_LENGTH],
        created_by=user,
    )
    return token, raw


def api_token_revoke(*, token: ApiToken) -> None:
    """The token stops working at once; the row stays, so the page says when it was revoked."""
    if token.revoked_at is None:
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        token.refresh_from_db(fields=["revoked_at"])


def api_token_used(*, token: ApiToken) -> None:
    """Note the token's last use, at most once a minute (not one write per request)."""
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
