"""The stress test's arithmetic (questionnaire.runway): pure, no database."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.questionnaire.runway import (
    HORIZON,
    MAX_AMOUNT,
    VARIABLE_CUT,
    WEEKS_PER_MONTH,
    Figures,
    InvalidFigures,
    Relief,
    Scenario,
    figures_from_answers,
    levers,
    project,
    runway_fact,
    scenario_from_answers,
)

# A small restaurant: 11 a month of fixed costs, 22 in the bank, 25 of revenue, 35 % food costs.
RESTAURANT = Figures(
    wages=6, social_insurance=1.5, rent=3, loan_payments=0, other_fixed=0.5, cash=22, revenue=25, variable_share=35
)
SHOCK = Scenario(drop=80, months=3)


def test_it_runs_the_cash_down_month_by_month_during_the_shock_and_back_up_after():
    projection = project(RESTAURANT, SHOCK)
    assert len(projection.months) == HORIZON
    first = projection.months[0]
    assert first.shock and first.revenue == pytest.approx(5)
    assert first.variable_costs == pytest.approx(1.75)  # variable costs follow revenue
    assert first.fixed_costs == pytest.approx(11)  # fixed costs keep running
    assert first.net == pytest.approx(5 - 1.75 - 11)
    assert first.cash == pytest.approx(22 - 7.75)
    fourth = projection.months[3]
    assert not fourth.shock and fourth.revenue == 25
    assert fourth.net == pytest.approx(25 * 0.65 - 11)  # a normal month earns 5.25


def test_it_interpolates_the_runway_within_the_month_the_cash_runs_out():
    projection = project(RESTAURANT, SHOCK)
    assert projection.runway == pytest.approx(22 / 7.75)  # 2.84 months
    assert projection.runs_out_during_shock
    assert not projection.beyond_horizon


def test_it_says_the_cash_lasts_beyond_the_horizon_when_it_never_runs_out():
    projection = project(RESTAURANT, Scenario(drop=30, months=1))
    assert projection.runway is None and projection.beyond_horizon
    assert levers(RESTAURANT, Scenario(drop=30, months=1)) == []  # no lever needed


def test_it_finds_a_runway_after_the_shock_for_a_firm_that_loses_money_in_normal_months():
    loss_maker = Figures(wages=10, cash=30, revenue=8)
    projection = project(loss_maker, Scenario(drop=50, months=1))
    # Month 1: 4 - 10 = -6 -> 24; then -2 a month: 24 / 2 = 12 more months, beyond the horizon.
    assert projection.runway is None
    shorter = project(Figures(wages=10, cash=10, revenue=8), Scenario(drop=50, months=1))
    assert shorter.runway == pytest.approx(1 + 4 / 2)
    assert not shorter.runs_out_during_shock


def test_it_handles_zero_revenue():
    projection = project(Figures(rent=2, cash=5), Scenario(drop=100, months=6))
    assert projection.runway == pytest.approx(2.5)
    assert all(m.revenue == 0 and m.variable_costs == 0 for m in projection.months)


def test_it_handles_zero_costs_and_zero_cash():
    assert project(Figures(), SHOCK).runway is None  # nothing goes out: never runs out
    assert project(Figures(rent=1), SHOCK).runway == 0  # no cash and costs to pay: out now
    assert levers(Figures(), SHOCK) == []


def test_it_handles_huge_numbers_without_overflow():
    big = Figures(wages=MAX_AMOUNT, cash=MAX_AMOUNT, revenue=MAX_AMOUNT, variable_share=100, credit=MAX_AMOUNT)
    projection = project(big, Scenario(drop=100, months=6))
    assert projection.runway == pytest.approx(1)
    assert projection.runway_with_credit == pytest.approx(2)
    assert all(math.isfinite(m.cash) for m in projection.months)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("rent", -1, "negative"),
        ("cash", float("nan"), "not_a_number"),
        ("wages", float("inf"), "too_large"),
        ("revenue", MAX_AMOUNT * 10, "too_large"),
        ("variable_share", 101, "over_100"),
        ("credit", "12", "not_a_number"),
        ("other_fixed", True, "not_a_number"),
    ],
)
def test_it_refuses_negative_or_absurd_figures_naming_the_field(field, value, reason):
    with pytest.raises(InvalidFigures) as excinfo:
        Figures(**{field: value})
    assert (excinfo.value.field, excinfo.value.reason) == (field, reason)


@pytest.mark.parametrize(("drop", "months"), [(-10, 3), (120, 3), (50, 0), (50, 13), (50, 2.5)])
def test_it_refuses_a_scenario_outside_its_range(drop, months):
    with pytest.raises(InvalidFigures):
        Scenario(drop=drop, months=months)


def test_it_shows_the_unused_credit_as_a_separate_line():
    figures = Figures(rent=2, cash=4, credit=6)
    projection = project(figures, Scenario(drop=100, months=6))
    assert projection.runway == pytest.approx(2)
    assert projection.runway_with_credit == pytest.approx(5)
    assert projection.months[0].cash_and_credit - projection.months[0].cash == pytest.approx(6)


def test_it_computes_each_lever_from_the_owners_own_figures_only():
    figures = Figures(
        wages=4, social_insurance=1, rent=2, loan_payments=1, cash=12, credit=3, revenue=10, variable_share=40
    )
    scenario = Scenario(drop=100, months=6)
    gains = {g.key: g for g in levers(figures, scenario)}
    # Revenue stops, so variable costs are 0 and cutting them further adds nothing: left out.
    assert set(gains) == {"defer_loans", "rent_relief", "social_insurance_relief", "draw_credit", "all"}
    base = 12 / 8  # 1.5 months
    assert gains["rent_relief"].runway == pytest.approx(12 / 6)
    assert gains["rent_relief"].amount == pytest.approx(2 * 6)  # rent not paid over the six shock months
    assert gains["rent_relief"].weeks == round((2 - base) * WEEKS_PER_MONTH)
    assert gains["defer_loans"].runway == pytest.approx(12 / 7)
    assert gains["social_insurance_relief"].runway == pytest.approx(12 / 7)
    assert gains["draw_credit"].runway == pytest.approx(15 / 8)
    assert gains["draw_credit"].amount == 3
    assert gains["all"].runway == pytest.approx(15 / 4)
    assert all(g.weeks > 0 and not g.beyond for g in gains.values())


def test_it_cuts_variable_costs_by_the_tools_example_share_during_the_shock_only():
    figures = Figures(wages=5, cash=6, revenue=10, variable_share=50)
    scenario = Scenario(drop=50, months=3)
    relief = project(figures, scenario, Relief(variable_cut=VARIABLE_CUT))
    assert relief.months[0].variable_costs == pytest.approx(5 * 0.5 * 0.9)
    assert relief.months[3].variable_costs == pytest.approx(10 * 0.5)
    gain = next(g for g in levers(figures, scenario) if g.key == "cut_variable_costs")
    assert gain.amount == pytest.approx(5 * 0.5 * 0.1 * 3)


def test_it_says_at_least_when_a_lever_carries_the_cash_beyond_the_horizon():
    figures = Figures(rent=5, cash=4, revenue=10, variable_share=0)
    scenario = Scenario(drop=100, months=1)  # out after 0.8 months; without rent it never runs out
    gain = next(g for g in levers(figures, scenario) if g.key == "rent_relief")
    assert gain.beyond and gain.runway is None
    assert gain.weeks == round((HORIZON - 0.8) * WEEKS_PER_MONTH)


def test_it_leaves_out_levers_worth_nothing_and_the_total_of_a_single_lever():
    gains = levers(Figures(rent=2, cash=1), Scenario(drop=100, months=3))
    assert [g.key for g in gains] == ["rent_relief"]


@given(
    figures=st.builds(
        Figures,
        wages=st.floats(0, 1e6),
        rent=st.floats(0, 1e6),
        loan_payments=st.floats(0, 1e6),
        cash=st.floats(0, 1e6),
        credit=st.floats(0, 1e6),
        revenue=st.floats(0, 1e6),
        variable_share=st.floats(0, 100),
    ),
    drop=st.sampled_from([30, 50, 80, 100]),
    months=st.sampled_from([1, 3, 6]),
)
def test_it_never_shortens_the_runway_with_a_lever_or_a_milder_shock(figures, drop, months):
    scenario = Scenario(drop, months)
    base = project(figures, scenario).runway
    reach = HORIZON if base is None else base
    for gain in levers(figures, scenario):
        assert (HORIZON if gain.runway is None else gain.runway) >= reach - 1e-9
        assert gain.weeks >= 0
    milder = project(figures, Scenario(max(0, drop - 30), months)).runway
    assert (HORIZON if milder is None else milder) >= reach - 1e-9
    if base is not None:
        assert 0 <= base <= HORIZON


# --- From the answers -------------------------------------------------------------------------

ANSWERS = {
    "stress_wages": 6,
    "stress_social_insurance": 1.5,
    "stress_rent": 3,
    "stress_other_fixed": 0.5,
    "stress_cash": 22,
    "stress_revenue": 25,
    "stress_variable_share": 35,
    "stress_drop": "80",
    "stress_months": "3",
}


def test_it_reads_the_figures_and_scenario_from_the_answers_with_empty_figures_as_zero():
    figures = figures_from_answers(ANSWERS)
    assert figures == Figures(
        wages=6, social_insurance=1.5, rent=3, other_fixed=0.5, cash=22, revenue=25, variable_share=35
    )
    assert scenario_from_answers(ANSWERS) == (Scenario(80, 3), True)
    assert runway_fact(ANSWERS) == pytest.approx(2.84)


def test_it_needs_cash_and_one_fixed_cost_before_saying_anything():
    assert figures_from_answers({}) is None
    assert runway_fact({"stress_cash": 10}) is None  # no cost at all
    assert runway_fact({"stress_rent": 2}) is None  # no cash figure
    assert runway_fact({"stress_rent": 2, "stress_cash": 0}) == 0


def test_it_uses_the_default_scenario_when_none_was_chosen_and_says_so():
    scenario, chosen = scenario_from_answers({"stress_drop": "100"})
    assert (scenario, chosen) == (Scenario(100, 3), False)
    assert scenario_from_answers({}) == (Scenario(50, 3), False)


def test_it_caps_the_fact_at_the_horizon_and_gives_none_for_unusable_stored_figures():
    assert runway_fact({**ANSWERS, "stress_drop": "30", "stress_months": "1"}) == HORIZON
    assert runway_fact({**ANSWERS, "stress_rent": -5}) is None
    assert runway_fact({**ANSWERS, "stress_variable_share": 250}) is None
