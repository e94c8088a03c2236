"""`Authorization: Bearer <token>`: the token's organisation is who calls."""

from __future__ import annotations

import hmac

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from assessment.api import selectors as api_selectors
from assessment.api import services as api_services
from assessment.links import token_digest
from assessment.models import ApiToken


class ApiTokenAuthentication(authentication.BaseAuthentication):
    """request.auth is the ApiToken; request.user the administrator who made it (or None),
    recorded as the author of what the API writes (uploads, bulk jobs)."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[object, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as “Authorization: Bearer <token>”."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("This API token is not valid or was revoked.")) from None
        digest = token_digest(raw)
        token = api_selectors.api_token_by_digest(digest)
        # The lookup is by digest; compare again in constant time all the same.
        if token is None or not hmac.compare_digest(token.digest, digest) or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This API token is not valid or was revoked."))
        api_services.api_token_used(token=token)
        return token.created_by, token

    def authenticate_header(self, request: Request) -> str:
        # Makes DRF answer a missing or bad token with 401 (not 403).
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The schema's security scheme: an HTTP bearer token (Swagger UI's Authorize button)."""

    target_class = ApiTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "An organisation's API token (the API tokens page)."}
