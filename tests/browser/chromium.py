"""What the browser journeys share: Debian's Chromium and how it is started, the two screen
sizes, and the lock that makes the live server answer one request at a time."""

import os
import shutil
import threading
from pathlib import Path

import pytest
from django.contrib.staticfiles.handlers import StaticFilesHandler

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}

# Every browser test module sets `pytestmark = needs_chromium`.
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.getenv("CI"), reason="Debian's chromium is not installed"
)


# The test database is one in-memory SQLite connection that every live-server thread shares,
# so two requests at once (an autosave still in flight when Next is pressed) corrupt it
# ("bad parameter or other API misuse"). In production each thread has its own connection and
# SQLite serialises the writes; here requests, and the worker the test runs, take turns.
ONE_AT_A_TIME = threading.Lock()


class OneRequestAtATime(StaticFilesHandler):
    def __call__(self, environ, start_response):
        with ONE_AT_A_TIME:
            return super().__call__(environ, start_response)
