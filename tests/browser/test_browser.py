"""Journeys in a real browser: Debian's Chromium, headless, driven by Playwright against a
live server started by the test. Every page visited is checked with axe-core (WCAG 2.1 A
and AA rules; vendored in tests/vendor)."""

import re
from pathlib import Path

import pytest

from tests.browser.chromium import DESKTOP, ONE_AT_A_TIME, PHONE, answer_page, check_accessibility, needs_chromium
from tests.factories import run_worker

POLLS = 300  # x 100 ms
FIRM = "浏览器测试有限公司"  # the owner journeys' firm

pytestmark = needs_chromium


def wait_until_saved(page) -> None:
    status = page.locator(".autosave-status")
    for _ in range(POLLS):
        if status.inner_text().strip() in ("已自动保存", "Saved"):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"no autosave confirmation: {status.inner_text()!r}")


def owner_journey(browser, base: str, lang: str, device: dict) -> None:
    context = browser.new_context(**device)
    page = context.new_page()
    page.goto(f"{base}/{lang}/")
    check_accessibility(page)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/profile/"))
    check_accessibility(page)

    # Autosave: a change is saved without pressing a button and survives a reload.
    page.locator("input[name=firm_name]").fill("自动保存公司")
    page.locator("input[name=firm_name]").blur()
    status = page.locator(".autosave-status")
    # Polled from here (wait_for_function would need eval, which the CSP forbids), for up to
    # 30 s: a busy machine answers slowly, and the loop ends as soon as the answer is there.
    for _ in range(POLLS):
        if status.inner_text().strip() not in ("", "正在保存…", "Saving…"):
            break
        page.wait_for_timeout(100)
    assert status.inner_text().strip() in ("已自动保存", "Saved")
    page.reload()
    assert page.locator("input[name=firm_name]").input_value() == "自动保存公司"

    # The private link opens the same draft in a fresh browser (another device).
    resume = page.locator("#resume-link").input_value()
    other = browser.new_context(**device).new_page()
    other.goto(resume)
    other.goto(other.url.split("/step/")[0] + "/step/profile/")
    assert other.locator("input[name=firm_name]").input_value() == "自动保存公司"
    other.context.close()

    for _ in range(8):
        if "/review/" in page.url:
            break
        answer_page(page, FIRM)
        page.locator("button[name=action][value=next]").click()
        page.wait_for_load_state()
        check_accessibility(page)
    assert "/review/" in page.url
    page.locator("main form button.btn-lg[type=submit]").click()
    page.wait_for_url(re.compile(r"/results/"))
    check_accessibility(page)
    assert FIRM in page.locator("h1").inner_text()
    # The page leads with scores, priorities and plan; each area's details are folded, and a
    # priority's link opens the folded area at that action.
    assert page.locator("details.area-details[open]").count() == 0
    first = page.locator("ol.top-actions a").first
    target = first.get_attribute("href").lstrip("#")
    assert not page.locator(f"#{target}").is_visible()
    first.click()
    assert page.locator(f"#{target}").is_visible()
    # Printed, the report drops the site's buttons and navigation.
    page.emulate_media(media="print")
    assert not page.locator(".downloads").is_visible() and not page.locator("header.site-header").is_visible()
    page.emulate_media(media="screen")
    # The worker was asked for the PDFs on submission; asked for before it ran, the page says
    # the report is being prepared, then downloads it by itself once the worker has stored it.
    page.locator("a[href*='report.pdf'][href*='variant=summary']").first.click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() in ("报告正在生成", "Your report is being prepared")
    check_accessibility(page)
    with page.expect_download(timeout=60_000) as download:
        run_worker()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    assert page.locator("[data-report-started]").is_visible()
    # Ready now: the link gives the stored file at once.
    pdf = page.locator("a.btn-primary[href*='report.pdf']").get_attribute("href")
    response = page.request.get(base + pdf)
    assert response.headers["content-type"] == "application/pdf" and response.body() == data
    context.close()


@pytest.mark.parametrize("lang,device", [("zh-hans", PHONE), ("en", DESKTOP)], ids=["zh-hans-phone", "en-desktop"])
def test_it_takes_an_owner_from_start_to_pdf_in_a_real_browser(browser, site, version, lang, device):
    owner_journey(browser, site, lang, device)


