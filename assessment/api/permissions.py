"""A request needs a token (any scope reads); writing needs a token of the write scope."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions
from rest_framework.request import Request

from assessment.models import ApiToken


class HasApiToken(permissions.BasePermission):
    message = _("Send an API token: “Authorization: Bearer <token>”.")

    def has_permission(self, request: Request, view) -> bool:
        return isinstance(request.auth, ApiToken)


class CanWrite(permissions.BasePermission):
    message = _("This API token may only read. Create a token with the read and write scope.")

    def has_permission(self, request: Request, view) -> bool:
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return request.method in permissions.SAFE_METHODS or token.can_write
