import os

import pytest
from pytest_django.live_server_helper import LiveServer

from tests.browser.chromium import ARGS, CHROMIUM, OneRequestAtATime

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# ordinary synchronous ones, so tell Django they are safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def site(transactional_db, settings):
    """A live server's address, also as SITE_URL: the links the app hands out point to it."""
    server = LiveServer("localhost", start=False)
    server.thread.static_handler = OneRequestAtATime
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    server.start()
    settings.SITE_URL = server.url
    yield server.url
    # Stop serving, but leave the connection shareable: a request thread still finishing a
    # kept-alive connection closes connections after the server stops.
    server.thread.terminate()


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module (whole files go to one process: `--dist loadfile`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()
