"""The stress test: how long the firm's cash lasts if revenue falls, from the owner's own figures.

Pure arithmetic, no ORM, no translation: the facts (facts.py), the report builder and the
cohort all call it. Every amount is in the unit the questionnaire asks for (CNY 10,000);
amounts are per month except cash on hand and unused credit.

The model is deliberately simple, and the report says so: revenue falls by the scenario's
share for its months, starting now, then comes back to normal; costs that move with sales
(the variable-cost share) follow revenue; fixed costs keep running, the paper's point
(002 §1(3)). Cash flows are spread evenly over a month, so the runway is interpolated
within the month in which the balance crosses zero. The horizon (12 months) and the
example cut of variable costs are this tool's own choices, not the paper's.

A lever is one thing the owner could change during the shock, each computed only from
the owner's own figures (a deferral is that cost not paid during the shock months, a
drawn credit line is the unused amount added to cash); no policy parameter is invented.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.questionnaire.definition import (
    STRESS_AMOUNTS,
    STRESS_DROP,
    STRESS_FIXED,
    STRESS_LEVERS,
    STRESS_MONTHS,
    STRESS_SHARE,
)

HORIZON = 12  # months looked ahead; a runway beyond it "lasts beyond the horizon"
WEEKS_PER_MONTH = 52 / 12
VARIABLE_CUT = 10  # this tool's example: variable costs cut by a further 10 % during the shock
MAX_AMOUNT = 1e9  # CNY 10,000, i.e. 10 trillion yuan: anything above is a typing mistake
DEFAULT_SCENARIO = (50, 3)  # revenue down 50 % for 3 months, when figures are given but no scenario
RISK_MONTHS = 3  # this tool's threshold: a runway under 3 months raises the cash actions


class InvalidFigures(ValueError):
    """A figure the arithmetic cannot use; `field` names it, `reason` says why (a code)."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason  # negative | not_a_number | too_large | over_100
        super().__init__(f"{field}: {reason}")


