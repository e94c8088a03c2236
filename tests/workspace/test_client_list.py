"""The workspace's client list: columns copied from results, filters and counts in SQL, paging
that keeps the filters, bad parameters, and the writes that keep the copied columns true."""

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessment.bulk.services import assessments_import
from assessment.links import token_digest
from assessment.models import Assessment, Firm
from assessment.questionnaire.definition import tr
from assessment.questionnaire.result import Result, headline
from assessment.selectors import questionnaire_of
from assessment.services import assessment_reopen, firms_latest_refresh
from assessment.workspace.services import firm_create
from tests.factories import csv_bytes, submitted_for, table, url

# The workspace page's queries: session, user, organisation, version, count, page, counts, role.
WORKSPACE_QUERIES = 8


def page_text(client, **params) -> str:
    return client.get(url("workspace"), params).content.decode()


def table_names(page: str) -> list[str]:
    """The firm names in the client table, in order."""
    return re.findall(r'<td[^>]*><a href="/en/workspace/clients/\d+/">([^<]+)</a>', page)


def bulk_clients(org, version, count: int, results: list[dict], prefix: str = "Bulk") -> list[Firm]:
    """`count` client firms, each with one assessment submitted now, taking the results in
    turn; written in bulk (through the services they would take minutes)."""
    firms = Firm.objects.bulk_create(Firm(organisation=org, name=f"{prefix} {n:04d}") for n in range(count))
    now = timezone.now()
    Assessment.objects.bulk_create(
        Assessment(
            questionnaire=version,
            resume_digest=token_digest(f"{prefix}-{org.pk}-{n}"),
            language="en",
            status=Assessment.Status.SUBMITTED,
            firm=firm,
            organisation=org,
            firm_name=firm.name,
            submitted_at=now,
            **Assessment.result_columns(results[n % len(results)]),
        )
        for n, firm in enumerate(firms)
    )
    firms_latest_refresh(f.pk for f in firms)
    return firms


@pytest.fixture
def scored(consultancy, version):
    """Consultancy A's clients: "Client of A" weak (fragile), "Hubei Green Tea Co." strong,
    "Xiangyang Auto Parts" not assessed yet."""
    a = consultancy["a"]
    weak = submitted_for(a["firm"], version, 0.0, days_ago=3)
    tea = firm_create(organisation=a["org"], name="Hubei Green Tea Co.")
    strong = submitted_for(tea, version, 1.0, days_ago=1)
    firm_create(organisation=a["org"], name="Xiangyang Auto Parts")
    return {**a, "weak": weak, "strong": strong, "tea": tea, "qn": questionnaire_of(version)}


def test_it_stores_the_headline_of_each_submitted_result_on_the_assessment_and_the_firm(scored):
    for assessment in (scored["weak"], scored["strong"]):
        result = Result.from_json(assessment.result)
        assert (assessment.overall_score, assessment.overall_band, assessment.weakest_area) == (
            result.overall,
            result.overall_band,
            result.weakest_area(),
        )
    firm = Firm.objects.get(pk=scored["tea"].pk)
    assert firm.latest_score == scored["strong"].overall_score
    assert firm.latest_band == scored["strong"].overall_band
    assert firm.latest_weakest == scored["strong"].weakest_area
    assert firm.latest_submitted_at == scored["strong"].submitted_at
    assert scored["weak"].overall_band == "fragile" and scored["strong"].overall_band != "fragile"


def test_it_filters_by_band_weakest_area_and_name_and_shows_the_stored_columns(scored):
    client, qn = scored["client"], scored["qn"]
    everyone = page_text(client)
    assert table_names(everyone) == ["Client of A", "Hubei Green Tea Co.", "Xiangyang Auto Parts"]
    assert f"<td>{scored['strong'].overall_score}</td>" in everyone
    assert tr(qn.bands[0].label, "en") in everyone  # the weak firm's band, by its label
    assert "None yet" in everyone  # the firm without an assessment

    fragile = page_text(client, band="fragile")
    assert table_names(fragile) == ["Client of A"]
    assert "1 firm matches these filters." in fragile
    strong_band = scored["strong"].overall_band
    assert table_names(page_text(client, band=strong_band)) == ["Hubei Green Tea Co."]

    weakest = scored["strong"].weakest_area
    shown = page_text(client, weakest=weakest)
    expected = sorted(
        name
        for name, a in (("Client of A", scored["weak"]), ("Hubei Green Tea Co.", scored["strong"]))
        if a.weakest_area == weakest
    )
    assert table_names(shown) == expected
    assert tr(qn.section(weakest).title, "en") in shown

    assert table_names(page_text(client, q="green TEA")) == ["Hubei Green Tea Co."]
    assert table_names(page_text(client, q="tea", band="fragile")) == []
    assert "No client firm matches these filters." in page_text(client, q="tea", band="fragile")


