"""Issue 12 in a real browser: what a new user loses or cannot see without one."""

import re

from tests.browser.chromium import DESKTOP, needs_chromium

pytestmark = needs_chromium


def test_it_saves_what_was_just_typed_before_switching_language(browser, site, version):
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(f"{site}/zh-hans/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/profile/"))
    page.locator("input[name=firm_name]").fill("刚输入的公司")  # no pause: the autosave timer has not fired
    page.locator("form.language-switch button[value=en]").click()
    page.wait_for_url(re.compile(r"/en/a/.*/step/profile/"))
    assert page.locator("input[name=firm_name]").input_value() == "刚输入的公司"
    page.context.close()


def test_it_fills_the_campaign_dates_in_for_a_zh_association(browser, site, version, django_user_model):
    from assessment.workspace.services import organisation_create

    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    organisation_create(user=user, name="商会", kind="association")
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(f"{site}/zh-hans/accounts/login/")
    page.locator("input[name=username]").fill("chamber")
    page.locator("input[name=password]").fill("a-long-password-1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/association|/campaign"))
    for name in ("opens_on", "closes_on"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.locator(f"input[name={name}]").input_value())
    page.context.close()
