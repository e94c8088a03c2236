"""Accounts: sign-up, password change and reset e-mails, login lockout."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from assessment.workspace import services as workspace_services
from tests.factories import EXPORTER, run_worker, start, step_url, url

PASSWORD = "a-long-password-1"
# Logging in and storing passwords are what this file tests: with the real hashers.
pytestmark = pytest.mark.usefixtures("real_hashers")
START = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)


def without_csrf(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_it_answers_a_sign_up_alike_whether_or_not_the_address_has_an_account(
    client, db, django_user_model, django_capture_on_commit_callbacks
):
    django_user_model.objects.create_user("mei", "Mei@Example.com", PASSWORD)
    answers = []
    for email in ("new@example.com", "mei@example.com"):
        client.cookies.clear()
        with django_capture_on_commit_callbacks(execute=True) as queued:
            response = client.post(url("signup"), {"email": email})
        page = client.get(response["Location"])
        answers.append(
            (
                response.status_code,
                response["Location"],
                len(queued),
                page.status_code,
                without_csrf(page.content.decode()),
            )
        )
        assert "_auth_user_id" not in client.session  # nobody is logged in, either way
    assert answers[0] == answers[1]
    assert answers[0][:4] == (302, url("signup_sent"), 1, 200)
    assert "Check your e-mail" in answers[0][4] and "already uses" not in answers[0][4]
    assert django_user_model.objects.count() == 1  # no account is made before the link is opened


def test_it_mails_the_owner_of_a_taken_address_how_to_log_in_in_the_pages_language(
    client, db, django_user_model, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://sme.example.cn"
    django_user_model.objects.create_user("mei", "Mei@Example.com", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("signup", lang="zh-hans"), {"email": "mei@example.com"})
    assert mail.outbox == []  # decided and sent by the worker, not in the request
    run_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mei@example.com"]
    assert "已有账户" in message.subject
    html = message.alternatives[0].content
    for part in (message.body, html):
        assert "https://sme.example.cn/zh-hans/accounts/login/" in part
        assert "https://sme.example.cn/zh-hans/accounts/password/reset/" in part
        assert "mei" in part and "/signup/finish/" not in part  # their login; no sign-up link
    assert django_user_model.objects.count() == 1


def test_it_makes_the_account_from_the_mailed_link_and_hands_over_the_drafts(
    client, version, django_user_model, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://sme.example.cn"
    draft = start(client)
    client.post(step_url(draft, "profile"), {**EXPORTER, "action": "save"})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("signup"), {"email": "Mei@Example.com"})
    run_worker()
    [message] = mail.outbox
    assert message.to == ["Mei@example.com"]
    link = re.search(r"https://sme\.example\.cn(/en/accounts/signup/finish/\S+/)", message.body).group(1)
    assert link in message.alternatives[0].content

    page = client.get(link)
    assert "Choose your password" in page.content.decode() and "Mei@example.com" in page.content.decode()
    weak = client.post(link, {"new_password1": "mei", "new_password2": "mei"})
    assert weak.status_code == 200 and "too short" in weak.content.decode()  # the usual password rules
    assert not django_user_model.objects.exists()

    response = client.post(link, {"new_password1": PASSWORD, "new_password2": PASSWORD}, follow=True)
    user = django_user_model.objects.get()
    assert (user.username, user.email) == ("Mei@example.com", "Mei@example.com")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.redirect_chain[-1][0] == url("my_assessments")
    body = response.content.decode()
    assert "Your account is ready" in body and "宁波海蓝贸易有限公司" in body  # the draft is theirs now
    draft.refresh_from_db()
    assert draft.owner == user

    # The address is the login; the link works once.
    client.logout()
    client.post(url("login"), {"username": "Mei@example.com", "password": PASSWORD}, REMOTE_ADDR="10.0.0.3")
    assert client.session["_auth_user_id"] == str(user.pk)
    client.logout()
    again = client.post(link, {"new_password1": "other-long-pass-9", "new_password2": "other-long-pass-9"})
    assert "This link has been used" in again.content.decode()
    assert django_user_model.objects.count() == 1


def test_it_refuses_a_forged_or_expired_sign_up_link(client, db, django_user_model, django_capture_on_commit_callbacks):
    from assessment.accounts.tokens import signup_token

    token = signup_token("mei@example.com")
    forged = client.get(url("signup_finish", token=token[:-2] + "xx"))
    assert "This link does not work" in forged.content.decode()
    with time_machine.travel(datetime.now(tz=UTC) + timedelta(days=4)):
        expired = client.post(url("signup_finish", token=token), {"new_password1": PASSWORD, "new_password2": PASSWORD})
    assert "This link does not work" in expired.content.decode()
    assert not django_user_model.objects.exists()


def test_it_refuses_an_address_too_long_to_be_a_login_with_a_message(client, db, django_user_model):
    long_address = "a" * 64 + "@" + "b" * 60 + "." + "c" * 60 + ".cn"  # a valid address, longer than a username may be
    response = client.post(url("signup"), {"email": long_address})
    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not django_user_model.objects.exists()


def test_it_changes_the_password(client, db, django_user_model):
    user = django_user_model.objects.create_user("mei", "mei@example.com", PASSWORD)
    client.force_login(user)
    response = client.post(
        url("password_change"),
        {"old_password": PASSWORD, "new_password1": "another-long-pass-2", "new_password2": "another-long-pass-2"},
    )
    assert response["Location"] == url("password_change_done")
    user.refresh_from_db()
    assert user.check_password("another-long-pass-2")


def test_it_mails_a_reset_link_on_the_site_url_in_the_users_language(
    client, db, django_user_model, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://sme.example.cn"
    django_user_model.objects.create_user("mei", "mei@example.com", PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("password_reset", lang="zh-hans"), {"email": "mei@example.com"}, HTTP_HOST="localhost"
        )
    assert response.status_code == 302
    assert mail.outbox == []  # sent by the worker, not in the request
    run_worker()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mei@example.com"]
    assert "重置" in message.subject
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    link = re.search(r"(https://sme\.example\.cn/zh-hans/accounts/password/reset/\S+/)", message.body).group(1)
    assert link in html and "localhost" not in message.body + html

    # the link works once: choose a new password, then log in with it
    path = link.removeprefix("https://sme.example.cn")
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    client.post(set_url, {"new_password1": "brand-new-pass-3", "new_password2": "brand-new-pass-3"})
    client.post(url("login"), {"username": "mei", "password": "brand-new-pass-3"})
    assert "_auth_user_id" in client.session
    assert "此链接已失效" in client.get(path, follow=True).content.decode()  # used once: no longer valid


def test_it_does_not_reveal_whether_an_address_has_an_account(
    client, db, django_user_model, django_capture_on_commit_callbacks
):
    django_user_model.objects.create_user("mei", "mei@example.com", PASSWORD)
    answers = []
    for email in ("nobody@example.com", "mei@example.com"):
        with django_capture_on_commit_callbacks(execute=True) as queued:
            response = client.post(url("password_reset"), {"email": email})
        # The same answer and the same work in the request (one task queued), account or not.
        answers.append((response.status_code, response["Location"], len(queued)))
    assert answers == [(302, url("password_reset_done"), 1)] * 2
    run_worker()
    assert [m.to for m in mail.outbox] == [["mei@example.com"]]


def test_it_locks_out_a_username_from_one_address_until_the_pause_ends(client, db, django_user_model, settings):
    mei = django_user_model.objects.create_user("mei", "mei@example.com", PASSWORD)
    django_user_model.objects.create_user("li", "li@example.com", PASSWORD)
    right = {"username": "mei", "password": PASSWORD}
    with time_machine.travel(START, tick=False) as clock:
        for _ in range(5):
            response = client.post(url("login"), {"username": "mei", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
            assert response.status_code in (200, 429)
        # even the right password, from that address, is refused while locked...
        clock.shift(timedelta(minutes=1))
        response = client.post(url("login"), right, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 429
        assert "Too many failed log-ins" in response.content.decode()
        assert "_auth_user_id" not in client.session
        # ...but only that pair: another user at that address logs in (one username tried is
        # not an attack on many accounts)...
        response = client.post(url("login"), {"username": "li", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
        client.logout()
        # ...and it is accepted from that address once the pause (counted from the last
        # refused try) is over
        clock.shift(settings.AXES_COOLOFF_TIME + timedelta(minutes=1))
        response = client.post(url("login"), right, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(mei.pk)


def test_it_does_not_let_a_stranger_lock_a_user_out_from_another_address(client, db, django_user_model):
    mei = django_user_model.objects.create_user("mei", "mei@example.com", PASSWORD)
    with time_machine.travel(START, tick=False):
        # An attacker who knows the username keeps failing for it, from one address...
        for _ in range(12):
            client.post(url("login"), {"username": "mei", "password": "guess"}, REMOTE_ADDR="203.0.113.66")
        assert (
            client.post(url("login"), {"username": "mei", "password": PASSWORD}, REMOTE_ADDR="203.0.113.66").status_code
            == 429
        )
        # ...and the user, at their own address, still logs in with their password.
        response = client.post(url("login"), {"username": "mei", "password": PASSWORD}, REMOTE_ADDR="198.51.100.5")
        assert response.status_code == 302
        assert client.session["_auth_user_id"] == str(mei.pk)


def test_it_locks_out_an_address_trying_many_usernames_until_the_pause_ends(client, db, django_user_model, settings):
    django_user_model.objects.create_user("mei", "mei@example.com", PASSWORD)
    right = {"username": "mei", "password": PASSWORD}
    with time_machine.travel(START, tick=False) as clock:
        for i in range(5):
            client.post(url("login"), {"username": f"user{i}", "password": "wrong"}, REMOTE_ADDR="10.0.0.9")
        clock.shift(settings.AXES_COOLOFF_TIME - timedelta(minutes=1))
        response = client.post(url("login"), right, REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 429  # a right login from that address too, during the pause
        assert "_auth_user_id" not in client.session
        assert client.post(url("login"), right, REMOTE_ADDR="10.0.0.10").status_code == 302  # others log in
        client.logout()
        clock.shift(timedelta(minutes=2))
        assert client.post(url("login"), right, REMOTE_ADDR="10.0.0.9").status_code == 302
        assert "_auth_user_id" in client.session


def test_it_ignores_a_forged_forwarded_for_header_without_a_proxy(client, db):
    for i in range(5):
        client.post(
            url("login"),
            {"username": f"user{i}", "password": "wrong"},
            REMOTE_ADDR="10.0.0.7",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{i}",
        )
    response = client.post(url("login"), {"username": "other", "password": "x"}, REMOTE_ADDR="10.0.0.7")
    assert response.status_code == 429


def test_it_takes_the_client_address_from_our_proxy_not_the_client(client, db, settings):
    settings.PROXY_COUNT = 1
    # The client forges the left part; our proxy appends the real address on the right.
    for i in range(5):
        client.post(
            url("login"),
            {"username": f"user{i}", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.7",
        )
    locked = client.post(
        url("login"), {"username": "x", "password": "y"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert locked.status_code == 429
    other = client.post(
        url("login"), {"username": "x", "password": "y"}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9"
    )
    assert other.status_code == 200


def test_it_lands_each_kind_of_user_where_their_work_is(client, db, django_user_model):

    django_user_model.objects.create_user("owner", "o@example.com", PASSWORD)
    adviser = django_user_model.objects.create_user("adviser", "a@example.com", PASSWORD)
    chamber = django_user_model.objects.create_user("chamber", "c@example.com", PASSWORD)
    workspace_services.organisation_create(user=adviser, name="Advisers", kind="consultancy")
    workspace_services.organisation_create(user=chamber, name="Chamber", kind="association")
    expected = {"owner": "my_assessments", "adviser": "workspace", "chamber": "association_home"}
    for username, name in expected.items():
        client.logout()
        response = client.post(url("login"), {"username": username, "password": PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == url(name), username
        assert response.status_code == 200
    client.logout()
    response = client.post(url("login") + "?next=/en/me/", {"username": "chamber", "password": PASSWORD})
    assert response["Location"] == "/en/me/"  # a page asked for before logging in comes first