def test_it_counts_all_clients_and_their_bands_at_the_top(scored):
    page = page_text(scored["client"], q="tea")  # the counts are of all clients, not the filtered
    assert "3 client firms" in page and "2 with a submitted assessment" in page
    fragile = tr(scored["qn"].bands[0].label, "en")
    assert f'<a href="?band=fragile">{fragile} 1</a>' in page
    leading = scored["qn"].bands[-1]
    expected = 1 if scored["strong"].overall_band == leading.key else 0
    assert f'<a href="?band={leading.key}">{tr(leading.label, "en")} {expected}</a>' in page
    chinese = scored["client"].get(url("workspace", lang="zh-hans"), {"band": "fragile"}).content.decode()
    assert "3 家客户企业" in chinese and "其中 2 家已提交评估" in chinese and "1 家企业符合筛选条件。" in chinese


def test_it_keeps_the_filters_on_the_page_links(consultancy, version):
    a = consultancy["a"]
    weak = submitted_for(a["firm"], version, 0.0, days_ago=1).result
    strong = submitted_for(firm_create(organisation=a["org"], name="Zz strong"), version, 1.0, days_ago=1).result
    bulk_clients(a["org"], version, 120, [weak, strong])  # 60 fragile, 60 not
    first = page_text(a["client"], band="fragile")
    assert "61 firms match these filters." in first and "Page 1 of 2" in first
    assert 'href="?band=fragile&amp;page=2"' in first
    second = page_text(a["client"], band="fragile", page="2")
    names = table_names(second)
    assert len(names) == 11 and "Bulk 0118" in names and "Bulk 0119" not in names  # odd ones are strong
    assert 'href="?band=fragile&amp;page=1"' in second
    # page links are built from the cleaned filters only
    assert 'href="?band=fragile&amp;page=1"' in page_text(a["client"], band="fragile", page="2", junk="<x>")


@pytest.mark.parametrize(
    "params",
    [
        {"band": "superb"},
        {"weakest": "<script>alert(1)</script>"},
        {"page": "abc"},
        {"page": "-3"},
        {"page": "999999"},
        {"page": "1e9"},
        {"q": "x" * 101},
        {"q": "tea\x00"},
        {"band": ["fragile", "superb"]},
    ],
)
def test_it_never_fails_on_bad_parameters(scored, params):
    response = scored["client"].get(url("workspace"), params)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_it_drops_only_the_parameters_that_do_not_clean(scored):
    page = page_text(scored["client"], q="tea", band="superb")
    assert table_names(page) == ["Hubei Green Tea Co."]  # the search still applies
    assert "Select a valid choice" in page
    # a page past the end shows the last one
    assert table_names(page_text(scored["client"], page="7")) == [
        "Client of A",
        "Hubei Green Tea Co.",
        "Xiangyang Auto Parts",
    ]


def test_it_keeps_the_query_count_flat_from_30_to_300_clients(consultancy, version, django_assert_max_num_queries):
    a = consultancy["a"]
    results = [submitted_for(a["firm"], version, q, days_ago=1).result for q in (0.0, 0.5, 1.0)]
    bulk_clients(a["org"], version, 30, results, prefix="Small")
    requests = [{}, {"band": "fragile"}, {"weakest": "financing"}, {"q": "0012"}, {"page": "2"}]
    small = []
    for params in requests:
        with CaptureQueriesContext(connection) as queries:
            assert a["client"].get(url("workspace"), params).status_code == 200
        small.append(len(queries))
    bulk_clients(a["org"], version, 270, results, prefix="Large")
    for params, before in zip(requests, small, strict=True):
        with django_assert_max_num_queries(min(before, WORKSPACE_QUERIES)):
            page = a["client"].get(url("workspace"), params).content.decode()
        assert "301 client firms" in page


def test_it_updates_the_firm_when_its_assessment_is_reopened_and_submitted_again(consultancy, version):
    a = consultancy["a"]
    earlier = submitted_for(a["firm"], version, 1.0, days_ago=30)
    later = submitted_for(a["firm"], version, 0.0, days_ago=1)
    firm = Firm.objects.get(pk=a["firm"].pk)
    assert (firm.latest_band, firm.latest_submitted_at) == ("fragile", later.submitted_at)
    assert table_names(page_text(a["client"], band="fragile")) == ["Client of A"]

    # Reopened: the newest submitted one is the earlier assessment again.
    assert assessment_reopen(assessment=later)
    reopened = Assessment.objects.get(pk=later.pk)
    assert (reopened.overall_score, reopened.overall_band, reopened.weakest_area) == (None, "", "")
    firm.refresh_from_db()
    assert (firm.latest_band, firm.latest_score) == (earlier.overall_band, earlier.overall_score)
    assert table_names(page_text(a["client"], band="fragile")) == []

    # Submitted again (by the consultant, through the wizard's submit): its new result counts.
    a["client"].post(url("submit", later.public_id))
    resubmitted = Assessment.objects.get(pk=later.pk)
    assert resubmitted.status == "submitted" and resubmitted.overall_band == "fragile"
    firm.refresh_from_db()
    assert (firm.latest_band, firm.latest_score) == ("fragile", resubmitted.overall_score)
    assert table_names(page_text(a["client"], band="fragile")) == ["Client of A"]

    # The earlier one reopened too: no submitted assessment is left, the firm shows none.
    assessment_reopen(assessment=earlier)
    assessment_reopen(assessment=resubmitted)
    firm.refresh_from_db()
    assert (firm.latest_submitted_at, firm.latest_score, firm.latest_band, firm.latest_weakest) == (None, None, "", "")


