"""The plan engine: severity, prerequisites, replaced advice, the core plan, readiness framing.

Pure: the small test questionnaire of tests/content.py with the 2026.2 plan fields added,
no database.
"""

from __future__ import annotations

import copy

import pytest

from assessment.content import content_files
from assessment.questionnaire.definition import HORIZONS, PRIORITIES, ContentError
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.questionnaire.plan import support_items, triggered_actions
from assessment.questionnaire.samples import sample_firm
from assessment.questionnaire.scoring import score
from tests.content import SRC, T, mini_answers, mini_raw


def _rec(key, area, priority="medium", horizon="3m", when=None, **extra):
    return {
        "key": key,
        "area": area,
        "title": T(key),
        "body": T("Do it."),
        "rationale": T("Because."),
        "priority": priority,
        "horizon": horizon,
        "sources": SRC,
        "when": when or {"question": f"{area[:3]}_yes", "in": ["no"]},
        **extra,
    }


def planned_raw() -> dict:
    raw = mini_raw("test-plan")
    raw["plan"] = {"core_max": 4}
    raw["recommendations"] = [
        _rec("res_cash", "resilience", "high", "now", {"question": "res_number", "lt": 5}),
        _rec(
            "res_customer",
            "resilience",
            "medium",
            "12m",
            {"question": "res_single", "in": ["o0", "o1"]},
            severity=[
                {"when": {"question": "res_single", "in": ["o1"]}, "level": "high", "why": T("One big customer.")},
                {"when": {"question": "res_single", "in": ["o0"]}, "level": "critical", "why": T("Over half.")},
            ],
        ),
        _rec("fin_books", "financing", "low", "12m", {"question": "fin_yes", "in": ["no"]}),
        _rec("fin_bank", "financing", "medium", "3m", {"question": "fin_single", "in": ["o0"]}, after=["fin_books"]),
        _rec("fin_guarantee", "financing", "high", "now", {"question": "fin_number", "lt": 5}, after=["fin_bank"]),
        _rec(
            "inn_budget",
            "innovation",
            "high",
            "3m",
            {"question": "inn_yes", "in": ["no"]},
            after=["res_cash"],
            later_when={"question": "res_number", "lt": 1},
        ),
        _rec("inn_general", "innovation", "medium", "3m", {"question": "inn_single", "in": ["o0"]}),
        _rec(
            "inn_specific", "innovation", "medium", "3m", {"question": "inn_number", "lt": 5}, replaces=["inn_general"]
        ),
        _rec("int_abroad", "internationalization", "medium", "12m", {"question": "int_yes", "in": ["no"]}, later=True),
    ]
    raw["support"] = [
        {"key": "always", "kind": "domestic", "title": T("Ask"), "body": T("Ask."), "sources": SRC},
        {
            "key": "guarantees",
            "kind": "domestic",
            "title": T("Guarantees"),
            "body": T("Ask."),
            "sources": SRC,
            "when": {"question": "fin_number", "lt": 5},
        },
        {
            "key": "sba",
            "kind": "benchmark",
            "title": T("SBA"),
            "body": T("US."),
            "sources": SRC,
            "when": {"score": "resilience", "gte": 90},
        },
    ]
    section = next(s for s in raw["sections"] if s["key"] == "internationalization")
    section["readiness"] = {
        "when": {"fact": "export_orientation", "in": ["domestic"]},
        "title": T("International readiness"),
        "note": T("Not in the overall score."),
    }
    return raw


@pytest.fixture(scope="module")
def planned():
    return parse_questionnaire(planned_raw())


def firm(level, **changes):
    """The mini answers at one level, with some answers changed."""
    answers = mini_answers(level)
    answers.update(changes)
    return answers


def plan(qn, answers):
    return triggered_actions(qn, answers, score(qn, answers))


def keys(actions, core=None):
    return [a.recommendation.key for a in actions if core is None or a.core == core]


def test_it_raises_an_action_by_the_severity_of_the_gap(planned):
    answers = firm("best", res_single="o0")
    [action] = plan(planned, answers)
    assert (action.recommendation.key, action.level, action.why) == ("res_customer", "critical", 1)
    answers = firm("best", res_single="o1")
    [action] = plan(planned, answers)
    assert (action.level, action.why) == ("high", 0)


def test_it_puts_a_critical_gap_before_any_high_one_of_a_weaker_area(planned):
    # Financing scores lowest, yet its high-priority action waits behind resilience's critical one.
    answers = firm("worst", res_single="o0", res_number=12, res_yes="yes", res_multi=["a", "b"])
    assert keys(plan(planned, answers))[0] == "res_customer"


