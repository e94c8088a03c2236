"""Issue 12 in a real browser: what a new user loses or cannot see without one."""

import re

from tests.browser.chromium import DESKTOP, needs_chromium
from tests.factories import submitted

pytestmark = needs_chromium


def test_it_saves_what_was_just_typed_before_switching_language(browser, site, version):
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(f"{site}/zh-hans/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/profile/"))
    page.locator("input[name=firm_name]").fill("刚输入的公司")  # no pause: the autosave timer has not fired
    page.locator(".lang-switch button[value=en]").click()
    page.wait_for_url(re.compile(r"/en/a/.*/step/profile/"))
    assert page.locator("input[name=firm_name]").input_value() == "刚输入的公司"
    page.context.close()


def test_it_saves_what_was_just_typed_before_switching_language_without_javascript(browser, site, version):
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


def test_it_prints_the_folded_parts_of_the_results_open_without_javascript(browser, site, version):
    from django.urls import reverse
    from django.utils import translation

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


def test_it_keeps_a_chinese_member_table_readable_on_a_phone(browser, site, chamber):
    # Chinese breaks between any two characters: the statuses and headings stood one character
    # a line while the e-mail column took the width. Now they keep to their words and the
    # table scrolls sideways; a firm's name still wraps, a few characters a line at least.
    from tests.browser.chromium import PHONE
    from tests.factories import many_members

    many_members(chamber["campaign"], 3, "submitted", name="武汉光谷精密仪器制造股份有限公司")
    many_members(chamber["campaign"], 2, "invited", name="湖北楚天国际物流供应链管理有限公司")
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{site}/zh-hans/accounts/login/")
    page.locator("input[name=username]").fill("chamber")
    page.locator("input[name=password]").fill("a-long-password-1")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(f"{site}/zh-hans/campaigns/{chamber['campaign'].pk}/")
    cells = page.evaluate(
        """() => [...document.querySelectorAll("section[aria-labelledby=members] table tr")].map(
          row => [...row.cells].map(cell => {
            const range = document.createRange(); range.selectNodeContents(cell);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
            return [lines, cell.clientWidth / parseFloat(getComputedStyle(cell).fontSize)];
        }))"""
    )
    header, *rows = [[lines for lines, _ in row] for row in cells]
    assert len(rows) == 5
    assert header[3] == 1 and header[4] <= 2 and header[5] == 1  # 状态, 邀请 / 提醒日期 at its space, 评估结果
    for row in rows:
        assert row[3] == 1 and row[4] == 1 and row[5] == 1, row  # status, dates, result
    assert min(cells[n][1][1] for n in range(1, 6)) >= 6  # the firm's name: room for 6 characters a line
    page.context.close()
