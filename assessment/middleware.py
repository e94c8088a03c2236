"""Refuse request bodies larger than any page of ours accepts, before Django reads them.

DATA_UPLOAD_MAX_MEMORY_SIZE does not cover file parts: without this, an anonymous post of
200 MB to any page is read and spooled to disk. The import page takes files up to
IMPORT_MAX_MB; every other page at most REQUEST_MAX_MB (a logo or a member list).
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

MB = 1024 * 1024
IMPORT_URL_NAMES = ("campaign_import", "api:imports")  # the import page and the API's import
MULTIPART_MARGIN = MB  # the form's other fields and the multipart boundaries


def body_limit(request: HttpRequest) -> int:
    """The largest body this request's page accepts, in bytes."""
    try:
        name = resolve(request.path_info).view_name
    except Resolver404:
        name = None
    if name in IMPORT_URL_NAMES:
        return settings.IMPORT_MAX_MB * MB + MULTIPART_MARGIN
    return settings.REQUEST_MAX_MB * MB


class RequestBodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        # Only a body over the general limit needs the page resolved (the import page's own
        # limit): every other request passes without an extra URL resolution.
        if length > settings.REQUEST_MAX_MB * MB and length > (limit := body_limit(request)):
            if request.path_info.startswith("/api/"):
                message = _("The request is larger than %(size)d MB.") % {"size": limit // MB}
                return JsonResponse({"detail": message}, status=413)
            return render(request, "413.html", {"max_mb": limit // MB}, status=413)
        return self.get_response(request)


class PageGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for pages and JSON only: PDFs, zips and spreadsheets are
    compressed already (and static files come precompressed from WhiteNoise).

    Its random padding (Django >= 4.2) is why pages are compressed here, not at a proxy:
    every page of a draft carries the owner's private link, which a BREACH-style length
    attack could otherwise read out of compressed pages that reflect text it chose.
    """

    COMPRESSED_TYPES = ("text/html", "application/json", "text/plain", "text/calendar")

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith(self.COMPRESSED_TYPES):
            return response
        return super().process_response(request, response)
