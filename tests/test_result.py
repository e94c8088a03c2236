"""The typed Result: what submission stores and every reader reads (issue 13)."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from assessment.bulk.services import assessments_import
from assessment.campaigns.selectors import standing_of
from assessment.campaigns.services import campaign_create
from assessment.models import Assessment
from assessment.questionnaire.result import PlannedAction, Result, build_result
from assessment.questionnaire.samples import sample_answers, sample_firm, sample_table
from assessment.selectors import questionnaire_of
from assessment.workspace.services import organisation_create


def test_it_stores_and_reads_back_the_same_result(shipped):
    qn = shipped
    for n in range(12):
        answers = sample_answers(qn, sample_firm(qn, n), quality=n / 12, seed=n)
        result = build_result(qn, answers)
        assert Result.from_json(result.to_json()) == result
        assert result.to_json()["actions"][0].keys() >= {"key", "tailoring", "level", "why", "after", "core"}


def test_it_reads_a_snapshot_from_before_severity_rules_and_writes_it_back_unchanged():
    old = {
        "scores": {"resilience": {"score": 40, "band": "developing", "counted": 6}},
        "overall": 40,
        "overall_band": "developing",
        "facts": {"sector": "tertiary"},
        "actions": [{"key": "res_backup", "tailoring": [1]}],
        "strengths": [],
    }
    result = Result.from_json(old)
    assert result.actions == (PlannedAction("res_backup", (1,)),)
    assert result.actions[0].level is None and result.actions[0].core
    assert result.score_of("resilience") == 40 and result.score_of("financing") is None
    assert result.to_json() == {**old, "support": [], "readiness": []}
    assert Result.from_json(None) == Result() and Result().weakest_area() is None


def test_it_names_the_weakest_area_ties_by_key():
    result = Result.from_json(
        {"scores": {"innovation": {"score": 30}, "financing": {"score": 30}, "resilience": {"score": None}}}
    )
    assert result.weakest_area() == "financing"


@pytest.fixture
def campaign(version, django_user_model):
    user = django_user_model.objects.create_user("chamber", password="a-long-password-1")
    organisation = organisation_create(user=user, name="Hubei Chamber", kind="association")
    today = timezone.localdate()
    return campaign_create(
        organisation=organisation,
        user=user,
        name="Autumn round",
        questionnaire=version,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=30),
    )


def _import(campaign, count, start, share):
    out = io.StringIO()
    qn = questionnaire_of(campaign.questionnaire)
    csv.writer(out).writerows(sample_table(qn, count, start=start, share=share))
    assessments_import(
        campaign=campaign, user=None, filename=f"{start}.csv", data=out.getvalue().encode(), language="en"
    )


@pytest.mark.django_db
def test_it_reads_a_members_percentile_against_sharing_members_only(campaign):
    # The association opens a sharing member's page; a private member's submission between two
    # readings must not move that percentile, or it would place the private member's score.
    _import(campaign, 6, start=0, share="yes")
    shared = list(Assessment.objects.filter(campaign=campaign).order_by("pk"))
    before = [standing_of(a) for a in shared]
    assert all(s is not None and s["count"] == 6 for s in before)
    _import(campaign, 3, start=100, share="no")
    assert [standing_of(a) for a in shared] == before
