"""The plan after the report, in a real browser (issue 18 §2): a consultant's client on a phone
marks two actions planned with due dates, finds them again through the private link on another
device, and the consultant sees them on the client page. Every page is checked with axe-core."""

import re
from datetime import timedelta

from django.utils import timezone

from tests.browser.chromium import DESKTOP, PHONE, answer_page, check_accessibility, needs_chromium

pytestmark = needs_chromium


def test_it_keeps_the_owners_plan_for_the_private_link_and_the_consultant(browser, site, version, django_user_model):
    from assessment.workspace.services import firm_create, organisation_create

    consultant = django_user_model.objects.create_user("adviser", password="a-long-password-1")
    organisation = organisation_create(user=consultant, name="Service Centre", kind="consultancy")
    firm = firm_create(organisation=organisation, name="蓉城食品")
    desk = browser.new_context(**DESKTOP).new_page()
    desk.goto(f"{site}/en/accounts/login/")
    desk.fill("input[name=username]", "adviser")
    desk.fill("input[name=password]", "a-long-password-1")
    desk.press("input[name=password]", "Enter")
    desk.wait_for_load_state()
    desk.goto(f"{site}/en/workspace/clients/{firm.pk}/")
    desk.click("text=Create a link for the owner")
    desk.wait_for_load_state()
    link = desk.locator("#owner-link-1").input_value().replace("/en/", "/zh-hans/")

    phone = browser.new_context(**PHONE).new_page()
    phone.goto(link)
    for _ in range(8):
        if "/review/" in phone.url:
            break
        answer_page(phone)
        phone.locator("button[name=action][value=next]").click()
        phone.wait_for_load_state()
    phone.locator("main form button.btn-lg[type=submit]").click()
    phone.wait_for_url(re.compile(r"/results/"))
    today = timezone.localdate()
    due = [today + timedelta(days=10), today + timedelta(days=20)]
    keys = [a.get_attribute("href").removeprefix("#action-") for a in phone.locator("ol.top-actions a").all()[:2]]
    for key, day, who in zip(keys, due, ["王经理", "李会计"], strict=True):
        phone.locator(f"ol.top-actions a[href='#action-{key}']").click()  # opens the folded area
        form = phone.locator(f"#action-{key} form.plan-form")
        form.locator("select[name=status]").select_option("planned")
        form.locator("input[name=owner_name]").fill(who)
        form.locator("input[name=due_on]").fill(f"{day:%Y-%m-%d}")
        form.locator("button[type=submit]").click()
        phone.wait_for_url(re.compile(rf"/results/#action-{key}$"))
        assert "已保存" in phone.locator(".messages").inner_text()
        assert phone.locator(f"#action-{key} .plan-status").is_visible()
    check_accessibility(phone)
    resume = phone.locator("#resume-link").input_value()
    phone.context.close()

    # A day later, on another device: the private link brings the plan back.
    later = browser.new_context(**PHONE).new_page()
    later.goto(resume)
    later.wait_for_url(re.compile(r"/results/"))
    for key, day, who in zip(keys, due, ["王经理", "李会计"], strict=True):
        # Seen at once in the priorities, and in full in the (folded) area.
        badge = later.locator(f"ol.top-actions a[href='#action-{key}'] + .plan-badge").inner_text()
        assert "已计划" in badge and f"{day:%Y-%m-%d}" in badge
        state = later.locator(f"#action-{key} .plan-state")
        assert who in state.locator(".plan-status").text_content()
        assert state.locator("input[name=due_on]").input_value() == f"{day:%Y-%m-%d}"
    calendar = later.locator("a[href$='plan.ics']").get_attribute("href")
    response = later.request.get(site + calendar)
    assert response.headers["content-type"].startswith("text/calendar") and response.text().count("BEGIN:VEVENT") == 2
    later.context.close()

    # The consultant's client page lists both, with who and by when.
    desk.goto(f"{site}/en/workspace/clients/{firm.pk}/")
    table = desk.locator("table.open-actions").inner_text()
    for day, who in zip(due, ["王经理", "李会计"], strict=True):
        assert f"{day:%Y-%m-%d}" in table and who in table
    assert "Overdue" not in table
    check_accessibility(desk)
    desk.context.close()
