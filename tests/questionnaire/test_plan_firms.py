"""The 2026.2 action plan for realistic firms (issue 14): what comes first, what must not appear.

Pure: the shipped 2026.2 content file, scored and planned with the real engine, no database.
Each firm answers every question (the hidden ones are ignored by the engine, as on the page).
"""

from __future__ import annotations

from functools import cache

import pytest

from assessment.content import CONTENT_DIR
from assessment.questionnaire.definition import Questionnaire
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.questionnaire.plan import Action, support_items, triggered_actions
from assessment.questionnaire.rules import visible_questions
from assessment.questionnaire.scoring import ScoreResult, score

# A firm that does everything well; each firm below changes what is true of it.
BEST = {
    "res_cash_months": 8,
    "res_continuity_plan": "written_tested",
    "res_customer_concentration": "lt10",
    "res_supplier_alternatives": "two_tested",
    "res_customer_ties": "5",
    "res_expectations": ["staff", "customers", "suppliers", "bank"],
    "res_staff_flex": ["flexible_hours", "remote", "empowered"],
    "res_online_channels": "main_online",
    "res_insurance": ["property", "interruption", "liability"],
    "res_association": "yes",
    "res_succession": "ready",
    "fin_bookkeeping": "audited",
    "fin_main_bank": "close",
    "fin_cashflow_forecast": "yes",
    "fin_separate_money": "yes",
    "fin_credit_record": "clean_checked",
    "fin_channels": ["bank_loan", "guaranteed_loan"],
    "fin_guarantee": "used",
    "fin_relief_knowledge": ["social_insurance", "tax_fee", "loan_deferral", "special_loans"],
    "fin_renegotiation": "5",
    "fin_credit_headroom": 4,
    "inn_rd_share": 6,
    "inn_entry_point": "edge",
    "inn_adapt": "systematic",
    "inn_mode": "balanced",
    "inn_routine": ["owner", "budget", "review", "suggestions"],
    "inn_empower": "5",
    "inn_niche": "niche_leader",
    "inn_digital": ["finance_erp", "crm", "production_data", "data_analysis"],
    "inn_productivity": "automation",
    "inn_ip": ["invention", "trademark", "trademark_abroad"],
    "inn_cooperation": ["university", "large_firm", "peers"],
    "inn_new_share": 40,
    "int_bri_awareness": "5",
    "int_talent": "team",
    "int_standards": ["iso9001", "iso14001", "product_cert"],
    "int_target_market": "staged",
    "int_entry_mode": ["direct", "platform", "licensing"],
    "int_alliance": "alliance",
    "int_trade_barrier": "prepared",
    "int_fx": "hedging",
    "int_trade_finance": ["credit_insurance", "lc", "export_finance"],
    "int_political_risk": "systematic",
    "int_strategy": "reviewed",
    "int_concentration": "p0_30",
}

DOMESTIC = {"export_share": 0, "export_channel": "none", "export_plan": "no_plan"}

EXPORTER = {
    **BEST,
    **dict(firm_name="Dongguan electronics", industry="mfg_electronics", legal_form="company", province="guangdong"),
    **dict(employees=60, revenue=8000, total_assets=5000, growth_ambition="grow"),
    **dict(export_share=70, export_channel="direct", export_plan="already"),
    "res_cash_months": 0.5,
    "res_customer_concentration": "gt50",
    "res_continuity_plan": "informal",
    "res_supplier_alternatives": "one_tested",
    "res_customer_ties": "3",
    "res_expectations": ["staff", "customers"],
    "res_insurance": ["property"],
    "res_association": "no",
    "fin_bookkeeping": "monthly_accounts",
    "fin_main_bank": "occasional",
    "fin_cashflow_forecast": "no",
    "fin_credit_record": "clean_unchecked",
    "fin_channels": ["bank_loan"],
    "fin_guarantee": "heard",
    "fin_renegotiation": "2",
    "fin_credit_headroom": 0,
    "inn_rd_share": 0.8,
    "inn_adapt": "copy",
    "inn_niche": "some_focus",
    "inn_new_share": 8,
    "int_target_market": "developed_price",
    "int_trade_barrier": "aware",
    "int_fx": "watch",
    "int_trade_finance": ["lc"],
    "int_strategy": "in_head",
    "int_concentration": "p50_70",
}

MACHINERY = {
    **BEST,
    **dict(firm_name="Suzhou machinery", industry="mfg_machinery", legal_form="company", province="jiangsu"),
    **dict(employees=350, revenue=30000, total_assets=25000, growth_ambition="lead", **DOMESTIC),
    # It knows little about markets abroad: readiness, not a mark against the firm.
    "int_bri_awareness": "2",
}

