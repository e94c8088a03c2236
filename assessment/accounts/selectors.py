"""Account reads: who already uses an e-mail address."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet


def accounts_with_address(email: str) -> QuerySet:
    """Active accounts whose e-mail is this address (case-insensitive), oldest first."""
    return get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk")


def address_taken(email: str) -> bool:
    """True if an account has this address as its e-mail or as its login (sign-up makes both)."""
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()
