"""Tokens and links: token digests (only digests are stored) and absolute URLs built on SITE_URL."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils import translation


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def absolute_url(path: str) -> str:
    """A link to hand out, on the configured SITE_URL (never the request's Host header)."""
    return f"{settings.SITE_URL}{path}"


def invitation_url(token: str, language: str) -> str:
    """The absolute link for an e-mail, with the member's language in its path."""
    with translation.override(language):
        return absolute_url(reverse("invitation", args=[token]))
