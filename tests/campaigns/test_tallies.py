"""The campaign's stored tallies: written by every service that changes its members, read by its page."""

import html
import re

import pytest

from assessment.campaigns import selectors as campaigns_selectors
from assessment.campaigns.selectors import MemberFilters, campaign_member_counts, campaign_members_page
from assessment.campaigns.services import campaign_join, consent_set
from assessment.models import Campaign
from assessment.selectors import campaign_tallies_count
from tests.factories import accept, complete, import_rows, invite, many_members, member, url


def text_of(page: bytes) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.decode())).split())


def stored(campaign) -> dict:
    return Campaign.objects.get(pk=campaign.pk).tallies


def assert_current(campaign) -> dict:
    """The stored tallies are what counting every member gives now."""
    tallies = stored(campaign)
    assert tallies == campaign_tallies_count(campaign)
    return tallies


def test_it_keeps_the_tallies_current_through_every_write_that_changes_the_members(
    chamber, django_capture_on_commit_callbacks
):
    campaign = chamber["campaign"]
    tokens = invite(campaign, django_capture_on_commit_callbacks, member(1), member(2), member(3))
    assert assert_current(campaign)["invited"] == {"invited": 3, "started": 0, "submitted": 0}

    _browser, first = accept(tokens["m1@example.com"], share=True)
    assert assert_current(campaign)["invited"] == {"invited": 2, "started": 1, "submitted": 0}

    joined, _token = campaign_join(campaign=campaign, firm_name="Walk-in Ltd", user=None, share=True, language="en")
    assert assert_current(campaign)["others"] == {"started": 1, "submitted": 0}

    complete(first, quality=0.8)
    complete(joined, quality=0.4)
    tallies = assert_current(campaign)
    assert tallies["invited"]["submitted"] == 1 and tallies["others"]["submitted"] == 1
    assert tallies["sharing"] == 2 and all(n == 2 for _sum, n in tallies["sums"].values())

    consent_set(assessment=joined, share=False)  # a private member is in no sum
    tallies = assert_current(campaign)
    assert tallies["sharing"] == 1 and all(n == 1 for _sum, n in tallies["sums"].values())

    import_rows(chamber, 4)  # answers collected on paper: four more members, in one refresh
    tallies = assert_current(campaign)
    assert tallies["others"] == {"started": 0, "submitted": 5} and tallies["sharing"] == 5
    assert campaign_member_counts(campaign) == {"invited": 2, "started": 0, "submitted": 6, "total": 8}


def test_it_shows_the_stored_counts_on_the_page_in_both_languages(chamber, django_capture_on_commit_callbacks):
    campaign = chamber["campaign"]
    tokens = invite(campaign, django_capture_on_commit_callbacks, member(1), member(2))
    accept(tokens["m2@example.com"])
    english = text_of(chamber["client"].get(url("campaign", campaign.pk)).content)
    assert "2 members 1 invited, not started 1 started 0 submitted" in english
    chinese = text_of(chamber["client"].get(url("campaign", campaign.pk, lang="zh-hans")).content)
    assert "2 家会员 1 家已邀请未开始 1 家已开始 0" in chinese


@pytest.mark.parametrize("status", ["", "invited", "started", "submitted"])
def test_it_pages_across_the_invited_members_and_the_others_as_one_list(chamber, status):
    """A page sliced from the two halves by the stored counts has the rows the UNION of both
    gives, in the same order, page after page (a page may hold the end of one half and the
    start of the other)."""
    campaign = chamber["campaign"]
    many_members(campaign, 4, "invited", name="Invited")
    many_members(campaign, 3, "started", name="Draft")
    many_members(campaign, 2, "submitted", name="Shared")
    many_members(campaign, 4, "joined", name="Joined")
    filters = MemberFilters(status=status)
    whole = campaigns_selectors.campaign_members(campaign, filters)
    assert whole and all(row["status"] == status for row in whole if status)
    paged = []
    page, rows = campaign_members_page(campaign, filters, 1, per_page=3)
    for number in page.paginator.page_range:
        page, rows = campaign_members_page(campaign, filters, number, per_page=3)
        assert len(rows) == (3 if number < page.paginator.num_pages else len(whole) - 3 * (number - 1))
        paged += rows
    assert paged == whole
    assert page.paginator.count == len(whole)
