"""The content file: validation errors name the bad entry; the shipped content meets the brief."""

import copy
import re

import pytest

from assessment.questionnaire.definition import AREAS, ContentError
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.questionnaire.rules import visible_questions
from assessment.questionnaire.scoring import score
from tests.content import PROFILE, mini_raw, shipped_raw


def problems_of(raw) -> str:
    with pytest.raises(ContentError) as excinfo:
        parse_questionnaire(raw)
    return "\n".join(excinfo.value.problems)


def test_it_accepts_the_mini_content():
    assert parse_questionnaire(mini_raw()).version == "test-1"


def test_it_names_a_missing_translation():
    raw = mini_raw()
    del raw["sections"][1]["questions"][1]["text"]["zh-hans"]
    assert "question res_yes.text: missing translation 'zh-hans'" in problems_of(raw)


def test_it_names_a_duplicate_key():
    raw = mini_raw()
    raw["sections"][2]["questions"].append(copy.deepcopy(raw["sections"][2]["questions"][0]))
    assert "question fin_single: duplicate key" in problems_of(raw)


def test_it_names_a_missing_source():
    raw = mini_raw()
    del raw["sections"][1]["questions"][0]["sources"]
    raw["recommendations"][1]["sources"] = []
    problems = problems_of(raw)
    assert "question res_single: missing source" in problems
    assert "recommendation fin_low_score: missing source" in problems


def test_it_names_an_unknown_section_of_a_paper():
    raw = mini_raw()
    raw["recommendations"][0]["sources"] = [{"paper": "002", "section": "9(9)"}]
    assert "recommendation res_fix_single.sources[0]: unknown section '9(9)' of paper 002" in problems_of(raw)


def test_it_names_unknown_references_in_rules():
    raw = mini_raw()
    raw["recommendations"][0]["when"] = {"question": "res_nope", "in": ["o0"]}
    raw["recommendations"][1]["when"] = {"question": "fin_single", "in": ["o9"]}
    raw["recommendations"][2]["when"] = {"fact": "region", "in": ["northern"]}
    problems = problems_of(raw)
    assert "recommendation res_fix_single.when: unknown question 'res_nope'" in problems
    assert "recommendation fin_low_score.when: question fin_single has no option 'o9'" in problems
    assert "recommendation int_export_gap.when: fact region has no value 'northern'" in problems


def test_it_refuses_show_if_on_area_answers():
    raw = mini_raw()
    raw["sections"][2]["questions"][0]["show_if"] = {"question": "res_yes", "in": ["yes"]}
    assert "show_if may only use profile answers and facts" in problems_of(raw)


def test_it_refuses_scored_options_without_points_and_non_monotonic_bands():
    raw = mini_raw()
    del raw["sections"][1]["questions"][0]["options"][1]["points"]
    raw["sections"][1]["questions"][2]["bands"][2]["points"] = 0
    problems = problems_of(raw)
    assert "question res_single option o1: needs points" in problems
    assert "question res_number: bands need increasing min and non-decreasing points" in problems


def test_it_reports_yaml_syntax_errors():
    with pytest.raises(ContentError, match="not valid YAML"):
        load_yaml("version: [unclosed")


# -- the shipped content -------------------------------------------------------------


def test_it_ships_the_required_sections_and_counts(shipped):
    assert [s.key for s in shipped.sections] == ["profile", *AREAS, "stress"]
    for area in shipped.areas:
        assert sum(1 for q in area.questions if q.scored) >= 8, area.key
    assert len(shipped.recommendations) >= 30
    for area in AREAS:
        assert any(r.area == area for r in shipped.recommendations), area
    types = {q.type for q in shipped.questions.values() if q.scored}
    assert types == {"single", "multi", "scale", "number", "yesno"}


def test_it_cites_a_paper_section_for_every_scored_question_and_recommendation(shipped):
    for q in shipped.questions.values():
        if q.scored:
            assert q.sources, q.key
    for r in shipped.recommendations:
        assert r.sources, r.key
        for s in r.sources:
            assert s.section in shipped.papers[s.paper]["sections"]


def test_it_tailors_by_firm_facts_and_flags_cross_area_gaps(shipped):
    assert any(r.related_areas for r in shipped.recommendations)
    tailored = [r for r in shipped.recommendations if r.tailoring]
    assert len(tailored) >= 4
    facts_used = {m for r in tailored for t in r.tailoring for m in re.findall(r"'fact': '(\w+)'", str(t.when))}
    assert {"sector"} <= facts_used


def test_it_scores_the_shipped_content_100_for_best_and_0_for_worst(shipped):
    for plan in ("already", "no_plan"):
        answers = dict(PROFILE, export_plan=plan)
        worst, best = dict(answers), dict(answers)
        for q in visible_questions(shipped, answers, derive_facts(shipped, answers)):
            if not q.scored:
                continue
            if q.type == "number":
                best[q.key], worst[q.key] = q.bands[-1].min, q.bands[0].min
            else:
                ranked = sorted((o for o in q.options if not o.na), key=lambda o: o.points)
                worst[q.key] = [ranked[0].key] if q.type == "multi" else ranked[0].key
                best[q.key] = [o.key for o in ranked if o.points > 0] if q.type == "multi" else ranked[-1].key
        assert score(shipped, best).overall == 100
        assert score(shipped, worst).overall == 0


def test_it_can_trigger_every_recommendation(shipped):
    from tests.questionnaire.triggers import firing_answers

    for rec in shipped.recommendations:
        assert firing_answers(shipped, rec) is not None, rec.key


