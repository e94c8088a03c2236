"""Render report data as a PDF with WeasyPrint.

Safety: WeasyPrint may only read the app's own static files. Every URL in the document
or the stylesheet resolves against a fake base URL and goes through StaticOnlyFetcher,
which serves files under static/ and small data: images, and refuses everything else
(file://, http(s)://, paths escaping static/, redirects: nothing else is ever opened).
User text reaches the HTML only through Django's auto-escaping templates.

Speed: one FontConfiguration and one parsed stylesheet serve every render in a process.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import mimetypes
import multiprocessing
import resource
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .apps import fast_subsetting_available  # noqa: F401 - part of this module's API
from .report import ReportData

logger = logging.getLogger(__name__)

VARIANTS = ("full", "summary")
FETCH_HOST = "report.invalid"  # .invalid never resolves (RFC 2606): a URL we only ever map to files
BASE_URL = f"https://{FETCH_HOST}/static/"
MAX_DATA_IMAGE = 64 * 1024
DATA_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")
STYLESHEET = "css/report.css"


def static_dir() -> Path:
    return Path(settings.BASE_DIR, "static").resolve()


class RefusedURL(ValueError):
    pass


class StaticOnlyFetcher(URLFetcher):
    """Serve files below static/ and small inline images; refuse every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("https", "data"), allow_redirects=False, fail_on_errors=False)

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return self._data_image(url)
        if parts.scheme == "https" and parts.netloc == FETCH_HOST and parts.path.startswith("/static/"):
            root = static_dir()
            path = (root / unquote(parts.path.removeprefix("/static/"))).resolve()
            if path.is_relative_to(root) and path.is_file():
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
        logger.warning("PDF render refused to fetch %.200s", url)
        raise RefusedURL(f"refused: {url[:200]}")

    def _data_image(self, url: str) -> URLFetcherResponse:
        header, _, payload = url.partition(",")
        mime = header.removeprefix("data:").split(";")[0].lower()
        if mime not in DATA_IMAGE_TYPES or len(payload) > MAX_DATA_IMAGE * 4 // 3 + 4:
            logger.warning("PDF render refused a data: URL of type %.50s", mime)
            raise RefusedURL("refused: data URL")
        body = base64.b64decode(payload) if header.endswith(";base64") else unquote(payload).encode()
        return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})


@cache
def fetcher() -> StaticOnlyFetcher:
    return StaticOnlyFetcher()


@cache
def font_config() -> FontConfiguration:
    return FontConfiguration()


@cache
def stylesheet() -> CSS:
    css = (static_dir() / STYLESHEET).read_text(encoding="utf-8")
    return CSS(string=css, base_url=BASE_URL + "css/", url_fetcher=fetcher(), font_config=font_config())


def report_html(report: ReportData, variant: str) -> str:
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r}")
    with translation.override(report.lang):
        return render_to_string("report/pdf.html", {"report": report, "variant": variant})


def html_to_pdf(html: str) -> bytes:
    """The bare WeasyPrint step: no attachments, our fetcher, shared fonts and stylesheet."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher())
    return document.write_pdf(stylesheets=[stylesheet()], font_config=font_config(), attachments=[])


def render_pdf(report: ReportData, variant: str) -> bytes:
    return html_to_pdf(report_html(report, variant))


class RenderFailed(Exception):
    """A render crashed, ran out of its memory allowance or out of time."""


def _render_child(conn, report: ReportData, variant: str, address_space: int) -> None:
    try:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, resource.getrlimit(resource.RLIMIT_AS)[1]))
        conn.send_bytes(render_pdf(report, variant))
    except BaseException:
        logger.exception("PDF render failed in its child process")
        conn.send_bytes(b"")
    finally:
        conn.close()


def _current_address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def render_pdf_bounded(report: ReportData, variant: str) -> bytes:
    """render_pdf() in a forked child that may use PDF_RENDER_MEMORY_MB more address space
    than this process and PDF_RENDER_TIMEOUT seconds, so one pathological report can neither
    exhaust the server's memory nor hold a worker forever. Raises RenderFailed.

    A fork shares the warm fonts and parsed stylesheet with the parent, so it costs a few ms.
    """
    limit = _current_address_space() + settings.PDF_RENDER_MEMORY_MB * 1024 * 1024
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_render_child, args=(sender, report, variant, limit), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(settings.PDF_RENDER_TIMEOUT):
            child.kill()
            raise RenderFailed(f"render took longer than {settings.PDF_RENDER_TIMEOUT} s")
        try:
            data = receiver.recv_bytes()
        except EOFError:
            data = b""
        if not data:
            raise RenderFailed("render failed (see the log)")
        return data
    finally:
        receiver.close()
        child.join(5)


@cache
def template_fingerprint() -> str:
    """Changes when the PDF template or stylesheet changes, so stored PDFs are re-rendered."""
    digest = hashlib.sha256()
    for path in sorted(Path(settings.BASE_DIR, "templates", "report").glob("*.html")):
        digest.update(path.read_bytes())
    digest.update((static_dir() / STYLESHEET).read_bytes())
    return digest.hexdigest()[:16]
