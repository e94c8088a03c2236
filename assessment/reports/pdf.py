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
import contextlib
import ctypes
import hashlib
import logging
import math
import mimetypes
import multiprocessing
import os
import resource
import signal
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessment.apps import fast_subsetting_available  # noqa: F401 - part of this module's API
from assessment.reports.builder import ReportData

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
    """The bare WeasyPrint step: no attachments, our fetcher, shared fonts and stylesheet.

    A character no installed font has (an emoji typed into a firm name, a private-use
    character) is drawn as a box by WeasyPrint, which then garbles the text layer of the
    whole document: copying, searching and screen readers get nonsense. Such characters
    are replaced, in the document's text only, by a box our own font draws, and the report
    is rendered once more: two renders at most, whatever the second one reports.
    """
    data, missing = _write_pdf(html)
    # A space is drawn with the font of the text before it, and every font file carries
    # the spaces (scripts/build_fonts.py): one missing is a font build fault, which boxing
    # every space of the text would only make worse.
    missing = {char for char in missing if not char.isspace()}
    if not missing:
        return data
    logger.info("PDF text has characters no font draws: %s", " ".join(f"U+{ord(c):04X}" for c in sorted(missing)))
    data, still = _write_pdf(replace_in_text(html, dict.fromkeys(map(ord, missing), MISSING_GLYPH)))
    if still:
        logger.warning("PDF text still has characters no font draws: %r", sorted(still))
    return data


MISSING_GLYPH = "\u25a1"  # □, in ReportSans


class _TextRewriter(HTMLParser):
    """Re-emit an HTML document verbatim except for its text, which goes through a table.

    Tags, attributes, comments and character references are written back exactly as read,
    so the markup cannot change whatever the table maps.
    """

    def __init__(self, table: dict[int, str]) -> None:
        super().__init__(convert_charrefs=False)
        self.table = table
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.parts.append(self.get_starttag_text() or "")  # always set while a tag is handled

    def handle_startendtag(self, tag, attrs):
        self.parts.append(self.get_starttag_text() or "")  # always set while a tag is handled

    def handle_endtag(self, tag):
        self.parts.append(f"</{tag}>")

    def handle_data(self, data):
        self.parts.append(data.translate(self.table))

    def handle_entityref(self, name):
        self.parts.append(f"&{name};")

    def handle_charref(self, name):
        self.parts.append(f"&#{name};")

    def handle_comment(self, data):
        self.parts.append(f"<!--{data}-->")

    def handle_decl(self, decl):
        self.parts.append(f"<!{decl}>")

    def handle_pi(self, data):
        self.parts.append(f"<?{data}>")

    def unknown_decl(self, data):
        self.parts.append(f"<![{data}]>")


def replace_in_text(html: str, table: dict[int, str]) -> str:
    """`html` with the characters of its text (not of its markup) mapped through `table`."""
    rewriter = _TextRewriter(table)
    rewriter.feed(html)
    rewriter.close()
    return "".join(rewriter.parts)


def _write_pdf(html: str) -> tuple[bytes, set[str]]:
    """The PDF, and the characters no font had a glyph for."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher()).render(
        font_config=font_config(), stylesheets=[stylesheet()], attachments=[]
    )
    data = document.write_pdf(attachments=[])
    # Fonts are filled while the pages are drawn: read them after write_pdf.
    return data, {chr(code) for font in document.fonts.values() for code in font.missing}


def render_pdf(report: ReportData, variant: str) -> bytes:
    return html_to_pdf(report_html(report, variant))


class RenderFailed(Exception):
    """A render crashed, ran out of its memory allowance or out of time."""


def _render_child(receiver, sender, html: str, address_space: int, seconds: int) -> None:
    # The child must never outlive its purpose: it dies with its parent (a killed web
    # worker), on its own deadline, and it holds no read end that could keep a write
    # to a gone parent blocked.
    receiver.close()
    try:
        _die_with_parent()
        signal.alarm(max(1, math.ceil(seconds)) + 1)
        resource.setrlimit(resource.RLIMIT_AS, (address_space, resource.getrlimit(resource.RLIMIT_AS)[1]))
        sender.send_bytes(html_to_pdf(html))
    except BaseException:
        logger.exception("PDF render failed in its child process")
        with contextlib.suppress(OSError):
            sender.send_bytes(b"")
    finally:
        sender.close()
        os._exit(0)  # skip inherited atexit handlers and threads' state: nothing to clean up here


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _current_address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def render_pdf_bounded(report: ReportData, variant: str) -> bytes:
    return render_html_bounded(report_html(report, variant))


def render_html_bounded(html: str) -> bytes:
    """html_to_pdf() in a forked child that may use PDF_RENDER_MEMORY_MB more address space
    than this process and PDF_RENDER_TIMEOUT seconds, so one pathological report can neither
    exhaust the server's memory nor hold a worker forever. Raises RenderFailed.

    A fork shares the warm fonts and parsed stylesheet with the parent, so it costs a few ms.
    """
    stylesheet()  # warm the shared font configuration and stylesheet once, so forks inherit them
    limit = _current_address_space() + settings.PDF_RENDER_MEMORY_MB * 1024 * 1024
    timeout = settings.PDF_RENDER_TIMEOUT
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_render_child, args=(receiver, sender, html, limit, timeout), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            child.kill()
            raise RenderFailed(f"render took longer than {timeout} s")
        try:
            data = receiver.recv_bytes()
        except EOFError:
            data = b""
        if not data:
            raise RenderFailed("render failed (see the log)")
        return data
    finally:
        receiver.close()
        child.join()


@cache
def template_fingerprint() -> str:
    """Changes with anything a rendered PDF depends on besides its data, so stored PDFs are re-rendered."""
    base = Path(settings.BASE_DIR)
    inputs = [
        *sorted(base.glob("templates/report/*.html")),
        static_dir() / STYLESHEET,
        *sorted(static_dir().glob("fonts/*.otf")),
        *sorted(base.glob("locale/*/LC_MESSAGES/*.po")),
        # The report package's code (builder, charts, this module…), found by folder, not by name.
        *sorted(Path(__file__).parent.glob("*.py")),
    ]
    digest = hashlib.sha256()
    for path in inputs:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
