"""The API's browsable docs work in a real browser under the site's CSP: Swagger UI draws every
operation from our own static files, with nothing blocked and no console error."""

from tests.browser.chromium import needs_chromium

pytestmark = needs_chromium


def test_it_draws_the_api_docs_under_the_sites_csp(site, browser):
    page = browser.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{site}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "SME Compass API" in page.inner_text(".swagger-ui .info .title")
    assert len(page.query_selector_all(".opblock")) == 13  # every operation of the schema
    assert problems == []
    assert all(url.startswith(site) or url.startswith("data:") for url in requested), requested
    page.close()
