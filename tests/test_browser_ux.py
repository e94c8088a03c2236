"""Issue 12 in a real browser: what a new user loses or cannot see without one."""

import re

from tests.test_browser import DESKTOP, browser, pytestmark, site  # noqa: F401 - fixtures used by name


def test_it_saves_what_was_just_typed_before_switching_language(browser, site, version):  # noqa: F811
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(f"{site}/zh-hans/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/profile/"))
    page.locator("input[name=firm_name]").fill("刚输入的公司")  # no pause: the autosave timer has not fired
    page.locator(".lang-switch button[value=en]").click()
    page.wait_for_url(re.compile(r"/en/a/.*/step/profile/"))
    assert page.locator("input[name=firm_name]").input_value() == "刚输入的公司"
    page.context.close()


def test_it_saves_what_was_just_typed_before_switching_language_without_javascript(browser, site, version):  # noqa: F811
    page = browser.new_context(**DESKTOP, java_script_enabled=False).new_page()
    page.goto(f"{site}/zh-hans/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/zh-hans/a/.*/step/profile/"))
    page.locator("input[name=firm_name]").fill("没有脚本的公司")
    # Enter in a field still presses Next (the form's default button), not a language button.
    page.locator("input[name=firm_name]").press("Enter")
    page.wait_for_load_state()
    assert "/zh-hans/a/" in page.url and page.locator("html").get_attribute("lang") == "zh-Hans"
    page.locator("input[name=firm_name]").fill("刚输入的公司")
    page.locator(".lang-switch button[value=en]").click()
    page.wait_for_url(re.compile(r"/en/a/.*/step/profile/"))
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("input[name=firm_name]").input_value() == "刚输入的公司"
    page.goto(f"{site}/")  # the choice is kept: the unprefixed address opens in English
    assert "/en/" in page.url
    page.context.close()


def test_it_fills_the_campaign_dates_in_for_a_zh_association(browser, site, version, django_user_model):  # noqa: F811
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


def test_it_prints_the_folded_parts_of_the_results_open_without_javascript(browser, site, version):  # noqa: F811
    from django.urls import reverse
    from django.utils import translation

    from tests.test_pdf import submitted

    _assessment, token = submitted(version)
    page = browser.new_context(**DESKTOP, java_script_enabled=False).new_page()
    with translation.override("en"):
        page.goto(site + reverse("resume", args=[token]))
    page.wait_for_url(re.compile(r"/results/"))
    folded = page.locator("details.area-details:not([open]) > :not(summary)").first
    assert not folded.is_visible()  # on screen the areas are folded
    page.emulate_media(media="print")
    assert folded.is_visible()
    page.context.close()
