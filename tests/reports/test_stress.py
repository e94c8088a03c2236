"""The stress test in the report (issue 18 §1): the results page with its GET form, both PDFs."""

from __future__ import annotations

import html
import io

import pytest
from pypdf import PdfReader

from assessment.questionnaire.samples import sample_answers
from assessment.reports import pdf
from assessment.reports.builder import build_report, stress_section
from assessment.selectors import answers_of, questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit
from tests.factories import STRESS_FIGURES, owner_client, pdf_url, squash, text_of, url

RESTAURANT = {
    "firm_name": "武汉江城小厨餐饮有限公司",
    "industry": "hospitality",
    "province": "hubei",
    "employees": 12,
    "revenue": 300,
    "total_assets": 80,
    "legal_form": "company",
    "growth_ambition": "steady",
    "export_share": 0,
    "export_channel": "none",
    "export_plan": "no_plan",
}
FIGURES = {"res_cash_months": 2, **STRESS_FIGURES}


def text_of_page(response) -> str:
    """A page's HTML with entities decoded (the apostrophe of "tool's" is escaped)."""
    return html.unescape(response.content.decode())


def restaurant(version, figures: dict | None = FIGURES, lang: str = "zh-hans"):
    """The restaurant's submitted assessment, with or without its stress-test figures: (assessment, token)."""
    qn = questionnaire_of(version)
    answers = sample_answers(qn, RESTAURANT, 0.4, seed=2)
    answers.update(figures or {})
    assessment, token = assessment_create(version=version, owner=None, language=lang)
    answers_save(assessment=assessment, values=answers)
    assert assessment_submit(assessment=assessment)
    assessment.refresh_from_db()
    return assessment, token


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "zh-hans",
            ["压力测试：企业能撑多久？", "收入下降80%，持续3个月", "大约2.5个月（约11周）后用完", "本工具自定的警戒线"],
        ),
        (
            "en",
            [
                "Stress test: how long would your firm last?",
                "Revenue down 80% for 3 months",
                "runs out after about 2.5 months (about 11 weeks), before the shock is over",
                "this tool's own warning line",
            ],
        ),
    ],
)
def test_it_shows_the_runway_chart_table_and_levers_on_the_results_page(version, lang, texts):
    assessment, token = restaurant(version)
    assert assessment.result["facts"]["stress_runway_months"] == pytest.approx(2.46, abs=0.01)
    page = text_of_page(owner_client(assessment, token).get(url("results", assessment.public_id, lang=lang)))
    for text in texts:
        assert text in page, text
    assert 'id="stress"' in page and 'class="runway-chart"' in page and '<desc id="runway-desc">' in page
    assert '<table class="table table-sm stress-table">' in page  # the chart's numbers for screen readers
    qn = questionnaire_of(version)
    for lever in qn.stress.levers:
        assert lever.title[lang] in page, lever.key
    assert "002 §2(1)" in page and "002 §4(5)" in page and "002 §4(3)" in page
    # Deferring the loan payments of the three shock months (3.6) adds about two weeks.
    assert ("多撑2周" if lang == "zh-hans" else "+2 weeks") in page


def test_it_tries_another_scenario_from_the_get_form_without_saving_anything(version):
    assessment, token = restaurant(version)
    stored = assessment.result
    client = owner_client(assessment, token)
    page = text_of_page(client.get(url("results", assessment.public_id), {"drop": "100", "months": "6"}))
    assert "Revenue down 100% for 6 months" in page
    assert "it is not saved, and your plan follows the one you chose" in page
    assert "so the cash actions in your plan are raised" not in page  # only the saved scenario raises them
    assert '<option value="100" selected>' in page and '<option value="6" selected>' in page
    assert 'href="/en/a/' in page and "Back to the scenario you chose" in page
    assessment.refresh_from_db()
    assert assessment.result == stored
    assert answers_of(assessment)["stress_drop"] == "80"


def test_it_shows_the_saved_scenario_and_says_so_for_a_scenario_that_is_not_a_choice(version):
    assessment, token = restaurant(version)
    response = owner_client(assessment, token).get(url("results", assessment.public_id), {"drop": "45", "months": "3"})
    assert response.status_code == 200
    page = text_of_page(response)
    assert "That scenario is not one of the choices" in page and "Revenue down 80% for 3 months" in page


def test_it_shows_no_stress_section_for_a_firm_that_skipped_it(version):
    assessment, token = restaurant(version, figures={"res_cash_months": 2})
    assert "stress_runway_months" not in assessment.result["facts"]
    page = text_of_page(owner_client(assessment, token).get(url("results", assessment.public_id)))
    assert 'id="stress"' not in page and "Stress test" not in page
    data = pdf.render_pdf(build_report(assessment, questionnaire_of(version), answers_of(assessment), "en"), "full")
    assert "Stresstest:howlong" not in squash(text_of(data))


def test_it_shows_the_default_scenario_and_the_figures_counted_as_zero():
    from assessment.questionnaire.parser import load_yaml, parse_questionnaire
    from tests.content import shipped_text

    qn = parse_questionnaire(load_yaml(shipped_text()))
    answers = {"stress_rent": 2, "stress_cash": 5}
    from django.utils import translation

    with translation.override("en"):
        stress = stress_section(qn, answers, "en")
    assert stress is not None
    assert stress.scenario == "Revenue down 50% for 3 months"
    assert "this tool's default" in stress.scenario_note
    assert "Monthly wages" in stress.zero_note and "Monthly rent" not in stress.zero_note
    assert stress.runway.startswith("Under this scenario your cash runs out after about 2.5 months")
    assert [lever.key for lever in stress.levers] == ["rent_relief"]
    with translation.override("en"):
        assert stress_section(qn, {"stress_cash": 5}, "en") is None  # no cost given: nothing to say
        broken = stress_section(qn, {"stress_rent": -2, "stress_cash": 5}, "en")
    assert broken is not None and "cannot use the figure “Monthly rent”" in broken.problem


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_prints_one_stress_page_in_the_full_and_the_summary_pdf(version, lang):
    assessment, token = restaurant(version)
    client = owner_client(assessment, token)
    heading = "压力测试：企业能撑多久？" if lang == "zh-hans" else "Stress test: how long would your firm last?"
    runway = "大约2.5个月（约11周）后用完" if lang == "zh-hans" else "runs out after about 2.5 months (about 11 weeks)"
    qn = questionnaire_of(version)
    for variant in ("full", "summary"):
        response = client.get(pdf_url(assessment, lang, variant))
        assert response.status_code == 200
        reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
        pages = [squash(page.extract_text()) for page in reader.pages]
        stress_pages = [i for i, text in enumerate(pages) if squash(heading) in text]
        # The full report names it in its contents too; the section itself is one page of its own.
        section = [i for i in stress_pages if squash(runway) in pages[i]]
        assert len(section) == 1, (variant, stress_pages)
        text = pages[section[0]]
        for lever in qn.stress.levers:
            assert squash(lever.title[lang]) in text, (variant, lever.key)
        assert "002§2(1)" in text and "002§4(5)" in text and "002§3(2)" in text
        assert ("本工具自定的警戒线" if lang == "zh-hans" else "thistool'sownwarningline") in text
        following = pages[section[0] + 1] if section[0] + 1 < len(pages) else ""
        assert squash(runway) not in following and "\ufffd" not in text
    summary = client.get(pdf_url(assessment, lang, "summary"))
    assert len(PdfReader(io.BytesIO(b"".join(summary.streaming_content))).pages) <= 4  # three, and the stress page