def test_it_stores_the_columns_of_imported_and_replaced_assessments(chamber):
    qn = chamber["qn"]
    assessments_import(
        campaign=chamber["campaign"],
        user=None,
        filename="a.csv",
        data=csv_bytes(table(qn, 2)),
        messages_language="en",
        report_language="en",
    )
    # Firm 00000 answers again, with the answers of another generated firm: they replace its own.
    rows = table(qn, 1, start=7)
    rows[1][rows[0].index("firm_name")] = "Firm 00000"
    assessments_import(
        campaign=chamber["campaign"],
        user=None,
        filename="b.csv",
        data=csv_bytes(rows),
        messages_language="en",
        report_language="en",
        replace_rows=[2],
    )
    imported = list(Assessment.objects.filter(campaign=chamber["campaign"]).select_related("firm"))
    assert len(imported) == 2 and any(a.import_batch.filename == "b.csv" for a in imported)
    for assessment in imported:
        columns = (assessment.overall_score, assessment.overall_band, assessment.weakest_area, assessment.sector)
        assert tuple(value or None for value in columns) == headline(assessment.result)
        assert assessment.sector in ("primary", "secondary", "tertiary")
        assert assessment.overall_score is not None
        firm = assessment.firm
        assert (firm.latest_score, firm.latest_band, firm.latest_submitted_at) == (
            assessment.overall_score,
            assessment.overall_band,
            assessment.submitted_at,
        )


def test_it_fills_the_columns_of_existing_rows_in_the_migration(consultancy, version):
    a = consultancy["a"]
    earlier = submitted_for(a["firm"], version, 1.0, days_ago=30)
    later = submitted_for(a["firm"], version, 0.0, days_ago=1)
    # As rows stood before migration 0012: results without the columns, firms without latest.
    Assessment.objects.update(overall_score=None, overall_band="", weakest_area="")
    Firm.objects.update(latest_submitted_at=None, latest_score=None, latest_band="", latest_weakest="")
    migration = importlib.import_module("assessment.migrations.0012_result_columns")
    migration.fill_result_columns(apps, None)
    for before in (earlier, later):
        after = Assessment.objects.get(pk=before.pk)
        assert (after.overall_score, after.overall_band, after.weakest_area) == (
            before.overall_score,
            before.overall_band,
            before.weakest_area,
        )
        assert after.overall_score is not None
    firm = Firm.objects.get(pk=a["firm"].pk)
    assert (firm.latest_band, firm.latest_submitted_at) == ("fragile", later.submitted_at)
    other = Firm.objects.get(pk=consultancy["b"]["firm"].pk)  # no assessment: stays empty
    assert (other.latest_submitted_at, other.latest_band) == (None, "")


def test_it_fills_the_sector_of_existing_rows_in_the_migration(consultancy, version):
    a = consultancy["a"]
    submitted = submitted_for(a["firm"], version, 0.5, days_ago=3)
    assert submitted.sector == submitted.outcome.facts["sector"] != ""
    Assessment.objects.update(sector="")  # as rows stood before migration 0017
    migration = importlib.import_module("assessment.migrations.0017_assessment_sector")
    migration.fill_sector(apps, None)
    assert Assessment.objects.get(pk=submitted.pk).sector == submitted.outcome.facts["sector"]


@pytest.mark.parametrize(
    "snapshot",
    [
        None,
        {},
        {"scores": {"financing": {"score": 30}, "resilience": {"score": 30}, "innovation": {"score": None}}},
        {"scores": {"b": {"score": 10, "band": "fragile"}, "a": {"score": 55}}, "overall": 40, "overall_band": "x"},
        {"scores": {"a": "not a mapping", "b": {"score": 80}}, "overall": 80, "overall_band": "leading"},
        {"scores": {"a": {"score": 80}}, "facts": {"sector": "primary", "region": "east"}},
        {"facts": {"region": "east"}},
        {"facts": {"sector": "a sector no questionnaire names, longer than the column"}},
    ],
)
def test_it_reads_the_headline_of_any_snapshot_as_the_typed_result_does(snapshot):
    result = Result.from_json(snapshot)
    sector = result.facts.get("sector")
    sector = sector if sector in ("primary", "secondary", "tertiary") else None
    assert headline(snapshot) == (result.overall, result.overall_band, result.weakest_area(), sector)
