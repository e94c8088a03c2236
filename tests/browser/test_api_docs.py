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


def test_it_makes_a_token_on_the_page_that_the_api_takes_until_it_is_revoked(browser, site, version, django_user_model):
    from tests.browser.chromium import DESKTOP, check_accessibility
    from tests.factories import open_campaign

    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    _org, campaign = open_campaign(user, "Hubei Chamber", "Autumn round", version)
    context = browser.new_context(**DESKTOP)
    page = context.new_page()
    page.goto(f"{site}/en/accounts/login/")
    page.fill("input[name=username]", "chamber")
    page.fill("input[name=password]", "a-long-password-1")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    page.goto(f"{site}/en/campaigns/")
    page.click("main a:has-text('API tokens')")
    check_accessibility(page)
    page.fill("input[name=name]", "CRM sync")
    page.select_option("select[name=scope]", "read")
    page.click("main button:has-text('Create token')")
    assert "shown only this once" in page.inner_text("main")
    check_accessibility(page)
    token = page.input_value("#new-token")
    assert token.startswith("smec_")

    def campaigns():
        return context.request.get(f"{site}/api/v1/campaigns/", headers={"Authorization": f"Bearer {token}"})

    answer = campaigns()
    assert answer.status == 200 and [c["id"] for c in answer.json()] == [campaign.pk]
    page.click("main button:has-text('Revoke')")
    assert "is revoked: it no longer works" in page.inner_text("main")
    assert campaigns().status == 401
    context.close()
