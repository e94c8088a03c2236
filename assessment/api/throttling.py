"""Requests per token (API_RATE), counted in the shared cache so every web process agrees."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from assessment.models import ApiToken


class ApiTokenThrottle(SimpleRateThrottle):
    scope = "api"

    def get_rate(self) -> str:
        return settings.API_RATE  # read per request, not frozen at import (tests change it)

    def get_cache_key(self, request: Request, view) -> str | None:
        if isinstance(request.auth, ApiToken):
            return self.cache_format % {"scope": self.scope, "ident": f"token-{request.auth.pk}"}
        # Without a token the request is refused before it does anything: count it by address.
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
