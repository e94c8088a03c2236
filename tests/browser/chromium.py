"""What the browser journeys share: Debian's Chromium and how it is started, the two screen
sizes, the lock that makes the live server answer one request at a time, the axe-core check
and how an owner answers a wizard page."""

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


AXE = (Path(__file__).resolve().parents[1] / "vendor" / "axe-4.14.1.min.js").read_text(encoding="utf-8")


def check_accessibility(page) -> None:
    """axe-core on the page as it is now: no violation of the WCAG 2.1 A and AA rules."""
    page.evaluate(AXE)  # evaluate is not subject to the page's Content Security Policy
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    problems = [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
    assert problems == [], f"{page.url}: {problems}"


def answer_page(page, firm_name: str | None = None) -> None:
    """Answer every question on a wizard page as an owner would: a choice, a number (20), and
    the firm's name where the page asks for it and one is given."""
    for group in set(page.eval_on_selector_all("input[type=radio]", "els => els.map(e => e.name)")):
        page.locator(f"input[type=radio][name='{group}']").last.check()
    for group in set(page.eval_on_selector_all("input[type=checkbox]", "els => els.map(e => e.name)")):
        page.locator(f"input[type=checkbox][name='{group}']").first.check()
    for select in page.locator("select").all():
        select.select_option(index=1)
    for number in page.locator("input[type=number], input[inputmode=numeric], input[inputmode=decimal]").all():
        number.fill("20")
    firm = page.locator("input[name=firm_name]")
    if firm_name is not None and firm.count():
        firm.fill(firm_name)
