"""The API tokens page of an organisation's administrators."""

import re

import pytest
from django.test import Client

from assessment.links import token_digest
from assessment.models import ApiToken, Membership
from tests.api.conftest import api_client
from tests.factories import open_campaign, url


@pytest.fixture
def admin(chamber):
    """The association's administrator, logged in: who opened its campaign (tests/conftest.py)."""
    return chamber


def create(admin, name="CRM sync", scope="write", lang="en"):
    return admin["client"].post(
        url("api_tokens", lang=lang), {"name": name, "scope": scope, "organisation": admin["org"].pk}
    )


def test_it_creates_a_token_shown_once_and_stores_only_its_digest(admin):
    response = create(admin)
    assert response.status_code == 200
    page = response.content.decode()
    raw = re.search(r'value="(smec_[\w-]+)"', page).group(1)
    token = ApiToken.objects.get()
    assert (token.name, token.scope, token.organisation, token.created_by) == (
        "CRM sync",
        "write",
        admin["org"],
        admin["user"],
    )
    assert token.digest == token_digest(raw) and raw not in str(token.__dict__)
    assert raw.startswith(token.prefix) and len(raw) > 40
    assert "shown only this once" in page
    assert response["Cache-Control"].startswith("max-age=0")
    # The page shown again lists the token by its start only.
    again = admin["client"].get(url("api_tokens")).content.decode()
    assert raw not in again and f"{token.prefix}…" in again
    # And the token works.
    assert api_client(raw).get("/api/v1/campaigns/").status_code == 200


def test_it_revokes_a_token(admin):
    create(admin)
    raw = re.search(r'value="(smec_[\w-]+)"', create(admin, name="Second").content.decode()).group(1)
    second = ApiToken.objects.get(name="Second")
    response = admin["client"].post(url("api_token_revoke", second.pk))
    assert response.status_code == 302
    page = admin["client"].get(response["Location"]).content.decode()
    assert "The token “Second” is revoked: it no longer works." in page
    assert "Revoked" in page
    assert api_client(raw).get("/api/v1/campaigns/").status_code == 401
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_it_says_what_is_wrong_with_the_form(admin):
    response = create(admin, name="", scope="everything")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    assert "This field is required." in response.content.decode()


def test_it_is_for_administrators_only(admin, django_user_model):
    staff = django_user_model.objects.create_user("staff", password="a-long-password-1")
    Membership.objects.create(organisation=admin["org"], user=staff, role=Membership.Role.STAFF)
    outsider = django_user_model.objects.create_user("outsider", password="a-long-password-1")
    create(admin)
    token = ApiToken.objects.get()
    for user in (staff, outsider):
        client = Client()
        client.force_login(user)
        assert client.get(url("api_tokens")).status_code == 404
        post = {"name": "mine", "scope": "write", "organisation": admin["org"].pk}
        assert client.post(url("api_tokens"), post).status_code == 404
        assert client.post(url("api_token_revoke", token.pk)).status_code == 404
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 1
    assert Client().get(url("api_tokens")).status_code == 302  # to the login page


def test_it_refuses_a_token_for_an_organisation_one_does_not_administer(admin, version, django_user_model):
    other = django_user_model.objects.create_user("other", password="a-long-password-1")
    other_org, _campaign = open_campaign(other, "Other Chamber", "Round", version)
    response = admin["client"].post(url("api_tokens"), {"name": "x", "scope": "read", "organisation": other_org.pk})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_it_is_linked_from_the_organisation_pages_of_administrators(admin, django_user_model):
    page = admin["client"].get(url("association_home")).content.decode()
    assert f'href="{url("api_tokens")}"' in page
    consultant = django_user_model.objects.create_user("consultant", password="a-long-password-1")
    from assessment.workspace.services import organisation_create

    organisation_create(user=consultant, name="Centre", kind="consultancy")
    client = Client()
    client.force_login(consultant)
    assert f'href="{url("api_tokens")}"' in client.get(url("workspace")).content.decode()


def test_it_shows_the_page_in_chinese(admin):
    response = create(admin, lang="zh-hans")
    page = response.content.decode()
    assert "API 令牌" in page
    assert "请现在复制" in page
