"""Scoring, facts and the action plan: pure functions, no database."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.questionnaire.definition import AREAS
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.parser import parse_questionnaire
from assessment.questionnaire.plan import strengths, triggered_actions
from assessment.questionnaire.rules import missing_questions, visible_questions
from assessment.questionnaire.samples import sample_answers
from assessment.questionnaire.scoring import question_ratio, score
from tests.content import PROFILE, mini_answers, mini_raw


def test_it_gives_100_for_all_best_answers(mini):
    result = score(mini, mini_answers("best", export_plan="already"))
    assert {a: result.areas[a].score for a in AREAS} == dict.fromkeys(AREAS, 100)
    assert result.overall == 100
    assert result.overall_band == "leading"


def test_it_gives_0_for_all_worst_answers(mini):
    result = score(mini, mini_answers("worst", export_plan="already"))
    assert {a: result.areas[a].score for a in AREAS} == dict.fromkeys(AREAS, 0)
    assert result.overall == 0
    assert result.overall_band == "fragile"


def test_it_weights_questions_and_normalises_each_to_its_best_points(mini):
    answers = mini_answers("worst")
    answers.update(res_single="o1", res_yes="yes", res_number=5, res_multi=["a"])
    # weights: single 2, yes 1, number 1, multi 1 -> (2*0.5 + 1 + 0.5 + 0.5) / 5 = 0.6
    assert score(mini, answers).areas["resilience"].score == 60


def test_it_leaves_not_applicable_out_of_numerator_and_denominator(mini):
    answers = mini_answers("worst")
    answers.update(res_single="na", res_yes="yes")
    area = score(mini, answers).areas["resilience"]
    # only yes (1/1), number (0) and multi (0) count: 1/3
    assert area.counted == 3
    assert area.score == 33


def test_it_leaves_hidden_questions_out(mini):
    answers = mini_answers("best", export_plan="no_plan")
    answers["int_detail"] = "o0"  # stored from an earlier profile, now hidden
    result = score(mini, answers)
    assert "int_detail" not in result.ratios
    assert result.areas["internationalization"].score == 100


def test_it_counts_the_hidden_question_once_it_applies(mini):
    answers = mini_answers("best", export_plan="planned")
    answers["int_detail"] = "o0"
    # 2 + 1 + 1 + 1 weighted best, detail 0 of weight 1: 5/6
    assert score(mini, answers).areas["internationalization"].score == 83


def test_it_caps_multiple_choice_at_the_best_total(mini):
    q = mini.questions["res_multi"]
    assert question_ratio(q, ["a", "b"]) == 1
    assert question_ratio(q, ["a"]) == 0.5
    assert question_ratio(q, ["none"]) == 0


def test_it_uses_number_bands(mini):
    q = mini.questions["res_number"]
    assert [question_ratio(q, v) for v in (0, 4.9, 5, 9, 10, 100)] == [0, 0, 0.5, 0.5, 1, 1]


def test_it_has_no_score_for_an_unanswered_area(mini):
    result = score(mini, dict(PROFILE))
    assert result.areas["financing"].score is None
    assert result.overall is None


def test_it_derives_size_class_by_the_2011_standard(mini):
    def size(industry, **values):
        answers = {**PROFILE, "industry": industry, **values}
        return derive_facts(mini, answers).get("size_class")

    # industry: medium needs >= 300 staff AND >= 2000 (10k CNY) revenue
    assert size("mfg_machinery", employees=300, revenue=2000) == "medium"
    assert size("mfg_machinery", employees=300, revenue=1999) == "small"
    assert size("mfg_machinery", employees=19, revenue=50000) == "micro"
    assert size("mfg_machinery", employees=1000, revenue=40000) == "large"
    # retail: small from 10 staff and 100 revenue
    assert size("retail", employees=10, revenue=100) == "small"
    assert size("retail", employees=9, revenue=100) == "micro"
    # agriculture uses revenue only
    assert size("crop_farming", employees=1, revenue=500) == "medium"
    # construction uses revenue and total assets
    assert size("construction", revenue=6000, total_assets=4999) == "small"
    # unknown while a needed measure is unanswered
    assert size("retail", employees=None) is None


def test_it_derives_sector_region_and_export_orientation(mini):
    facts = derive_facts(mini, {**PROFILE, "industry": "mfg_textiles", "province": "zhejiang", "export_share": 20})
    assert facts["sector"] == "secondary"
    assert facts["region"] == "eastern"
    assert facts["export_orientation"] == "exporting"
    assert derive_facts(mini, {**PROFILE, "province": "henan"})["region"] == "central"
    assert derive_facts(mini, {**PROFILE, "export_plan": "exploring"})["export_orientation"] == "planning"
    assert derive_facts(mini, PROFILE)["export_orientation"] == "domestic"


def test_it_shows_detailed_questions_only_to_exporters(mini):
    domestic = {q.key for q in visible_questions(mini, PROFILE, derive_facts(mini, PROFILE))}
    planning = {**PROFILE, "export_plan": "planned"}
    assert "int_detail" not in domestic
    assert "int_detail" in {q.key for q in visible_questions(mini, planning, derive_facts(mini, planning))}


def test_it_lists_missing_required_questions_but_not_optional_ones(mini):
    answers = mini_answers("best")
    del answers["fin_yes"]
    missing = [q.key for q in missing_questions(mini, answers, derive_facts(mini, answers))]
    assert missing == ["fin_yes"]


def test_it_triggers_recommendations_with_tailoring_in_priority_order(mini):
    answers = mini_answers("worst", export_plan="planned")
    result = score(mini, answers)
    actions = triggered_actions(mini, answers, result)
    assert [a.recommendation.key for a in actions] == ["res_fix_single", "int_export_gap", "fin_low_score", "inn_small"]
    assert actions[0].tailoring == (0,)  # retail is tertiary
    assert actions[1].recommendation.related_areas == ("financing",)


def test_it_triggers_nothing_for_the_best_answers(mini):
    answers = mini_answers("best", export_plan="planned")
    assert triggered_actions(mini, answers, score(mini, answers)) == []


def test_it_does_not_trigger_on_hidden_or_not_applicable_answers(mini):
    answers = mini_answers("best")
    answers.update(int_detail="o0", res_single="na")  # hidden for a domestic firm; n/a
    assert triggered_actions(mini, answers, score(mini, answers)) == []


def test_it_lists_full_mark_answers_as_strengths(mini):
    answers = mini_answers("worst")
    answers.update(res_yes="yes", fin_number=10)
    assert strengths(mini, score(mini, answers)) == ["res_yes", "fin_number"]


# -- property: a better answer never lowers any score --------------------------------

MINI = parse_questionnaire(mini_raw())
AREA_QUESTIONS = [q for s in MINI.areas for q in s.questions if q.scored]


def _value_strategy(q):
    if q.type == "number":
        return st.integers(min_value=0, max_value=100)
    if q.type == "multi":
        return st.sampled_from([["none"], ["a"], ["b"], ["a", "b"]])
    return st.sampled_from([o.key for o in q.options])


answers_strategy = st.fixed_dictionaries(
    {q.key: _value_strategy(q) for q in AREA_QUESTIONS},
).map(lambda d: {**PROFILE, "export_plan": "planned", **d})


def _better(q, value, data):
    if q.type == "number":
        return data.draw(st.integers(min_value=value, max_value=100))
    current = question_ratio(q, value)
    if q.type == "multi":
        choices = [c for c in (["none"], ["a"], ["b"], ["a", "b"]) if question_ratio(q, c) >= current]
    else:
        option = q.option(value)
        if option.na:
            return value
        choices = [o.key for o in q.options if not o.na and question_ratio(q, o.key) >= current]
    return data.draw(st.sampled_from(choices))


@settings(max_examples=300, deadline=None)
@given(answers=answers_strategy, data=st.data())
def test_it_never_lowers_a_score_for_a_better_answer(answers, data):
    q = data.draw(st.sampled_from(AREA_QUESTIONS))
    better = dict(answers)
    better[q.key] = _better(q, answers[q.key], data)
    before, after = score(MINI, answers), score(MINI, better)
    for area in AREAS:
        assert after.areas[area].exact >= before.areas[area].exact - 1e-9
        assert after.areas[area].score >= before.areas[area].score
    assert after.overall >= before.overall


@settings(max_examples=100, deadline=None)
@given(quality=st.floats(min_value=0, max_value=1), seed=st.integers(0, 10_000))
def test_it_keeps_every_score_between_0_and_100_on_the_shipped_content(shipped, quality, seed):
    answers = sample_answers(shipped, {**PROFILE, "export_plan": "planned"}, quality, seed)
    result = score(shipped, answers)
    for area in AREAS:
        assert 0 <= result.areas[area].score <= 100


def test_it_classes_business_services_by_staff_and_total_assets(shipped):
    answers = {**PROFILE, "industry": "business_services", "employees": 150, "total_assets": 50}
    assert derive_facts(shipped, answers)["size_class"] == "micro"
    answers["total_assets"] = 8000
    assert derive_facts(shipped, answers)["size_class"] == "medium"


def test_it_treats_not_applicable_in_multiple_choice_as_no_answer(shipped):
    answers = sample_answers(shipped, {**PROFILE, "export_plan": "planned"}, 0.9, seed=1)
    answers["fin_channels"] = ["no_need"]
    result = score(shipped, answers)
    assert "fin_channels" not in result.ratios
    keys = {a.recommendation.key for a in triggered_actions(shipped, answers, result)}
    assert "fin_widen_formal_channels" not in keys
    answers["fin_channels"] = ["bank_loan", "trade_finance"]  # 3 points: the cap
    assert score(shipped, answers).ratios["fin_channels"] == 1
