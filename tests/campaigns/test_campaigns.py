"""Associations: campaigns, invitations (single-use, scanner-safe), consent, reminders, tracking."""

import re
from datetime import timedelta

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from assessment.links import token_digest
from assessment.models import Assessment, Campaign, Firm, Invitation
from tests.factories import accept, complete, invite, member, run_worker, url

LIST = "Firm One, Ms Li, li@example.com, zh-hans\nFirm Two\tMr Brown\tbrown@example.com\ten\n"


def same_page(response, token):
    """The page without what differs by request anyway: the link itself and the CSRF mask."""
    page = response.content.decode().replace(token, "")
    return re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)


def test_it_creates_an_association_and_a_campaign(version, client, django_user_model):
    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    client.force_login(user)
    response = client.post(url("organisation_new"), {"name": "Wuhan Chamber", "kind": "association"})
    assert response["Location"] == url("association_home")
    response = client.post(
        url("campaign_new"),
        {"name": "Autumn 2026", "questionnaire": version.pk, "opens_on": "2026-11-01", "closes_on": "2026-10-01"},
    )
    assert response.status_code == 400
    assert "must not be before the opening date" in response.content.decode()
    response = client.post(
        url("campaign_new"),
        {"name": "Autumn 2026", "questionnaire": version.pk, "opens_on": "2026-11-01", "closes_on": "2026-12-31"},
    )
    campaign = Campaign.objects.get(name="Autumn 2026")
    assert response["Location"] == url("campaign", campaign.pk)
    assert campaign.organisation.kind == "association"
    page = client.get(url("campaign", campaign.pk)).content.decode()
    assert f"/c/{campaign.link_token}/" in page
    # The workspace link takes an association member to the campaigns.
    assert client.get(url("workspace"))["Location"] == url("association_home")