def test_it_copies_no_sentence_from_the_papers(shipped):
    from pathlib import Path

    seeds = Path(__file__).resolve().parents[3] / "shared" / "seeds"
    if not seeds.exists():
        pytest.skip("the papers are not next to this checkout")
    papers = re.sub(r"\s+", "", "".join(p.read_text(encoding="utf-8") for p in seeds.glob("*.txt")))
    # The reference list names the papers by their titles; everything else must be our own words.
    raw = str({k: v for k, v in shipped_raw().items() if k != "papers"})
    chinese_runs = set(re.findall(r"[\u4e00-\u9fff，、；：（）“”]{16,}", raw))
    copied = [run for run in chinese_runs if any(run[i : i + 16] in papers for i in range(len(run) - 15))]
    assert copied == []


# -- the unscored stress-test section (2026.3) ------------------------------------------


def stress_raw() -> dict:
    """The mini content with the shipped stress section and stress block added."""
    raw = mini_raw()
    raw["sections"].append(copy.deepcopy(next(s for s in shipped_raw()["sections"] if s["key"] == "stress")))
    raw["stress"] = copy.deepcopy(shipped_raw()["stress"])
    return raw


def test_it_accepts_an_unscored_section_after_the_areas_and_keeps_it_optional():
    qn = parse_questionnaire(stress_raw())
    section = qn.section("stress")
    assert not section.is_area and section not in qn.areas
    assert section.questions and all(not q.scored and not q.required for q in section.questions)
    assert qn.stress is not None and [lever.key for lever in qn.stress.levers] == [
        "defer_loans",
        "rent_relief",
        "social_insurance_relief",
        "draw_credit",
        "cut_variable_costs",
    ]


def test_it_refuses_an_extra_section_without_scored_false_or_out_of_place():
    raw = stress_raw()
    del raw["sections"][-1]["scored"]
    assert "sections[5] (stress): a section after the areas needs scored: false" in problems_of(raw)
    raw = stress_raw()
    raw["sections"].insert(1, raw["sections"].pop())
    assert "sections: must be, in this order" in problems_of(raw)
    raw = stress_raw()
    raw["sections"][1]["scored"] = False
    assert "sections[1] (resilience): only a section after the areas takes scored" in problems_of(raw)


def test_it_refuses_required_or_misnamed_questions_in_the_stress_section():
    raw = stress_raw()
    questions = raw["sections"][-1]["questions"]
    questions[0]["required"] = True
    questions[1]["key"] = "cash_now"
    problems = problems_of(raw)
    assert "question stress_wages: questions of an unscored section are optional" in problems
    assert "question cash_now: keys in stress start with stress_" in problems
    assert "section stress: question 'stress_social_insurance' is required" in problems


def test_it_refuses_stress_figures_the_arithmetic_cannot_use():
    raw = stress_raw()
    by_key = {q["key"]: q for q in raw["sections"][-1]["questions"]}
    by_key["stress_variable_share"]["max"] = 150
    by_key["stress_rent"]["min"] = -10
    by_key["stress_months"]["options"][0]["key"] = "24"
    problems = problems_of(raw)
    assert "question stress_variable_share: a share of revenue has max 100 or less" in problems
    assert "question stress_rent: must be a number question with min 0 or more" in problems
    assert "question stress_months option 24: option keys are whole numbers 1 to 12" in problems


def test_it_needs_every_lever_with_its_sources_and_the_block_with_the_section():
    raw = stress_raw()
    raw["stress"]["levers"].pop()
    raw["stress"]["levers"][0]["sources"] = []
    problems = problems_of(raw)
    assert "stress.levers: must give each of" in problems
    assert "stress lever defer_loans: missing source" in problems
    raw = stress_raw()
    del raw["stress"]
    assert "the stress section needs the stress block" in problems_of(raw)


def test_it_tests_the_runway_fact_as_a_number_and_never_in_show_if():
    raw = stress_raw()
    raw["recommendations"][0]["when"] = {"fact": "stress_runway_months", "in": ["short"]}
    raw["sections"][2]["questions"][0]["show_if"] = {"fact": "stress_runway_months", "lt": 3}
    problems = problems_of(raw)
    assert "fact stress_runway_months is a number, tested with lt, lte, gt or gte" in problems
    assert "show_if cannot use the fact stress_runway_months" in problems
    raw = stress_raw()
    raw["recommendations"][0]["when"] = {"fact": "stress_runway_months", "lt": 3}
    assert parse_questionnaire(raw).recommendations[0].when == {"fact": "stress_runway_months", "lt": 3}


def test_it_never_changes_a_score_with_the_stress_answers(shipped):
    answers = dict(PROFILE, export_plan="no_plan")
    for q in visible_questions(shipped, answers, derive_facts(shipped, answers)):
        if q.scored and q.type == "number":
            answers[q.key] = q.bands[1].min
        elif q.scored:
            answers[q.key] = [q.options[0].key] if q.type == "multi" else q.options[1].key
    before = score(shipped, answers)
    stressed = {
        **answers,
        "stress_wages": 50,
        "stress_rent": 20,
        "stress_cash": 1,
        "stress_revenue": 10,
        "stress_drop": "100",
        "stress_months": "6",
    }
    after = score(shipped, stressed)
    assert after.areas == before.areas and after.overall == before.overall
    assert after.ratios == before.ratios
    assert after.facts["stress_runway_months"] < 1
    assert "stress_runway_months" not in before.facts


def test_it_cites_a_paper_section_for_every_stress_question_and_lever(shipped):
    for q in shipped.section("stress").questions:
        assert q.sources and q.help, q.key
        assert "选填" in q.help["zh-hans"] and "Optional" in q.help["en"], q.key
    assert shipped.stress.sources
    for lever in shipped.stress.levers:
        assert lever.sources, lever.key
        for s in lever.sources:
            assert s.section in shipped.papers[s.paper]["sections"]
