"""Render report data as a PDF with WeasyPrint.

Safety: WeasyPrint may only read the app's own static files. Every URL in the document
or the stylesheet resolves against a fake base URL and goes through StaticOnlyFetcher,
which serves files under static/ and small data: images, and refuses everything else
(file://, http(s)://, paths escaping static/, redirects: nothing else is ever opened).
User text reaches the HTML only through Django's auto-escaping templates.

Speed: one FontConfiguration and one parsed stylesheet serve every render in a process, and a
worker's renders share one long-lived bounded child (render_session) that keeps them warm.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import gc
import logging
import math
import mimetypes
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Iterator
from functools import cache
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assessment.apps import fast_subsetting_available  # noqa: F401 - part of this module's API
from assessment.reports.builder import ReportData
from assessment.reports.fingerprint import PDF_OPTIONS, STYLESHEET, VARIANTS, static_dir

logger = logging.getLogger(__name__)

FETCH_HOST = "report.invalid"  # .invalid never resolves (RFC 2606): a URL we only ever map to files
BASE_URL = f"https://{FETCH_HOST}/static/"
MAX_DATA_IMAGE = 64 * 1024
DATA_IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif")


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
    data = document.write_pdf(attachments=[], **PDF_OPTIONS)  # tagged: see PDF_OPTIONS
    # Fonts are filled while the pages are drawn: read them after write_pdf.
    return data, {chr(code) for font in document.fonts.values() for code in font.missing}


def render_pdf(report: ReportData, variant: str) -> bytes:
    return html_to_pdf(report_html(report, variant))


class RenderFailed(Exception):
    """A render crashed, ran out of its memory allowance or out of time."""


# A render child serving a worker (render_session) retires after this many reports, or once it
# has grown by this share of PDF_RENDER_MEMORY_MB, so what a long run leaves behind (heap
# fragments, glyph caches) stays small; its successor is forked from the worker again.
SESSION_MAX_RENDERS = 500
SESSION_MAX_GROWTH = 0.25

# The child's reply: one status byte, then the PDF.
_DONE, _RETIRING, _FAILED = b"D", b"R", b"F"


def _serve(requests, replies, parent_ends, allowance: int, max_renders: int) -> None:
    """The render child: render each (seconds, html) request it receives, until the parent
    closes the pipe, a render fails, or it has rendered `max_renders` documents.

    Each render may use `allowance` bytes more address space than the child had just before it,
    and dies on its own deadline. A failed render ends the child: whatever it left behind is
    never shared with the next report.
    """
    # The child must never outlive its purpose: it dies with its parent (a killed worker), on each
    # render's deadline, and holds no end of the pipes that is the parent's, so that a write to a
    # gone parent fails and a gone parent reads as the end of the requests.
    try:
        for end in parent_ends:
            end.close()
        _die_with_parent()
        # Signal handlers inherited from a worker (graceful shutdown, RQ's job timeout) belong
        # to the worker's loop, not to this one: here a signal simply ends the process.
        for name in ("SIGALRM", "SIGTERM", "SIGINT", "SIGHUP"):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
        # What the child inherited (Django, the fonts, the stylesheet: ~180,000 objects) is never
        # garbage: the child's collector neither scans nor writes to it (it had scanned it all in
        # one render of two or three, +25-30 % on those). Reference counts still write to what a
        # render touches.
        gc.freeze()
        hard = resource.getrlimit(resource.RLIMIT_AS)[1]
        start = _current_address_space()
        for rendered in range(1, max_renders + 1):
            try:
                seconds, html = requests.recv()
            except EOFError:
                return  # the parent is done with this child
            signal.alarm(max(1, math.ceil(seconds)) + 1)
            limit = _current_address_space() + allowance
            soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            try:
                data = html_to_pdf(html)
            except BaseException:
                logger.exception("PDF render failed in its child process")
                with contextlib.suppress(OSError):
                    replies.send_bytes(_FAILED)
                return
            signal.alarm(0)
            retiring = rendered == max_renders or _current_address_space() - start > allowance * SESSION_MAX_GROWTH
            replies.send_bytes((_RETIRING if retiring else _DONE) + data)
            if retiring:
                return  # the parent waits for it to exit: no collecting first
            # The render's garbage is collected after its reply (while the parent stores the PDF;
            # a next request waits for it, a few ms) rather than during the next render. Under
            # the render's memory limit still: running out here only skips the collection.
            del data
            with contextlib.suppress(MemoryError):
                gc.collect()
    finally:
        requests.close()
        replies.close()
        os._exit(0)  # skip inherited atexit handlers and threads' state: nothing to clean up here


def _die_with_parent() -> None:
    """Ask Linux to kill this process when its parent dies (prctl PR_SET_PDEATHSIG)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def _current_address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _allowance() -> int:
    return settings.PDF_RENDER_MEMORY_MB * 1024 * 1024