@dataclass(frozen=True)
class Figures:
    """The owner's monthly figures (CNY 10,000); a figure left empty counts as 0."""

    wages: float = 0.0
    social_insurance: float = 0.0
    rent: float = 0.0
    loan_payments: float = 0.0  # interest and principal due each month
    other_fixed: float = 0.0
    cash: float = 0.0  # cash on hand and in the bank (not per month)
    credit: float = 0.0  # approved credit not yet drawn (not per month)
    revenue: float = 0.0  # a normal month
    variable_share: float = 0.0  # percent of revenue spent on costs that follow sales, 0-100

    def __post_init__(self) -> None:
        for name in (*FIELDS, "variable_share"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
                raise InvalidFigures(name, "not_a_number")
            if value < 0:
                raise InvalidFigures(name, "negative")
            if math.isinf(value) or value > MAX_AMOUNT:
                raise InvalidFigures(name, "too_large")
        if self.variable_share > 100:
            raise InvalidFigures("variable_share", "over_100")

    @property
    def fixed(self) -> float:
        return self.wages + self.social_insurance + self.rent + self.loan_payments + self.other_fixed


FIELDS = ("wages", "social_insurance", "rent", "loan_payments", "other_fixed", "cash", "credit", "revenue")


@dataclass(frozen=True)
class Scenario:
    drop: float  # percent of revenue lost during the shock, 0-100
    months: int  # how long the shock lasts, from now

    def __post_init__(self) -> None:
        if isinstance(self.drop, bool) or not isinstance(self.drop, (int, float)) or math.isnan(self.drop):
            raise InvalidFigures("drop", "not_a_number")
        if not 0 <= self.drop <= 100:
            raise InvalidFigures("drop", "negative" if self.drop < 0 else "over_100")
        if isinstance(self.months, bool) or not isinstance(self.months, int) or not 1 <= self.months <= HORIZON:
            raise InvalidFigures("months", "too_large")


@dataclass(frozen=True)
class Relief:
    """What the owner changes during the shock months (the levers, alone or together)."""

    defer_loans: bool = False  # loan payments not paid during the shock (due later)
    rent_relief: bool = False  # rent waived or deferred during the shock
    social_insurance_relief: bool = False  # contributions waived or deferred during the shock
    draw_credit: bool = False  # the unused credit added to cash from the start
    variable_cut: float = 0.0  # percent by which variable costs are cut further during the shock


@dataclass(frozen=True)
class Month:
    month: int  # 1 = the first month from now
    shock: bool
    revenue: float
    variable_costs: float
    fixed_costs: float
    net: float  # what the month adds to (or takes from) cash
    cash: float  # balance at the end of the month (negative: a shortfall)
    cash_and_credit: float  # the same with the unused credit drawn at the start


@dataclass(frozen=True)
class Projection:
    figures: Figures
    scenario: Scenario
    months: tuple[Month, ...]
    runway: float | None  # months until cash runs out; None: lasts beyond the horizon
    runway_with_credit: float | None  # the same with the unused credit drawn

    @property
    def beyond_horizon(self) -> bool:
        return self.runway is None

    @property
    def runs_out_during_shock(self) -> bool:
        return self.runway is not None and self.runway < self.scenario.months


@dataclass(frozen=True)
class LeverGain:
    key: str  # one of definition.STRESS_LEVERS, or "all" for every lever together
    amount: float  # what the lever keeps in cash over the shock (or the credit drawn), CNY 10,000
    runway: float | None  # the runway with this lever; None: beyond the horizon
    weeks: int  # weeks gained (rounded); with `beyond`, at least this many
    beyond: bool  # with this lever the cash lasts beyond the horizon


def _month(figures: Figures, scenario: Scenario, relief: Relief, month: int) -> tuple[bool, float, float, float]:
    """(shock, revenue, variable costs, fixed costs) of one month."""
    shock = month <= scenario.months
    revenue = figures.revenue * (1 - scenario.drop / 100) if shock else figures.revenue
    variable = revenue * figures.variable_share / 100
    fixed = figures.fixed
    if shock:
        variable *= 1 - relief.variable_cut / 100
        if relief.defer_loans:
            fixed -= figures.loan_payments
        if relief.rent_relief:
            fixed -= figures.rent
        if relief.social_insurance_relief:
            fixed -= figures.social_insurance
    return shock, revenue, variable, fixed


def _runway(start: float, nets: list[float]) -> float | None:
    """When the balance first falls below zero, interpolated within that month; None if never."""
    balance = start
    for index, net in enumerate(nets):
        after = balance + net
        if after < 0 <= balance:
            return index + balance / (balance - after)
        balance = after
    return None


def project(figures: Figures, scenario: Scenario, relief: Relief = Relief(), horizon: int = HORIZON) -> Projection:
    """Cash month by month over the horizon under the scenario, and the runway."""
    start = figures.cash + (figures.credit if relief.draw_credit else 0)
    rows: list[Month] = []
    cash, with_credit = start, start + (0 if relief.draw_credit else figures.credit)
    for month in range(1, horizon + 1):
        shock, revenue, variable, fixed = _month(figures, scenario, relief, month)
        net = revenue - variable - fixed
        cash += net
        with_credit += net
        rows.append(Month(month, shock, revenue, variable, fixed, net, cash, with_credit))
    nets = [row.net for row in rows]
    return Projection(
        figures=figures,
        scenario=scenario,
        months=tuple(rows),
        runway=_runway(start, nets),
        runway_with_credit=_runway(start + (0 if relief.draw_credit else figures.credit), nets),
    )


def _relief(key: str) -> Relief:
    if key == "all":
        return Relief(True, True, True, True, VARIABLE_CUT)
    if key == "cut_variable_costs":
        return Relief(variable_cut=VARIABLE_CUT)
    return Relief(**{key: True})


def _amount(figures: Figures, scenario: Scenario, key: str) -> float:
    """What a lever is worth in cash, from the owner's own figures only."""
    months = scenario.months
    shock_revenue = figures.revenue * (1 - scenario.drop / 100)
    return {
        "defer_loans": figures.loan_payments * months,
        "rent_relief": figures.rent * months,
        "social_insurance_relief": figures.social_insurance * months,
        "draw_credit": figures.credit,
        "cut_variable_costs": shock_revenue * figures.variable_share / 100 * VARIABLE_CUT / 100 * months,
    }[key]


def levers(figures: Figures, scenario: Scenario, horizon: int = HORIZON) -> list[LeverGain]:
    """What each lever that applies to these figures adds to the runway, then all together.

    Empty when the cash lasts beyond the horizon anyway: no lever is needed. A lever worth
    nothing for this firm (no rent, no credit line) is left out.
    """
    base = project(figures, scenario, horizon=horizon).runway
    if base is None:
        return []
    gains = []
    for key in STRESS_LEVERS:
        amount = _amount(figures, scenario, key)
        if amount <= 0:
            continue
        gains.append(_gain(figures, scenario, key, amount, base, horizon))
    if len(gains) > 1:
        total = sum(g.amount for g in gains)
        gains.append(_gain(figures, scenario, "all", total, base, horizon))
    return gains


def _gain(figures: Figures, scenario: Scenario, key: str, amount: float, base: float, horizon: int) -> LeverGain:
    runway = project(figures, scenario, _relief(key), horizon).runway
    reached = horizon if runway is None else runway
    return LeverGain(key, amount, runway, round((reached - base) * WEEKS_PER_MONTH), runway is None)


# --- From the questionnaire's answers -----------------------------------------------------------


def as_number(value: Any) -> float | None:
    """A stored answer as a number, or None when it is empty or not a number."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number


def figures_from_answers(answers: Mapping[str, Any]) -> Figures | None:
    """The owner's figures, or None when too few were given to say anything.

    Cash on hand and at least one fixed cost are needed; any other figure left empty counts
    as 0 (the report says so). Raises InvalidFigures for a stored value the arithmetic cannot
    use (the form refuses those; an import or an old row might not).
    """
    if as_number(answers.get("stress_cash")) is None:
        return None
    if all(as_number(answers.get(key)) is None for key in STRESS_FIXED):
        return None
    values = {key: as_number(answers.get(key)) or 0.0 for key in (*STRESS_AMOUNTS, STRESS_SHARE)}
    return Figures(
        wages=values["stress_wages"],
        social_insurance=values["stress_social_insurance"],
        rent=values["stress_rent"],
        loan_payments=values["stress_loan_payments"],
        other_fixed=values["stress_other_fixed"],
        cash=values["stress_cash"],
        credit=values["stress_credit"],
        revenue=values["stress_revenue"],
        variable_share=values[STRESS_SHARE],
    )


def scenario_from_answers(answers: Mapping[str, Any]) -> tuple[Scenario, bool]:
    """The scenario the owner chose, and whether they chose it (else DEFAULT_SCENARIO)."""
    drop, months = as_number(answers.get(STRESS_DROP)), as_number(answers.get(STRESS_MONTHS))
    chosen = drop is not None and months is not None
    if drop is None:
        drop = DEFAULT_SCENARIO[0]
    if months is None:
        months = DEFAULT_SCENARIO[1]
    return Scenario(drop, int(months)), chosen


def runway_fact(answers: Mapping[str, Any]) -> float | None:
    """The fact `stress_runway_months`: the runway under the owner's scenario, capped at the
    horizon (a firm whose cash lasts beyond it gets HORIZON), rounded to 0.01; None when the
    figures are missing or unusable."""
    try:
        figures = figures_from_answers(answers)
        if figures is None:
            return None
        scenario, _ = scenario_from_answers(answers)
    except InvalidFigures:
        return None
    runway = project(figures, scenario).runway
    return float(HORIZON) if runway is None else round(runway, 2)
