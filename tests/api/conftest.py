import pytest
from django.test import Client

from assessment.api.services import api_token_create
from tests.factories import accept, complete, invite, member, open_campaign


def api_client(raw: str, lang: str = "en") -> Client:
    """A client calling the API with this token, in this language (Accept-Language)."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE=lang)


@pytest.fixture
def api(version, django_user_model, django_capture_on_commit_callbacks):
    """An association with an open campaign of three invited members: one who shares its
    submitted results, one who submitted without sharing, one who has not started; a read
    token and a write token of the association."""
    user = django_user_model.objects.create_user("chamber-admin", password="a-long-password-1")
    org, campaign = open_campaign(user, "Hubei Chamber", "Autumn round", version)
    tokens = invite(campaign, django_capture_on_commit_callbacks, member(1), member(2), member(3))
    _browser, sharing = accept(tokens["m1@example.com"], share=True)
    complete(sharing)
    _browser, private = accept(tokens["m2@example.com"], share=False)
    complete(private)
    _read, read_raw = api_token_create(organisation=org, user=user, name="CRM", scope="read")
    write_token, write_raw = api_token_create(organisation=org, user=user, name="Sync", scope="write")
    return {
        "user": user,
        "org": org,
        "campaign": campaign,
        "sharing": sharing,
        "private": private,
        "read": api_client(read_raw),
        "write": api_client(write_raw),
        "write_token": write_token,
        "write_raw": write_raw,
    }