RESTAURANT = {
    **BEST,
    **dict(firm_name="Wuhan restaurant", industry="hospitality", legal_form="company", province="hubei"),
    **dict(employees=12, revenue=300, total_assets=80, growth_ambition="steady", **DOMESTIC),
    "res_cash_months": 2,
    "res_continuity_plan": "informal",
    "res_customer_ties": "walk_in",
    "res_expectations": ["staff"],
    "res_online_channels": "some_online",
    "res_insurance": ["none"],
    "fin_bookkeeping": "agency_tax",
    "fin_main_bank": "occasional",
    "fin_cashflow_forecast": "no",
    "fin_credit_headroom": 0,
    "inn_rd_share": 0,
    "inn_adapt": "occasional",
    "inn_niche": "some_focus",
    "inn_ip": ["none"],
    "inn_new_share": 5,
    "int_bri_awareness": "1",
}

GROWER = {
    **BEST,
    **dict(firm_name="Yunnan tea garden", industry="crop_farming", legal_form="company", province="yunnan"),
    **dict(employees=25, revenue=600, total_assets=400, growth_ambition="grow"),
    **dict(export_share=0, export_channel="none", export_plan="exploring"),
    "res_cash_months": 4,
    "res_online_channels": "some_online",
    "fin_guarantee": "heard",
    "inn_adapt": "copy",
    "int_bri_awareness": "2",
    "int_talent": "none",
    "int_standards": ["none"],
    "int_target_market": "any_orders",
    "int_entry_mode": ["none"],
    "int_alliance": "alone",
    "int_strategy": "none",
    # Asked only of firms with foreign buyers of their own: an exploring firm never sees them.
    "int_trade_finance": ["none"],
    "int_fx": "none",
}

NOODLE_SHOP = {
    **BEST,
    **dict(firm_name="Noodle shop", industry="hospitality", legal_form="individual", province="henan"),
    **dict(employees=4, revenue=40, total_assets=10, growth_ambition="steady", **DOMESTIC),
    "res_cash_months": 1.5,
    "res_continuity_plan": "none",
    "res_customer_ties": "walk_in",
    "res_expectations": ["none"],
    "res_staff_flex": ["none"],
    "res_online_channels": "contact_only",
    "res_insurance": ["none"],
    "res_association": "no",
    "res_succession": "none",
    "fin_bookkeeping": "none",
    "fin_main_bank": "basic_only",
    "fin_cashflow_forecast": "no",
    "fin_separate_money": "no",
    "fin_credit_record": "clean_unchecked",
    "fin_channels": ["informal"],
    "fin_guarantee": "unknown",
    "fin_relief_knowledge": ["none"],
    "fin_renegotiation": "2",
    "fin_credit_headroom": 0,
    "inn_adapt": "none",
    "inn_digital": ["none"],
    "inn_ip": ["none"],
}

HIGH_TECH = {
    **BEST,
    **dict(firm_name="Beijing software", industry="software_it", legal_form="company", province="beijing"),
    **dict(employees=80, revenue=5000, total_assets=3000, growth_ambition="lead"),
    **dict(export_share=20, export_channel="direct", export_plan="already"),
}

EXPORT_RISK_ACTIONS = {
    "int_insure_export_credit",
    "int_manage_fx",
    "int_prepare_trade_defence",
    "int_assess_country_risk",
    "int_diversify_markets",
    "fin_use_trade_finance",
}


@cache
def content() -> Questionnaire:
    path = CONTENT_DIR / "questionnaire-2026.2.yaml"
    return parse_questionnaire(load_yaml(path.read_text(encoding="utf-8")))


def run(answers: dict) -> tuple[ScoreResult, list[Action]]:
    qn = content()
    result = score(qn, answers)
    return result, triggered_actions(qn, answers, result)


def keys(actions: list[Action]) -> list[str]:
    return [a.recommendation.key for a in actions]


def core(actions: list[Action]) -> list[str]:
    return [a.recommendation.key for a in actions if a.core]


def advice_text(action: Action) -> str:
    """Everything the owner reads for this action (en), lower-cased."""
    rec = action.recommendation
    parts = [rec.title["en"], rec.body["en"], *(rec.tailoring[i].text["en"] for i in action.tailoring)]
    return " ".join(parts).lower()


def why(action: Action) -> str | None:
    rec = action.recommendation
    if action.why is not None:
        return rec.severity[action.why].why["en"]
    return rec.why["en"] if rec.why else None


FIRMS = {
    "exporter": EXPORTER,
    "machinery": MACHINERY,
    "restaurant": RESTAURANT,
    "grower": GROWER,
    "noodle_shop": NOODLE_SHOP,
    "high_tech": HIGH_TECH,
}


@pytest.mark.parametrize("name", FIRMS)
def test_it_keeps_the_core_plan_short_and_says_why_each_action_is_there(name):
    _, actions = run(FIRMS[name])
    assert len(core(actions)) <= 10
    assert len(keys(actions)) == len(set(keys(actions)))
    for action in actions:
        if action.core:
            assert why(action), action.recommendation.key