def test_it_shows_a_phone_owner_how_long_the_firm_would_last_and_lets_them_try_another_scenario(browser, site, version):
    page = browser.new_context(**PHONE).new_page()
    page.goto(f"{site}/zh-hans/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/profile/"))
    for _ in range(5):  # the profile and the four areas
        answer_page(page, FIRM)
        page.locator("button[name=action][value=next]").click()
        page.wait_for_load_state()
    assert "/step/stress/" in page.url
    check_accessibility(page)
    # Rough figures of a small restaurant, in CNY 10,000, and "revenue -50 % for 3 months".
    figures = {"wages": "6", "social_insurance": "1.5", "rent": "3", "loan_payments": "1.2", "other_fixed": "0.5"}
    figures |= {"cash": "8", "credit": "10", "revenue": "25", "variable_share": "35"}
    for key, value in figures.items():
        page.locator(f"input[name=stress_{key}]").fill(value)
    page.locator("input[name=stress_drop][value='50']").check()
    page.locator("input[name=stress_months][value='3']").check()
    page.locator("button[name=action][value=next]").click()
    page.wait_for_url(re.compile(r"/review/"))
    page.locator("main form button.btn-lg[type=submit]").click()
    page.wait_for_url(re.compile(r"/results/"))
    stress = page.locator("#stress")
    text = stress.inner_text()
    assert "收入下降50%，持续3个月" in text and "大约2个月（约9周）后用完" in text
    assert "冲击期间推迟还贷" in text and "多撑" in text and "002 §2(1)" in text
    assert stress.locator("svg.runway-chart").is_visible()
    check_accessibility(page)
    # Another scenario, through the plain GET form: shown at once, saved nowhere.
    page.locator("#stress-drop").select_option("100")
    page.locator("#stress-months").select_option("6")
    page.locator("#stress button[type=submit]").click()
    page.wait_for_url(re.compile(r"drop=100&months=6"))
    text = page.locator("#stress").inner_text()
    assert "收入下降100%，持续6个月" in text and "不会保存" in text
    check_accessibility(page)
    page.context.close()


FOCUSED = """() => {
    const e = document.activeElement;
    const group = e.name ? document.querySelectorAll(`[name="${e.name}"]:checked`).length : 0;
    return {tag: e.tagName, type: e.type || "", name: e.name || "", value: e.value || "",
            answered: group > 0, text: (e.textContent || "").trim()};
}"""


def keyboard_page(page) -> None:
    """Answer every question on the page and press Next, using Tab, Space, arrows and typing only."""
    for _ in range(300):
        page.keyboard.press("Tab")
        e = page.evaluate(FOCUSED)
        if e["tag"] == "INPUT" and e["type"] in ("radio", "checkbox") and not e["answered"]:
            page.keyboard.press("Space")
        elif e["tag"] == "SELECT" and not e["value"]:
            page.keyboard.press("ArrowDown")
        elif e["tag"] == "INPUT" and e["type"] in ("number", "text") and not e["value"]:
            page.keyboard.type("Keyboard Co" if e["name"] == "firm_name" else "20")
        elif (e["tag"] == "BUTTON" and e["value"] in ("next",)) or e["text"] == "Submit and see my results":
            with page.expect_navigation():
                page.keyboard.press("Enter")
            return
    raise AssertionError(f"never reached the Next button on {page.url}")