def test_it_invites_a_pasted_list_by_email_in_each_members_language(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    with django_capture_on_commit_callbacks(execute=True):
        response = x["client"].post(url("campaign_invite", x["campaign"].pk), {"members": LIST})
    assert response.status_code == 302
    assert "not sent yet" in x["client"].get(url("campaign", x["campaign"].pk)).content.decode()
    assert mail.outbox == []  # the e-mails go out from the background worker
    run_worker()
    assert Invitation.objects.filter(campaign=x["campaign"]).count() == 2
    assert set(Firm.objects.filter(organisation=x["org"]).values_list("name", flat=True)) == {"Firm One", "Firm Two"}
    by_address = {m.to[0]: m for m in mail.outbox}
    li, brown = by_address["li@example.com"], by_address["brown@example.com"]
    assert "邀请" in li.subject and "Chamber X" in li.subject
    assert "/zh-hans/invite/" in li.body and "http://testserver" not in li.body
    assert "invites Firm Two" in brown.body and "/en/invite/" in brown.body
    assert brown.alternatives[0].mimetype == "text/html" and "Start the assessment" in brown.alternatives[0].content
    token = re.search(r"/invite/([\w-]+)/", brown.body).group(1)
    assert len(token) >= 43  # 256 random bits, URL-safe base64
    stored = Invitation.objects.get(email="brown@example.com")
    assert stored.token_digest == token_digest(token)  # the link itself is nowhere in the table
    assert all(token not in str(value) for value in Invitation.objects.values_list().get(pk=stored.pk))
    assert Invitation.objects.exclude(sent_at=None).count() == 2
    # The same list again invites nobody twice.
    with django_capture_on_commit_callbacks(execute=True):
        x["client"].post(url("campaign_invite", x["campaign"].pk), {"members": LIST})
    assert Invitation.objects.filter(campaign=x["campaign"]).count() == 2


def test_it_rejects_a_list_with_mistakes_and_invites_nobody(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    bad = LIST + "Firm Three, Ms Wang, not-an-address\n, Mr Zhao, zhao@example.com, fr\nOnly two, cells\n"
    with django_capture_on_commit_callbacks(execute=True):
        response = x["client"].post(url("campaign_invite", x["campaign"].pk), {"members": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nobody was invited" in page
    assert "Line 3: “not-an-address” is not an e-mail address." in page
    assert "Line 4: the firm name is missing or longer than 200 characters; language “fr” is not one of" in page
    assert "Line 5: expected firm name, contact, e-mail and optionally language; found 2 values. Separate" in page
    assert "Firm Three, Ms Wang, not-an-address" in page  # the list comes back to be fixed
    assert Invitation.objects.count() == 0 and Firm.objects.count() == 0 and mail.outbox == []


def test_it_reads_an_uploaded_gbk_csv(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    data = "企业名称,联系人,邮箱,语言\n武汉光谷精密,王经理,wang@example.com,中文\n".encode("gbk")
    upload = SimpleUploadedFile("members.csv", data, content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = x["client"].post(url("campaign_invite", x["campaign"].pk, lang="zh-hans"), {"upload": upload})
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.firm.name == "武汉光谷精密" and invitation.language == "zh-hans"
    assert invitation.firm.contact_name == "王经理"


def test_it_does_not_use_up_an_invitation_when_a_scanner_fetches_it(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    token = invite(x["campaign"], django_capture_on_commit_callbacks, member(1))["m1@example.com"]
    scanner = Client()
    for _ in range(3):
        page = scanner.get(url("invitation", token))
        assert page.status_code == 200 and "Member 1" in page.content.decode()
    assert Invitation.objects.get().used_at is None
    owner, assessment = accept(token, share=True)
    assert assessment.campaign == x["campaign"] and assessment.firm.name == "Member 1"
    assert assessment.organisation is None  # the association gets no access through membership
    assert assessment.share_with_association
    assert Invitation.objects.get().assessment == assessment
    # The owner's own browser coming back to the link continues the assessment.
    again = owner.get(url("invitation", token))
    assert again["Location"] == url("review", assessment.public_id)
    # Anyone else who gets the used link (a forwarded e-mail) gets nothing.
    assert scanner.get(url("invitation", token)).status_code == 404
    assert scanner.post(url("invitation", token), {"share": "on"}).status_code == 404
    assert Assessment.objects.count() == 1


def test_it_shows_one_page_for_unknown_used_expired_and_closed_invitations(
    associations, django_capture_on_commit_callbacks
):
    x = associations["x"]
    tokens = invite(x["campaign"], django_capture_on_commit_callbacks, member(1), member(2), member(3))
    accept(tokens["m1@example.com"])
    Invitation.objects.filter(email="m2@example.com").update(expires_at=timezone.now() - timedelta(seconds=1))
    unknown = tokens["m3@example.com"][:-4] + "AAAA"
    pages = set()
    for token in (tokens["m1@example.com"], tokens["m2@example.com"], unknown):
        response = Client().get(url("invitation", token))
        assert response.status_code == 404
        pages.add(same_page(response, token))
    Campaign.objects.filter(pk=x["campaign"].pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    closed = Client().get(url("invitation", tokens["m3@example.com"]))
    assert closed.status_code == 404
    pages.add(same_page(closed, tokens["m3@example.com"]))
    assert len(pages) == 1
    assert "This invitation link cannot be used" in pages.pop()


def test_it_tracks_completion_and_shows_averages_only_of_members_who_share(
    associations, django_capture_on_commit_callbacks
):
    x = associations["x"]
    tokens = invite(x["campaign"], django_capture_on_commit_callbacks, *(member(n) for n in range(1, 9)))
    started = [accept(tokens[f"m{n}@example.com"], share=n != 2)[1] for n in range(1, 7)]
    for assessment in started[:5]:
        complete(assessment)
    page = x["client"].get(url("campaign", x["campaign"].pk)).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert "8 members" in text and "2 invited, not started" in text and "1 started" in text
    assert "5 submitted" in text
    # Five submitted, but only four share their results: the private one is in no average
    # (an average read before and after its submission would give it away), four are too few.
    assert "Averages appear only when they cannot give away a member" in text
    assert "they cover only the members who share their results with you, once at least 5" in text
    assert "Average score of" not in text
    complete(started[5])
    page = x["client"].get(url("campaign", x["campaign"].pk)).content.decode()
    assert "Average score of 5 members who share their results" in page
    # Only the members who agreed to share have a score and a link in the list.
    assert page.count("/results/") == 5 and f"/a/{started[1].public_id}/results/" not in page
    assert page.count("not shared") == 1


def test_it_shows_individual_results_to_the_association_only_with_consent(
    associations, django_capture_on_commit_callbacks
):
    x, y = associations["x"], associations["y"]
    tokens = invite(x["campaign"], django_capture_on_commit_callbacks, member(1))
    owner, assessment = accept(tokens["m1@example.com"], share=False)
    complete(assessment)
    results = url("results", assessment.public_id)
    pdf = url("report_pdf", assessment.public_id) + "?lang=en&variant=summary"
    assert x["client"].get(results).status_code == 404
    assert x["client"].get(pdf).status_code == 404
    # The member changes their mind on the results page.
    page = owner.get(results).content.decode()
    assert "Share my results with the association" in page
    owner.post(url("consent", assessment.public_id), {"share": "on"})
    assert x["client"].get(results).status_code == 200
    assert x["client"].get(pdf)["Content-Type"] == "application/pdf"
    shown = x["client"].get(results).content.decode()
    assert "Share my results" not in shown and "Stop sharing" not in shown  # only the member decides
    assert y["client"].get(results).status_code == 404  # another association never
    assert x["client"].get(url("step", assessment.public_id, "profile")).status_code == 404  # read-only
    owner.post(url("consent", assessment.public_id), {})
    assert x["client"].get(results).status_code == 404


def test_it_reminds_those_who_have_not_submitted_with_new_links(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    tokens = invite(x["campaign"], django_capture_on_commit_callbacks, member(1), member(2), member(3, "zh-hans"))
    _, done = accept(tokens["m1@example.com"])
    complete(done)
    filling, draft = accept(tokens["m2@example.com"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = x["client"].post(url("campaign_remind", x["campaign"].pk))
    assert response.status_code == 302
    run_worker()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {"m2@example.com", "m3@example.com"}
    # Not started: a new invitation link replaces the old one.
    new = re.search(r"/invite/([\w-]+)/", by_address["m3@example.com"].body).group(1)
    assert "提醒" in by_address["m3@example.com"].subject
    assert Client().get(url("invitation", tokens["m3@example.com"])).status_code == 404
    assert Client().get(url("invitation", new)).status_code == 200
    # Started: the member filling in right now is not locked out by the reminder...
    assert "have not submitted it yet" in by_address["m2@example.com"].body
    assert filling.get(url("review", draft.public_id)).status_code == 200
    autosave = filling.post(url("step", draft.public_id, "profile"), {"employees": "30", "action": "autosave"})
    assert autosave.status_code == 200
    # ...and the reminder's link continues the same draft on another device (once).
    link = re.search(r"/invite/([\w-]+)/", by_address["m2@example.com"].body).group(1)
    phone = Client()
    assert "Continue the assessment" in phone.get(url("invitation", link)).content.decode()
    resumed = phone.post(url("invitation", link))
    assert "/resume/" in resumed["Location"]
    assert phone.get(resumed["Location"]).status_code == 302
    assert phone.get(url("review", draft.public_id)).status_code == 200
    assert Assessment.objects.filter(campaign=x["campaign"]).count() == 2
    assert Client().post(url("invitation", link)).status_code == 404
    assert Invitation.objects.get(email="m2@example.com").reminders == 1


def test_it_treats_addresses_differing_in_capitals_as_one_member(associations, django_capture_on_commit_callbacks):
    x = associations["x"]
    with django_capture_on_commit_callbacks(execute=True):
        x["client"].post(url("campaign_invite", x["campaign"].pk), {"members": "A Co, Li, Li@Example.com\n"})
        x["client"].post(url("campaign_invite", x["campaign"].pk), {"members": "A Co, Li, li@example.COM\n"})
    assert list(Invitation.objects.values_list("email", flat=True)) == ["li@example.com"]


def test_it_refuses_a_broken_utf16_or_excel_member_list_clearly(associations):
    x = associations["x"]
    for data, message in [
        (b"\xff\xfeA\x00,\x00B", "could not be read as text"),
        (b"PK\x03\x04rest-of-a-workbook", "looks like an Excel workbook"),
    ]:
        upload = SimpleUploadedFile("members.csv", data)
        response = x["client"].post(url("campaign_invite", x["campaign"].pk), {"upload": upload})
        assert response.status_code == 400 and message in response.content.decode()
    assert Invitation.objects.count() == 0


def test_it_keeps_association_member_firms_out_of_the_consultant_workspace(
    associations, django_capture_on_commit_callbacks
):
    x = associations["x"]
    tokens = invite(x["campaign"], django_capture_on_commit_callbacks, member(1))
    _, assessment = accept(tokens["m1@example.com"])
    firm = assessment.firm
    for name in ("client", "client_start"):
        method = x["client"].get if name == "client" else x["client"].post
        assert method(url(name, firm.pk)).status_code == 404
    assert x["client"].post(url("client_new_link", firm.pk, assessment.public_id)).status_code == 404


def test_it_limits_how_often_one_browser_joins_by_the_campaign_link(associations):
    x = associations["x"]
    link = url("campaign_join", x["campaign"].link_token)
    browser = Client()
    for n in range(3):
        assert browser.post(link, {"firm_name": f"Firm {n}"}).status_code == 302
    response = browser.post(link, {"firm_name": "One too many"})
    assert response.status_code == 400 and "already started several assessments" in response.content.decode()
    assert Assessment.objects.filter(campaign=x["campaign"]).count() == 3


def test_it_lets_firms_join_by_the_campaign_link_only_while_open(associations):
    x = associations["x"]
    link = url("campaign_join", x["campaign"].link_token)
    page = Client().get(link).content.decode()
    assert "Chamber X asks its members" in page
    response = Client().post(link, {"firm_name": "Walk-in Trading Co."})
    assert response.status_code == 302
    assessment = Assessment.objects.get(campaign=x["campaign"])
    assert assessment.firm.organisation == x["org"] and not assessment.share_with_association
    members = x["client"].get(url("campaign", x["campaign"].pk)).content.decode()
    assert "Walk-in Trading Co." in members and "joined by link" in members
    Campaign.objects.filter(pk=x["campaign"].pk).update(opens_on=timezone.localdate() + timedelta(days=1))
    response = Client().post(link, {"firm_name": "Too Early Ltd"})
    assert response.status_code == 400 and "cannot be started now" in response.content.decode()
    assert Assessment.objects.count() == 1
    assert Client().get(url("campaign_join", "not-a-campaign")).status_code == 404


def test_it_keeps_each_associations_campaigns_to_itself(associations):
    x, y = associations["x"], associations["y"]
    assert y["client"].get(url("campaign", x["campaign"].pk)).status_code == 404
    for name in ("campaign_invite", "campaign_remind"):
        assert y["client"].post(url(name, x["campaign"].pk), {"members": LIST}).status_code == 404
    assert Invitation.objects.count() == 0
    assert "Spring round X" not in y["client"].get(url("association_home")).content.decode()


def test_it_lets_a_logged_in_owner_claim_an_assessment_and_its_firm(
    associations, django_capture_on_commit_callbacks, django_user_model
):
    x = associations["x"]
    tokens = invite(x["campaign"], django_capture_on_commit_callbacks, member(1))
    owner, assessment = accept(tokens["m1@example.com"])
    complete(assessment)
    user = django_user_model.objects.create_user("member1", password="a-long-password-1")
    owner.force_login(user)
    page = owner.get(url("results", assessment.public_id)).content.decode()
    assert "Add this assessment and its firm to my account" in page
    owner.post(url("claim", assessment.public_id))
    assessment.refresh_from_db()
    assert assessment.owner == user and assessment.firm.owner == user
    assert "Member 1" in owner.get(url("my_assessments")).content.decode()
    # Someone without the link cannot claim it.
    other = Client()
    other.force_login(django_user_model.objects.create_user("intruder", password="a-long-password-1"))
    assert other.post(url("claim", assessment.public_id)).status_code == 404


def test_it_keeps_the_cohort_pdf_at_its_published_address():
    # Moving the views into packages once renamed this path (to views.pdf); bookmarks and
    # links in e-mails keep the old one.
    from django.urls import reverse
    from django.utils import translation

    with translation.override("en"):
        assert reverse("campaign_dashboard_pdf", args=[7]) == "/en/campaigns/7/dashboard.pdf"