def test_it_never_puts_an_action_before_its_prerequisites(planned):
    answers = firm("best", fin_yes="no", fin_single="o0", fin_number=0)
    actions = plan(planned, answers)
    assert keys(actions) == ["fin_books", "fin_bank", "fin_guarantee"]
    # The prerequisites take the level of what waits for them, and the plan says why.
    assert [a.level for a in actions] == ["high", "high", "high"]
    assert actions[2].after == ("fin_bank",)


def test_it_drops_advice_that_a_more_specific_action_replaces(planned):
    answers = firm("best", inn_single="o0", inn_number=0)
    assert keys(plan(planned, answers)) == ["inn_specific"]
    answers = firm("best", inn_single="o0")
    assert keys(plan(planned, answers)) == ["inn_general"]


def test_it_keeps_the_core_plan_short_and_puts_the_rest_later(planned):
    answers = firm("worst", export_plan="planned")
    actions = plan(planned, answers)
    core = keys(actions, core=True)
    # The critical gap, then the high ones; the guarantee needs books and a bank first.
    assert core == ["res_customer", "res_cash", "fin_books", "fin_bank"]
    assert set(keys(actions)) - set(core) == {"fin_guarantee", "inn_budget", "int_abroad", "inn_specific"}
    # Later ideas come after every core action.
    assert keys(actions)[:4] == core


def test_it_defers_an_action_while_its_condition_holds(planned):
    answers = firm("best", inn_yes="no", res_number=0)
    actions = plan(planned, answers)
    assert [(a.recommendation.key, a.core) for a in actions] == [("res_cash", True), ("inn_budget", False)]
    answers = firm("best", inn_yes="no", res_number=3)
    actions = plan(planned, answers)
    assert [(a.recommendation.key, a.core) for a in actions] == [("res_cash", True), ("inn_budget", True)]


def test_it_never_puts_a_low_level_action_in_the_core_plan(planned):
    answers = firm("best", fin_yes="no")
    [action] = plan(planned, answers)
    assert (action.recommendation.key, action.level, action.core) == ("fin_books", "low", False)


def test_it_leaves_a_readiness_area_out_of_the_overall_score(planned):
    answers = mini_answers("best")
    answers.update(int_single="o0", int_yes="no", int_number=0, int_multi=["none"])
    domestic = score(planned, answers)
    assert domestic.areas["internationalization"].readiness is True
    assert domestic.areas["internationalization"].score == 0
    assert domestic.overall == 100
    assert domestic.overall_band == "leading"
    exporting = score(planned, {**answers, "export_plan": "already", "int_detail": "o0"})
    assert exporting.areas["internationalization"].readiness is False
    assert exporting.overall == 75


def test_it_lists_the_support_that_fits_the_firm(planned):
    answers = firm("best", fin_number=0)
    assert support_items(planned, answers, score(planned, answers)) == ["always", "guarantees", "sba"]
    answers = firm("worst", fin_number=12)
    assert support_items(planned, answers, score(planned, answers)) == ["always"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda raw: raw["recommendations"][3].update(after=["nope"]), "unknown recommendation 'nope'"),
        (lambda raw: raw["recommendations"][2].update(after=["fin_guarantee"]), "prerequisites form a loop"),
        (lambda raw: raw["recommendations"][1]["severity"][0].update(level="urgent"), "level must be one of"),
        (lambda raw: raw.update(plan={"core_max": 0}), "plan.core_max"),
        (lambda raw: raw["support"][0].update(kind="grant"), "kind must be one of"),
        (
            lambda raw: raw["sections"][1].update(readiness=raw["sections"][4]["readiness"]),
            "only the internationalization",
        ),
    ],
)
def test_it_refuses_bad_plan_fields(change, message):
    raw = copy.deepcopy(planned_raw())
    change(raw)
    with pytest.raises(ContentError) as error:
        parse_questionnaire(raw)
    assert message in str(error.value)


def test_it_keeps_the_old_order_for_content_without_the_new_fields():
    """2026.1-style content: the plan is the old priority/horizon/area order, all of it core."""
    old = parse_questionnaire(load_yaml(content_files()[0].read_text(encoding="utf-8")))
    assert old.version == "2026.1"
    index = {r.key: i for i, r in enumerate(old.recommendations)}
    for seed in range(40):
        answers = sample_firm(old, seed)
        result = score(old, answers)
        actions = triggered_actions(old, answers, result)

        def before(a, result=result):
            rec = a.recommendation
            area = result.areas[rec.area].exact
            return (
                PRIORITIES.index(rec.priority),
                HORIZONS.index(rec.horizon),
                100.0 if area is None else area,
                index[rec.key],
            )

        assert keys(actions) == keys(sorted(actions, key=before))
        assert all(a.core and a.level == a.recommendation.priority and a.after == () for a in actions)