def test_it_can_be_completed_with_the_keyboard_alone(browser, site, version):
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(f"{site}/en/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED)["text"] == "Start a new assessment":
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")
    for _ in range(8):
        if "/results/" in page.url:
            break
        keyboard_page(page)
    assert "/results/" in page.url, page.url
    assert "Keyboard Co" in page.locator("h1").inner_text()
    page.context.close()


def test_it_runs_the_association_journey_with_progress_and_downloads(browser, site, version, django_user_model):
    import csv
    import io

    from assessment.bulk.samples import sample_table
    from assessment.selectors import questionnaire_of
    from tests.factories import open_campaign, run_worker

    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    _org, campaign = open_campaign(user, "Hubei Chamber", "Autumn round", version)
    rows = sample_table(questionnaire_of(version), 6)
    rows[3][rows[0].index("employees")] = "many"
    bad = io.StringIO()
    csv.writer(bad).writerows(rows)
    rows[3][rows[0].index("employees")] = "12"
    good = io.StringIO()
    csv.writer(good).writerows(rows)

    context = browser.new_context(**DESKTOP, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{site}/en/accounts/login/")
    check_accessibility(page)
    page.fill("input[name=username]", "chamber")
    page.fill("input[name=password]", "a-long-password-1")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    page.goto(f"{site}/en/campaigns/{campaign.pk}/import/")
    check_accessibility(page)
    with page.expect_download() as template:
        page.click("text=Template (XLSX, with legend sheet)")
    assert template.value.suggested_filename.endswith(".xlsx")
    page.set_input_files(
        "input[name=upload]", files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": bad.getvalue().encode("gbk")}]
    )
    page.click("main button:has-text('Check and import')")
    assert "Nothing was imported" in page.content()
    assert page.locator("table tbody tr").count() == 1
    check_accessibility(page)
    page.set_input_files(
        "input[name=upload]", files=[{"name": "a.csv", "mimeType": "text/csv", "buffer": good.getvalue().encode("gbk")}]
    )
    page.click("main button:has-text('Check and import')")
    assert "6 assessments imported" in page.content()
    check_accessibility(page)

    page.goto(f"{site}/en/campaigns/{campaign.pk}/reports/")
    check_accessibility(page)
    page.select_option("#id_variant", "summary")
    page.click("main button:has-text('Start')")
    page.wait_for_url(re.compile(r"/reports/\d+/"))
    assert "0 done, 0 failed, of 6" in page.locator("#bulk-progress-label").inner_text()
    check_accessibility(page)
    with ONE_AT_A_TIME:
        run_worker()  # the background worker, in this process
    page.wait_for_selector("text=Download all reports (zip)", timeout=30000)  # the page polls, then reloads
    with page.expect_download() as bundle:
        page.click("text=Download all reports (zip)")
    assert bundle.value.suggested_filename.endswith(".zip")
    # The campaign link's QR code shows on the page (an <img> the CSP allows) and its poster downloads.
    page.goto(f"{site}/zh-hans/campaigns/{campaign.pk}/")
    check_accessibility(page)
    assert page.locator("img[src$='/qr.svg']").evaluate("img => img.complete && img.naturalWidth > 0")
    with page.expect_download() as poster:
        page.click("text=A4 海报（PDF，中文）")
    assert poster.value.suggested_filename.endswith("-poster-zh.pdf")
    page.goto(f"{site}/en/campaigns/{campaign.pk}/dashboard/")
    assert "Scores by area" in page.content()
    check_accessibility(page)
    page.goto(f"{site}/zh-hans/campaigns/{campaign.pk}/dashboard/")
    assert "各领域得分" in page.content()
    check_accessibility(page)
    context.close()


XSS = '"><img src=x onerror=window.__x=1>'


def test_it_runs_the_consultant_journey_and_never_executes_stored_markup(browser, site, version, django_user_model):
    from assessment.workspace.services import organisation_create

    consultant = django_user_model.objects.create_user("adviser", password="a-long-password-1")
    organisation_create(user=consultant, name="Service Centre", kind="consultancy")
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(f"{site}/en/accounts/login/")
    page.fill("input[name=username]", "adviser")
    page.fill("input[name=password]", "a-long-password-1")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    page.goto(f"{site}/en/workspace/")
    check_accessibility(page)
    page.goto(f"{site}/zh-hans/workspace/")
    check_accessibility(page)
    page.goto(f"{site}/en/workspace/")
    page.click("text=Add a client firm")
    check_accessibility(page)
    page.fill("input[name=name]", f"Client {XSS}")
    page.fill("input[name=contact_name]", XSS)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/workspace/clients/\d+/"))
    check_accessibility(page)
    page.click("text=Fill it in together now")
    page.wait_for_url(re.compile(r"/step/profile/"))
    for _ in range(8):
        if "/review/" in page.url:
            break
        answer_page(page, FIRM)
        if "/step/profile/" in page.url:
            page.locator("input[name=firm_name]").fill(f"Client {XSS}")
        page.locator("button[name=action][value=next]").click()
        page.wait_for_load_state()
        check_accessibility(page)
    check_accessibility(page)
    page.locator("main form button.btn-lg[type=submit]").click()
    page.wait_for_url(re.compile(r"/results/"))
    check_accessibility(page)
    page.locator("details.note-form summary").first.click()
    page.locator("details.note-form textarea").first.fill(f"Check the bank loan terms {XSS}")
    page.locator("details.note-form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "Check the bank loan terms" in page.locator(".consultant-note").first.inner_text()
    check_accessibility(page)
    for path in ("/en/workspace/", page.url.replace(site, "")):
        page.goto(site + path)
        assert page.evaluate("window.__x") is None, path  # the stored markup never ran
        assert XSS in page.content().replace("&quot;", '"').replace("&gt;", ">").replace("&lt;", "<")
    page.context.close()


def test_it_keeps_saved_answers_when_the_session_or_csrf_token_is_lost(browser, site, version):
    page = browser.new_context(**DESKTOP).new_page()
    page.goto(f"{site}/en/")
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/step/profile/"))
    resume = page.locator("#resume-link").input_value()
    page.locator("input[name=firm_name]").fill("Saved Before Expiry")
    page.locator("input[name=firm_name]").blur()
    wait_until_saved(page)
    page.context.clear_cookies()  # the session expires (and with it the CSRF cookie)
    page.locator("input[name=employees]").fill("42")
    page.locator("input[name=employees]").blur()
    status = page.locator(".autosave-status")
    for _ in range(POLLS):
        if status.inner_text().strip() not in ("", "Saving…", "Saved"):
            break
        page.wait_for_timeout(100)
    assert "Could not save automatically" in status.inner_text()
    assert "kept in this browser" in status.inner_text()
    assert page.locator("input[name=employees]").input_value() == "42"  # still on the page to retry
    page.goto(resume)  # the private link brings everything saved back, and what was not
    if "/step/profile/" not in page.url:
        page.goto(page.url.split("/step/")[0] + "/step/profile/")
    for _ in range(POLLS):  # the page fills in what was kept and saves it, then forgets it
        if page.evaluate("Object.keys(localStorage).length") == 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("Object.keys(localStorage).length") == 0
    page.goto(page.url.split("#")[0])  # now from the server
    assert page.locator("input[name=firm_name]").input_value() == "Saved Before Expiry"
    assert page.locator("input[name=employees]").input_value() == "42"
    page.context.close()
