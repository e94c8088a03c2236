"""The campaign page's member table: one page at a time, filtered in the database, counted there."""

import html
import re

from assessment.campaigns.dashboard import build_dashboard
from assessment.campaigns.selectors import campaign_summary
from tests.factories import many_members, url

PER_PAGE = 50  # campaigns.selectors.MEMBERS_PER_PAGE, as the page shows it


def text_of(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def member_rows(page: str) -> list[str]:
    """The firm of each row of the member table, in order."""
    table = page.split('id="members"')[1]
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []
    return [text_of(re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[1]) for row in rows]


def page_links(page: str) -> dict[str, str]:
    """The member table's page links: {link text: address}."""
    nav = re.search(r'<ul class="pagination[^"]*">(.*?)</ul>', page, re.S).group(1)
    return {
        text_of(label): html.unescape(href)
        for href, label in re.findall(r'<a class="page-link" href="([^"]+)">(.*?)</a>', nav)
    }


def get(chamber, query: str = "", lang: str = "en") -> str:
    response = chamber["client"].get(url("campaign", chamber["campaign"].pk, lang=lang) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_twenty_thousand_members_a_page_at_a_time_in_few_queries(chamber, django_assert_max_num_queries):
    campaign = chamber["campaign"]
    many_members(campaign, 12_000, "invited", name="Invited")
    many_members(campaign, 3_000, "started", name="Draft")
    many_members(campaign, 4_000, "submitted", name="Shared", sector="secondary")
    many_members(campaign, 1_000, "joined", name="Private", share=False, sector="secondary")
    with django_assert_max_num_queries(15):
        page = get(chamber)
    text = text_of(page)
    # The counts are of every member; the table shows the first page only.
    assert "20000 members 12000 invited, not started 3000 started 5000 submitted" in text
    assert member_rows(page) == [f"Invited {n:05d}" for n in range(1, PER_PAGE + 1)]
    assert "Members 1–50 of 20000" in text
    assert page_links(page)["400"] == "?page=400#members"  # the last page, linked
    assert "Average score of 4000 members who share their results" in text
    # It was 9.9 MB; time is measured by bench/members.py, not bounded here.
    assert len(page) < 100_000

    last = get(chamber, "?page=400")
    assert member_rows(last) == [f"Private {n:05d}" for n in range(951, 1001)]
    assert "Members 19951–20000 of 20000" in text_of(last)
    assert last.count("not shared") == PER_PAGE and "/results/" not in last

    # Filters and search run in the database, within the same number of queries.
    with django_assert_max_num_queries(15):
        drafts = get(chamber, "?status=started")
    assert "3000 members match these filters." in text_of(drafts)
    assert member_rows(drafts)[:2] == ["Draft 00001", "Draft 00002"] and "/results/" not in drafts
    # The sector is an answer: only the members who share their results are found by it,
    # never the 1,000 private members of the same sector.
    secondary = get(chamber, "?sector=secondary&page=80")
    assert "4000 members match these filters." in text_of(secondary)
    assert member_rows(secondary)[-1] == "Shared 04000"
    assert len(re.findall(r'/results/">\d+</a>', secondary)) == PER_PAGE  # link and score, as before
    assert len(re.findall(r'type="checkbox" name="assessment"', secondary)) == PER_PAGE
    assert "Private" not in text_of(secondary)
    # Search: part of the firm's name, or of the invited address; with a status too.
    assert member_rows(get(chamber, "?q=shared 0123"))[0] == "Shared 01230"
    by_mail = get(chamber, "?q=INVITED00042@example")
    assert member_rows(by_mail) == ["Invited 00042"] and "1 member matches these filters." in text_of(by_mail)
    assert member_rows(get(chamber, "?q=Private 00007&status=submitted")) == ["Private 00007"]
    # A search across both halves: the invited members first, then the others, counted together.
    both = get(chamber, "?q=00001")
    assert member_rows(both) == ["Invited 00001", "Draft 00001", "Shared 00001", "Private 00001"]
    assert "4 members match these filters." in text_of(both)
    nothing = text_of(get(chamber, "?q=Invited 00042&status=submitted"))
    assert "No member matches these filters. Show all members" in nothing
    assert "20000 members 12000 invited, not started" in nothing


def test_it_ignores_bad_filter_values_and_page_numbers(chamber):
    many_members(chamber["campaign"], 60, "invited", name="Invited")
    many_members(chamber["campaign"], 2, "started", name="Draft")
    bogus = get(chamber, "?status=bogus&sector=quaternary&q=Draft")
    assert "Select a valid choice. bogus is not one of the available choices." in text_of(bogus)
    assert member_rows(bogus) == ["Draft 00001", "Draft 00002"]  # the valid filter still applies
    for number in ("abc", "0", "-3", "1.5", ""):  # not a page number, or below the first: the first
        assert member_rows(get(chamber, f"?page={number}"))[0] == "Invited 00001", number
    for number in ("99", "99999999999999999999"):  # past the end: the last page
        assert member_rows(get(chamber, f"?page={number}"))[-1] == "Draft 00002", number
    assert "Select a valid choice" not in get(chamber, "?status=&sector=&q=")


def test_it_keeps_the_filters_in_the_page_links(chamber):
    many_members(chamber["campaign"], 120, "invited", name="Invited")
    many_members(chamber["campaign"], 120, "invited", name="Other", start=120)
    first = get(chamber, "?q=invited&status=invited&page=bad")
    links = page_links(first)
    assert links["2"] == links["Next page"] == "?q=invited&status=invited&page=2#members"
    second = get(chamber, links["2"].split("#")[0])
    assert member_rows(second) == [f"Invited {n:05d}" for n in range(51, 101)]
    assert page_links(second)["Previous page"] == "?q=invited&status=invited&page=1#members"
    assert page_links(second)["3"] == "?q=invited&status=invited&page=3#members"
    # The form shows the filters it applies.
    assert re.search(r'<input[^>]*name="q"[^>]*value="invited"', second)
    assert re.search(r'<option value="invited" selected>', second)


def test_it_translates_the_table_controls(chamber):
    many_members(chamber["campaign"], 60, "submitted", name="Shared")
    page = text_of(get(chamber, "?status=submitted&page=2", lang="zh-hans"))
    assert "60 家会员符合筛选条件。" in page and "显示全部会员" in page
    assert "第 51–60 家会员，共 60 家" in page and "上一页" in page
    assert "仅对共享结果的会员可知。" in page


def test_it_sums_the_averages_in_the_database_as_the_dashboard_computes_them(chamber):
    campaign, qn = chamber["campaign"], chamber["qn"]
    areas = [area.key for area in qn.areas]
    many_members(campaign, 2, "submitted", name="Low", quality=0.2)
    many_members(campaign, 2, "joined", name="Mid", quality=0.5)
    assert campaign_summary(campaign, areas)["means"] == {}  # four sharing members: too few
    many_members(campaign, 3, "submitted", name="High", quality=0.9)
    many_members(campaign, 3, "joined", name="Secret", quality=1.0, share=False)
    summary = campaign_summary(campaign, areas)
    dashboard = build_dashboard(campaign, qn, "en")
    assert summary["submitted"] == dashboard.count == 7  # the private members are in no average
    assert summary["means"] == {area["key"]: area["mean"] for area in dashboard.areas}
    assert len(set(summary["means"].values())) > 1 and None not in summary["means"].values()
    assert summary["counts"] == {"invited": 0, "started": 0, "submitted": 10} and summary["total"] == 10


def test_it_filters_by_sector_across_the_invited_members_and_the_others(chamber):
    campaign = chamber["campaign"]
    many_members(campaign, 3, "submitted", name="Invited", sector="secondary")
    many_members(campaign, 2, "submitted", name="Farm", sector="primary")
    many_members(campaign, 2, "joined", name="Joined", sector="secondary")
    many_members(campaign, 1, "joined", name="Private", sector="secondary", share=False)
    page = get(chamber, "?sector=secondary")
    assert member_rows(page) == ["Invited 00001", "Invited 00002", "Invited 00003", "Joined 00001", "Joined 00002"]
    assert "5 members match these filters." in text_of(page)
    # A page boundary inside the invited half and one inside the others.
    many_members(campaign, 60, "joined", name="More", sector="secondary", start=2)
    second = member_rows(get(chamber, "?sector=secondary&page=2"))
    assert second == [f"More {n:05d}" for n in range(48, 63)]
    # The count comes from the campaign's tallies: with a status, only "submitted" can match.
    assert "65 members match these filters." in text_of(get(chamber, "?sector=secondary&status=submitted"))
    assert "No member matches these filters." in text_of(get(chamber, "?sector=secondary&status=started"))
    assert "2 members match these filters." in text_of(get(chamber, "?sector=primary"))


def test_it_counts_a_sector_again_when_a_member_stops_sharing(chamber):
    from assessment.campaigns.services import consent_set
    from assessment.models import Assessment

    campaign = chamber["campaign"]
    many_members(campaign, 2, "submitted", name="Invited", sector="secondary")
    many_members(campaign, 1, "joined", name="Joined", sector="secondary")
    assert "3 members match these filters." in text_of(get(chamber, "?sector=secondary"))
    for name in ("Invited 00002", "Joined 00001"):
        consent_set(assessment=Assessment.objects.get(firm_name=name), share=False)
    page = get(chamber, "?sector=secondary")
    assert member_rows(page) == ["Invited 00001"] and "1 member matches these filters." in text_of(page)


def test_it_pages_a_search_with_more_matches_than_fit_a_page(chamber):
    # A search reads a half whole when it fits a page and counts it otherwise: both kinds of
    # half, and a page boundary between them, give the same table.
    campaign = chamber["campaign"]
    many_members(campaign, 55, "invited", name="Lotus")
    many_members(campaign, 3, "joined", name="Lotus Joined")
    many_members(campaign, 4, "invited", name="Other")
    first = get(chamber, "?q=lotus")
    assert "58 members match these filters." in text_of(first)
    assert member_rows(first) == [f"Lotus {n:05d}" for n in range(1, PER_PAGE + 1)]
    second = get(chamber, "?q=lotus&page=2")
    assert member_rows(second) == [f"Lotus {n:05d}" for n in range(51, 56)] + [
        f"Lotus Joined {n:05d}" for n in range(1, 4)
    ]
    assert "Members 51–58 of 58" in text_of(second)
    # Only the others match: the invited half is read (empty), never counted.
    joined = get(chamber, "?q=joined")
    assert member_rows(joined) == [f"Lotus Joined {n:05d}" for n in range(1, 4)]
    assert "3 members match these filters." in text_of(joined)


def test_it_stores_the_tallies_by_sector_in_the_migration(chamber):
    import importlib

    from django.apps import apps

    from assessment.models import Campaign

    campaign = chamber["campaign"]
    many_members(campaign, 2, "submitted", name="Invited", sector="secondary")
    old = {key: value for key, value in Campaign.objects.get(pk=campaign.pk).tallies.items() if key != "sectors"}
    Campaign.objects.filter(pk=campaign.pk).update(tallies={**old, "format": 1})  # as stored before 0020
    migration = importlib.import_module("assessment.migrations.0020_campaign_tallies_by_sector")
    migration.count_again(apps, None)
    tallies = Campaign.objects.get(pk=campaign.pk).tallies
    assert tallies["format"] == 2
    assert tallies["sectors"]["invited"] == {"primary": 0, "secondary": 2, "tertiary": 0}
    assert "2 members match these filters." in text_of(get(chamber, "?sector=secondary"))
