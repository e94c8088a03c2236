"""The campaign's public link: limited per address, and the association can close or replace it."""

from django.test import Client

from assessment.models import Assessment, Campaign
from tests.factories import url


def test_it_limits_joins_per_address_even_with_fresh_cookies(associations, settings):
    settings.CAMPAIGN_JOINS_PER_ADDRESS = 4
    x = associations["x"]
    link = url("campaign_join", x["campaign"].link_token)
    for n in range(4):  # a new browser (no cookie) each time, one address
        assert Client().post(link, {"firm_name": f"Firm {n}"}).status_code == 302
    response = Client().post(link, {"firm_name": "Flood Ltd"})
    assert response.status_code == 400
    assert "started from your network" in response.content.decode()
    # Another address is not affected.
    assert Client(REMOTE_ADDR="203.0.113.9").post(link, {"firm_name": "Other Co"}).status_code == 302
    assert Assessment.objects.filter(campaign=x["campaign"]).count() == 5


def test_it_lets_the_association_close_reopen_and_replace_the_link(associations):
    x = associations["x"]
    old = url("campaign_join", x["campaign"].link_token)
    x["client"].post(url("campaign_link", x["campaign"].pk), {"action": "close"})
    assert Client().get(old).status_code == 404
    page = x["client"].get(url("campaign", x["campaign"].pk)).content.decode()
    assert "The link is closed" in page and "Open the link again" in page
    x["client"].post(url("campaign_link", x["campaign"].pk), {"action": "open"})
    assert Client().get(old).status_code == 200
    x["client"].post(url("campaign_link", x["campaign"].pk), {"action": "rotate"})
    new = url("campaign_join", Campaign.objects.get(pk=x["campaign"].pk).link_token)
    assert new != old
    assert Client().get(old).status_code == 404 and Client().get(new).status_code == 200
    # Another association cannot touch it.
    y = associations["y"]
    assert y["client"].post(url("campaign_link", x["campaign"].pk), {"action": "close"}).status_code == 404
    assert Campaign.objects.get(pk=x["campaign"].pk).link_active