def test_it_puts_the_exporters_cash_and_big_customer_first():
    result, actions = run(EXPORTER)
    assert result.facts["export_stage"] == "direct"
    plan = core(actions)
    assert plan[0] == "res_build_cash_buffer"
    first = {a.recommendation.key: a for a in actions[:4]}
    assert "res_reduce_customer_concentration" in first
    assert {a.level for a in first.values()} == {"critical"}
    assert why(first["res_build_cash_buffer"]) == "Your cash covers less than one month of fixed costs."
    assert "more than half" in why(first["res_reduce_customer_concentration"])
    # An innovation budget waits until the cash is there.
    assert "inn_set_innovation_budget" in keys(actions)
    assert "inn_set_innovation_budget" not in plan
    # Export credit insurance is advised once, by its own action, and after the urgent items.
    insurance = [a.recommendation.key for a in actions if "credit insurance" in advice_text(a)]
    assert insurance == ["int_insure_export_credit"]
    assert plan.index("int_insure_export_credit") > plan.index("res_reduce_customer_concentration")


def test_it_does_not_mark_down_a_domestic_firm_or_give_it_export_advice():
    result, actions = run(MACHINERY)
    assert result.facts["export_stage"] == "domestic"
    intl = result.areas["internationalization"]
    assert intl.readiness
    assert intl.exact is not None and intl.exact < 60
    assert result.overall == 100
    assert result.overall_band == "leading"
    abroad = [a for a in actions if a.recommendation.area == "internationalization"]
    assert keys(abroad) == ["int_consider_markets_abroad"]
    assert not abroad[0].core
    shown = {q.key for q in visible_questions(content(), MACHINERY, result.facts)}
    assert {k for k in shown if k.startswith("int_")} == {"int_bri_awareness", "int_note"}


def test_it_puts_fixed_cost_relief_near_the_top_for_a_restaurant():
    result, actions = run(RESTAURANT)
    assert result.facts["sector"] == "tertiary"
    plan = core(actions)
    assert "res_cut_fixed_costs" in plan[:3]
    assert "inn_set_innovation_budget" not in keys(actions)  # R&D share is not asked of restaurants
    assert "inn_protect_ip" not in plan
    assert not [k for k in plan if k.startswith("int_")]
    # Customer ties do not apply to walk-in trade: not scored, no advice.
    assert "res_customer_ties" not in result.ratios
    assert "res_deepen_customer_ties" not in keys(actions)
    assert "local_fixed_cost_relief" in support_items(content(), RESTAURANT, result)


def test_it_starts_an_exploring_grower_with_strategy_and_market_choice():
    result, actions = run(GROWER)
    assert result.facts["export_stage"] == "exploring"
    abroad = [k for k in core(actions) if k.startswith("int_")]
    assert abroad[:2] == ["int_write_strategy", "int_choose_target_market"]
    assert not EXPORT_RISK_ACTIONS & set(keys(actions))
    # Talent, certification and entry modes wait until there is a plan.
    assert not {"int_build_intl_talent", "int_get_certified", "int_widen_entry_modes"} & set(core(actions))
    assert "res_primary_market_access" in core(actions)
    assert "res_open_online_channel" not in keys(actions)  # replaced by the farm version
    assert "export_credit_insurance" not in support_items(content(), GROWER, result)


def test_it_gives_a_noodle_shop_separate_money_and_books_before_credit():
    result, actions = run(NOODLE_SHOP)
    assert result.facts["size_class"] == "micro"
    order = keys(actions)
    assert order.index("fin_separate_business_money") < order.index("fin_professionalise_books")
    assert order.index("fin_professionalise_books") < order.index("fin_choose_main_bank")
    assert order.index("fin_choose_main_bank") < order.index("fin_apply_credit_guarantee")
    plan = core(actions)
    assert "fin_apply_credit_guarantee" not in plan  # no books yet: guaranteed credit comes later
    assert "fin_arrange_standby_credit" not in plan
    assert "res_protect_household" in plan
    assert not [k for k in order if k.startswith("int_") and k != "int_consider_markets_abroad"]


def test_it_gives_a_strong_high_tech_exporter_no_urgent_items():
    result, actions = run(HIGH_TECH)
    assert result.overall == 100
    assert not [a for a in actions if a.level in ("critical", "high")]
    assert "res_cut_fixed_costs" not in keys(actions)
    assert "int_export_technology_and_brand" in core(actions)


def test_it_gives_an_indirect_exporter_intermediary_advice_not_export_risk_actions():
    firm = {
        **EXPORTER,
        **dict(firm_name="Shaoxing textiles", industry="mfg_textiles", province="zhejiang", export_share=40),
        "export_channel": "indirect",
    }
    result, actions = run(firm)
    assert result.facts["export_stage"] == "indirect"
    assert "int_look_beyond_intermediary" in keys(actions)
    assert not EXPORT_RISK_ACTIONS & set(keys(actions))
    shown = {q.key for q in visible_questions(content(), firm, result.facts)}
    assert "int_trade_finance" not in shown and "int_fx" not in shown
    assert "int_target_market" in shown


def test_it_raises_cash_flow_planning_for_a_medium_sized_firm():
    firm = {**MACHINERY, "fin_cashflow_forecast": "no"}
    result, actions = run(firm)
    assert result.facts["size_class"] == "medium"
    (forecast,) = [a for a in actions if a.recommendation.key == "fin_make_cashflow_forecast"]
    assert forecast.level == "high"  # its base priority is medium
    assert "medium-sized" in why(forecast)
    assert core(actions)[0] == "fin_make_cashflow_forecast"