class _RenderChild:
    """A forked render child (_serve) and the parent's ends of its two pipes.

    A fork shares the warm fonts and parsed stylesheet with the parent, so it costs a few ms.
    It is usable until a render fails or it retires; then it is gone, and never asked again.
    """

    def __init__(self, max_renders: int) -> None:
        stylesheet()  # warm the shared font configuration and stylesheet once, so forks inherit them
        self.allowance = _allowance()
        context = multiprocessing.get_context("fork")
        child_requests, self.requests = context.Pipe(duplex=False)
        self.replies, child_replies = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_serve,
            args=(child_requests, child_replies, (self.requests, self.replies), self.allowance, max_renders),
            daemon=True,
        )
        self.process.start()
        child_requests.close()
        child_replies.close()
        self.usable = True

    def render(self, html: str, timeout: float) -> bytes:
        status = _FAILED
        try:
            try:
                self.requests.send((timeout, html))
                if not self.replies.poll(timeout):
                    raise RenderFailed(f"render took longer than {timeout} s")
                reply = self.replies.recv_bytes()
            except (EOFError, OSError):  # the child died: killed, crashed, out of memory
                reply = _FAILED
            status, data = reply[:1], reply[1:]
            if status not in (_DONE, _RETIRING) or not data:
                status = _FAILED
                raise RenderFailed("render failed (see the log)")
            return data
        finally:
            # A retiring child exits by itself. Anything but a reply (a failure, a timeout, an
            # exception raised in this process while it waited, such as a job timeout) leaves
            # the child in an unknown state: it is killed.
            if status == _RETIRING:
                self.close()
            elif status != _DONE:
                self.close(kill=True)

    def close(self, kill: bool = False) -> None:
        """End the child; an idle one exits by itself once its requests pipe is closed."""
        self.usable = False
        self.requests.close()
        if kill:
            self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.replies.close()


class _Session:
    """One long-lived render child for the renders of this process (see render_session); with
    idle_seconds, the child ends that long after its last render (and comes back on the next)."""

    def __init__(self, idle_seconds: float = 0) -> None:
        self.pid = os.getpid()
        self.child: _RenderChild | None = None
        self.lock = threading.Lock()  # one document at a time goes through the child's pipes
        self.idle_seconds = idle_seconds
        self.renders = 0
        self.timer: threading.Timer | None = None

    def render(self, html: str, timeout: float) -> bytes:
        with self.lock:
            child = self.child
            # One that failed or retired, was killed while idle (by the kernel's OOM killer, say)
            # or has another allowance than the settings now give is replaced before it is asked.
            if child is None or not (child.usable and child.process.is_alive() and child.allowance == _allowance()):
                if child is not None:
                    child.close(kill=True)
                child = self.child = _RenderChild(max_renders=SESSION_MAX_RENDERS)
            try:
                return child.render(html, timeout)
            finally:
                self.renders += 1
                self._retire_when_idle()

    def _retire_when_idle(self) -> None:
        """(Under the lock.) End the child idle_seconds from now unless another render comes first."""
        if not self.idle_seconds:
            return
        if self.timer is not None:
            self.timer.cancel()
        self.timer = threading.Timer(self.idle_seconds, self._retire, args=(self.renders,))
        self.timer.daemon = True  # never keeps a finishing process alive
        self.timer.start()

    def _retire(self, renders: int) -> None:
        with self.lock:
            if self.renders == renders and self.child is not None:  # no render since it was set
                self.child.close()
                self.child = None

    def start(self) -> None:
        """Fork the child now rather than on the first render."""
        with self.lock:
            if self.child is None:
                self.child = _RenderChild(max_renders=SESSION_MAX_RENDERS)

    def close(self) -> None:
        with self.lock:
            if self.timer is not None:
                self.timer.cancel()
            if self.child is not None:
                self.child.close()
                self.child = None


_session: _Session | None = None
_session_lock = threading.Lock()


def render_session_start() -> None:
    """Inside render_session(): fork its child now (after a warm-up in this process, say), so
    the first report does not wait for it."""
    if _session is not None and _session.pid == os.getpid():
        _session.start()


@contextlib.contextmanager
def render_session() -> Iterator[None]:
    """Within this block, this process's bounded renders go to one long-lived render child.

    For workers, which render report after report: forking a child per report makes each one
    start cold (fonts opened, glyphs loaded and shaped anew: about 15% of a render) and pay for
    the fork and its copied pages. The child keeps every bound of render_html_bounded: each
    render has its deadline and its memory allowance, and a failed, killed or timed-out render
    ends the child, whose successor is forked on the next render. It ends with the block.
    """
    global _session
    if _session is not None and _session.pid == os.getpid():
        if not _session.idle_seconds:
            yield  # already inside one
            return
        _session.close()  # a web process's idle-ending child gives way to this block's
    _session = session = _Session()
    try:
        yield
    finally:
        _session = None
        session.close()


def render_pdf_bounded(report: ReportData, variant: str) -> bytes:
    return render_html_bounded(report_html(report, variant))


def render_html_bounded(html: str) -> bytes:
    """html_to_pdf() in a forked child that may use PDF_RENDER_MEMORY_MB more address space
    than it had before the render and PDF_RENDER_TIMEOUT seconds, so one pathological report
    can neither exhaust the server's memory nor hold a worker forever. Raises RenderFailed.

    Inside render_session(), the session's child. Elsewhere a child that stays for the next
    render until PDF_CHILD_IDLE_SECONDS pass without one (with 0, a child per render).
    """
    global _session
    timeout = settings.PDF_RENDER_TIMEOUT
    session = _session
    if session is not None and session.pid == os.getpid():  # not a session inherited by a fork
        return session.render(html, timeout)
    if settings.PDF_CHILD_IDLE_SECONDS > 0:
        # Outside a worker (a web process): a child that stays while renders keep coming, and
        # ends PDF_CHILD_IDLE_SECONDS after the last, giving its memory back.
        with _session_lock:  # a threaded server's requests make one session, not one each
            if _session is None or _session.pid != os.getpid():
                _session = _Session(idle_seconds=settings.PDF_CHILD_IDLE_SECONDS)
            session = _session
        return session.render(html, timeout)
    child = _RenderChild(max_renders=1)
    try:
        return child.render(html, timeout)
    finally:
        child.close()
