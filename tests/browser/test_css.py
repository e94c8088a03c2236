"""The reduced Bootstrap (`make css`) draws every main page exactly as the full one does.

Each page of the main_pages fixture (every kind of user, also with errors shown) is opened in
Chromium twice, at phone and desktop width, once with the committed reduced stylesheet and
once with Bootstrap's full one put in its place; the screenshots must be identical. A class
new to the templates that the reduced file lacks shows up here as a difference.
"""

from pathlib import Path

import pytest

from tests.browser.chromium import DESKTOP, PHONE, needs_chromium

pytestmark = needs_chromium

STATIC = Path(__file__).resolve().parents[2] / "static"
REDUCED = "vendor/bootstrap/bootstrap.app.min.css"
FULL = "vendor/bootstrap/bootstrap.min.css"
ORIGIN = "http://pages.invalid"
TYPES = {".css": "text/css", ".js": "text/javascript", ".svg": "image/svg+xml", ".png": "image/png"}


def shots(browser, pages: dict[str, bytes], device: dict, stylesheet: str) -> dict[str, bytes]:
    context = browser.new_context(**device)

    def serve(route):
        path = route.request.url.removeprefix(ORIGIN)
        if path.startswith("/static/"):
            name = path.removeprefix("/static/").split("?")[0]
            file = STATIC / (stylesheet if name == REDUCED else name)
            if file.is_file():
                return route.fulfill(body=file.read_bytes(), content_type=TYPES.get(file.suffix, "text/plain"))
            return route.fulfill(status=404, body=b"")
        name = path.strip("/")
        if name in pages:
            return route.fulfill(body=pages[name], content_type="text/html; charset=utf-8")
        return route.abort()

    context.route("**/*", serve)
    page = context.new_page()
    images = {}
    for name in pages:
        page.goto(f"{ORIGIN}/{name}")
        page.wait_for_load_state("load")
        images[name] = page.screenshot(full_page=True, animations="disabled", caret="hide")
    context.close()
    return images


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_it_draws_every_main_page_with_the_reduced_bootstrap_as_with_the_full_one(browser, main_pages, device):
    assert (STATIC / REDUCED).stat().st_size < (STATIC / FULL).stat().st_size / 4
    reduced = shots(browser, main_pages, device, REDUCED)
    full = shots(browser, main_pages, device, FULL)
    different = [name for name in main_pages if reduced[name] != full[name]]
    assert different == [], f"drawn differently with the reduced Bootstrap: {different}"
