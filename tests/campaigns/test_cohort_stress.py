"""The stress test across an association's cohort (issue 18 §1): shares of sharing members
whose runway is under 1 / 3 / 6 months, in the dashboard data and the cohort PDF."""

from assessment.campaigns.dashboard import build_dashboard
from assessment.questionnaire.samples import sample_answers
from assessment.selectors import questionnaire_of
from assessment.services import answers_save, assessment_submit
from tests.factories import PROFILE, STRESS_FIGURES, accept, invite, member, squash, text_of, url

# Six members with the restaurant's figures: three without loans or credit (-80 % for 3 months,
# 7.75 a month going out) holding 3.9, 19.4 and 19.4 in cash: runways of 0.5, 2.5 and 2.5 months;
# one at -50 % with 8 in cash (8 / 4.075 = 2 months); one at -30 % lasting beyond 12 months
# (0.825 a month going out of 22); the sixth gave no figures.
CASH = [3.9, 19.4, 19.4]


def test_it_shows_the_share_of_members_under_one_three_and_six_months(chamber, django_capture_on_commit_callbacks):
    campaign, qn = chamber["campaign"], questionnaire_of(chamber["campaign"].questionnaire)
    tokens = invite(campaign, django_capture_on_commit_callbacks, *(member(n) for n in range(6)))
    figures = [{**STRESS_FIGURES, "stress_loan_payments": 0, "stress_credit": 0, "stress_cash": cash} for cash in CASH]
    figures += [{**STRESS_FIGURES, "stress_drop": "50", "stress_cash": 8}, {**STRESS_FIGURES, "stress_drop": "30"}, {}]
    for n, extra in enumerate(figures):
        _, assessment = accept(tokens[f"m{n}@example.com"], share=True)
        answers_save(assessment=assessment, values={**sample_answers(qn, PROFILE, 0.5, seed=n), **extra})
        assert assessment_submit(assessment=assessment)
    data = build_dashboard(campaign, qn, "en")
    assert data.runway is not None and data.runway["n"] == 5
    # Under 1: one of five; under 3 and under 6: four of five.
    assert dict(data.runway["rows"]) == {"Under 1 month": 20, "Under 3 months": 80, "Under 6 months": 80}
    response = chamber["client"].get(url("campaign_dashboard_pdf", campaign.pk) + "?lang=zh-hans")
    assert response.status_code == 200
    text = squash(text_of(response.content))
    assert "压力测试：会员的现金能撑多久" in text and "不到3个月80%" in text and "在5家填了压力测试数字" in text
    page = chamber["client"].get(url("campaign_dashboard", campaign.pk)).content.decode()
    assert "Stress test: how long members&#x27;" in page or "Stress test: how long members'" in page
    assert "<td>Under 3 months</td><td>80%</td>" in page
