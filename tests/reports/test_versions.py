"""Assessments of 2026.1 stay as they were once a newer version is current: scored, opened, printed."""

import pytest

from assessment.content import content_files
from assessment.models import QuestionnaireVersion
from assessment.questionnaire.samples import sample_answers
from assessment.reports import pdf
from assessment.reports.builder import build_report
from assessment.selectors import answers_of, questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit, questionnaire_load
from tests.factories import FOOD_MAKER, squash, text_of


@pytest.fixture
def old_version(db):
    for path in content_files():
        questionnaire_load(path.read_text(encoding="utf-8"))
    assert QuestionnaireVersion.objects.get(is_current=True).version not in ("2026.1", "2026.2")
    return QuestionnaireVersion.objects.get(version="2026.1")


# What submission stored before the plan engine knew levels, the core plan or support.
def as_stored_before(result: dict) -> dict:
    old = {k: v for k, v in result.items() if k not in ("support", "readiness")}
    old["actions"] = [{"key": a["key"], "tailoring": a["tailoring"]} for a in result["actions"]]
    return old


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_prints_an_old_assessment_as_it_always_did(old_version, lang):
    qn = questionnaire_of(old_version)
    assessment, _ = assessment_create(version=old_version, owner=None, language=lang)
    answers_save(assessment=assessment, values=sample_answers(qn, FOOD_MAKER, 0.2, seed=3))
    assert assessment_submit(assessment=assessment)
    assessment.refresh_from_db()
    # Scored against its own version: all of the plan is core, in the old order, levels as priorities.
    actions = assessment.result["actions"]
    assert all(a["core"] and a["after"] == [] and a["why"] is None for a in actions)
    assessment.result = as_stored_before(assessment.result)
    report = build_report(assessment, qn, answers_of(assessment), lang)
    assert report.later == [] and report.support == [] and report.overall_note == ""
    assert all(a.why_first == "" for a in report.top_actions)
    assert [a.key for a in report.top_actions] == [a["key"] for a in actions[:5]]
    text = squash(text_of(pdf.render_pdf(report, "full")))
    assert ("按时间安排的行动计划" if lang == "zh-hans" else "Actionplanbytimehorizon") in text
    for absent in ("Supporttoseek", "可以寻求的支持", "Later/moreideas", "以后再做"):
        assert absent not in text
