"""Tagged, accessible PDFs (issue 19 §4): the report, the owner summary, the cohort report and
the poster carry a structure tree in reading order (headings, tables with header and data
cells, figures with a text alternative), the document language and a title, in zh and en.
The tree is read back with pypdf; the text of a tagged element comes from its marked content
(pdfplumber gives each character its marked-content id)."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import pdfplumber
import pytest
from django.test import Client
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

from assessment.campaigns import dashboard
from assessment.models import ReportFile
from assessment.questionnaire.samples import sample_answers
from assessment.reports import fingerprint, pdf
from assessment.reports import services as reports_services
from assessment.reports.builder import build_report
from assessment.selectors import answers_of, questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit
from tests.factories import (
    FOOD_MAKER,
    PROFILE,
    STRESS_FIGURES,
    accept,
    invite,
    member,
    open_campaign,
    squash,
    url,
)

LANGS = ["zh-hans", "en"]
PDF_LANG = {"zh-hans": "zh-Hans", "en": "en"}
REPORT_TITLE = {
    ("zh-hans", "full"): "行动报告",
    ("zh-hans", "summary"): "行动报告：企业主摘要",
    ("en", "full"): "Action report",
    ("en", "summary"): "Action report: owner summary",
}


@dataclass
class Element:
    """A structure element: its type (H1, Table, Figure…), /Alt, kids and marked-content text."""

    tag: str
    alt: str = ""
    kids: list[Element] = field(default_factory=list)
    text: str = ""

    def walk(self):
        yield self
        for kid in self.kids:
            yield from kid.walk()

    def find(self, tag: str) -> list[Element]:
        return [e for e in self.walk() if e.tag == tag]


@dataclass
class Tagged:
    lang: str
    title: str
    marked: bool
    root: Element


def read_tagged(data: bytes) -> Tagged:
    """The PDF's catalog entries and structure tree, each element with the text it marks."""
    reader = PdfReader(io.BytesIO(data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog, "the PDF is not tagged"
    pages = {page.indirect_reference.idnum: index for index, page in enumerate(reader.pages)}
    text: dict[tuple[int, int], str] = {}
    with pdfplumber.open(io.BytesIO(data)) as document:
        for index, page in enumerate(document.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (index, char["mcid"])
                    text[key] = text.get(key, "") + char["text"]

    def element(node: DictionaryObject, page: int | None) -> Element:
        if "/Pg" in node:
            page = pages[node.raw_get("/Pg").idnum]
        found = Element(tag=str(node["/S"]).lstrip("/"), alt=str(node.get("/Alt", "")))
        kids = node.get("/K", ArrayObject())
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, IndirectObject):
                kid = kid.get_object()
            if isinstance(kid, int):  # a marked-content id on the element's page
                found.text += text.get((page, kid), "")
            elif isinstance(kid, DictionaryObject) and "/S" in kid:
                child = element(kid, page)
                found.kids.append(child)
                found.text += child.text
        return found

    tree = catalog["/StructTreeRoot"]
    top = Element(tag="StructTreeRoot", kids=[element(kid.get_object(), None) for kid in tree["/K"]])
    for kid in top.kids:
        top.text += kid.text
    return Tagged(
        lang=str(catalog.get("/Lang", "")),
        title=str((reader.metadata or {}).get("/Title", "")),
        marked=bool(catalog.get("/MarkInfo", {}).get("/Marked")),
        root=top,
    )


def assert_tables_have_header_and_data_cells(tree: Element) -> None:
    tables = tree.find("Table")
    assert tables
    for table in tables:
        rows = table.find("TR")
        assert rows, "a table without rows"
        assert table.find("TH") and table.find("TD")
        for row in rows:
            assert all(cell.tag in ("TH", "TD") for cell in row.kids), [c.tag for c in row.kids]


def restaurant_with_stress_test(version, lang: str):
    """A submitted assessment with the stress-test figures (so the PDF has both charts)."""
    qn = questionnaire_of(version)
    assessment, _ = assessment_create(version=version, owner=None, language=lang)
    answers_save(assessment=assessment, values={**sample_answers(qn, FOOD_MAKER, 0.4, seed=2), **STRESS_FIGURES})
    assert assessment_submit(assessment=assessment)
    assessment.refresh_from_db()
    return assessment


@pytest.mark.parametrize("lang", LANGS)
def test_it_tags_the_report_and_the_summary_with_their_language_and_title(version, lang):
    assessment = restaurant_with_stress_test(version, lang)
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), lang)
    for variant in ("full", "summary"):
        tagged = read_tagged(pdf.render_pdf(report, variant))
        assert tagged.marked, variant
        assert tagged.lang == PDF_LANG[lang], variant
        assert tagged.title.startswith(f"{report.firm_name} · {REPORT_TITLE[lang, variant]} · "), tagged.title
        (h1,) = tagged.root.find("H1")
        assert squash(h1.text) == squash(report.firm_name)

        # Headings in reading order: the order of the report's sections.
        expected = [
            *(["目录" if lang == "zh-hans" else "Contents"] if variant == "full" else []),
            "概要" if lang == "zh-hans" else "Executive summary",
            *([report.stress and ("压力测试" if lang == "zh-hans" else "Stress test")] if variant == "full" else []),
            *([area.title for area in report.areas] if variant == "full" else []),
        ]
        headings = [squash(h2.text) for h2 in tagged.root.find("H2")]
        assert len(headings) >= len(expected)
        for heading, start in zip(headings, expected, strict=False):
            assert heading.startswith(squash(start)), (variant, headings)
        references = "参考文献" if lang == "zh-hans" else "References"
        assert references in headings, headings
        assert tagged.root.find("H3"), variant

        assert_tables_have_header_and_data_cells(tagged.root)


@pytest.mark.parametrize("lang", LANGS)
def test_it_says_in_words_what_each_chart_of_the_report_shows(version, lang):
    assessment = restaurant_with_stress_test(version, lang)
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), lang)
    for variant in ("full", "summary"):
        figures = read_tagged(pdf.render_pdf(report, variant)).root.find("Figure")
        assert len(figures) == 2, (variant, [f.alt for f in figures])  # the radar and the stress test's cash
        radar, runway = figures
        scores = "各领域得分（0-100）：" if lang == "zh-hans" else "Scores by area (0-100): "
        assert radar.alt.startswith(scores), radar.alt
        for area in report.areas:
            if area.score is not None:
                assert f"{area.title} {area.score}" in radar.alt, (area.title, radar.alt)
            assert area.band_label in radar.alt
        assert report.stress is not None
        assert runway.alt.startswith("逐月现金" if lang == "zh-hans" else "Cash month by month"), runway.alt
        assert squash(report.stress.runway.split("。")[0].split(". ")[0]) in squash(runway.alt), runway.alt


def test_it_tags_the_table_cells_with_their_headers(version):
    assessment = restaurant_with_stress_test(version, "en")
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), "en")
    reader = PdfReader(io.BytesIO(pdf.render_pdf(report, "summary")))
    cells = []

    def collect(node):
        node = node.get_object()
        if isinstance(node, DictionaryObject) and "/S" in node:
            if node["/S"] in ("/TD", "/TH"):
                cells.append(node)
            kids = node.get("/K", ArrayObject())
            for kid in kids if isinstance(kids, list) else [kids]:
                if isinstance(kid, (IndirectObject, DictionaryObject)):
                    collect(kid)

    for kid in reader.trailer["/Root"]["/StructTreeRoot"]["/K"]:
        collect(kid)
    ids = {str(cell["/ID"]) for cell in cells if cell["/S"] == "/TH"}
    data = [cell for cell in cells if cell["/S"] == "/TD"]
    assert ids and data
    # Every data cell names a header cell of its table: the cover's rows (scope="row") and the
    # score table's columns alike.
    for cell in data:
        headers = [str(h) for h in cell["/A"]["/Headers"]]
        assert headers and set(headers) <= ids, headers


@pytest.fixture
def cohort(chamber, django_capture_on_commit_callbacks):
    """Six members who share their results and submitted: the cohort PDF shows every figure."""
    campaign, qn = chamber["campaign"], chamber["qn"]
    tokens = invite(campaign, django_capture_on_commit_callbacks, *(member(n) for n in range(6)))
    for n in range(6):
        _, assessment = accept(tokens[f"m{n}@example.com"], share=True)
        answers_save(assessment=assessment, values=sample_answers(qn, PROFILE, 0.3 + n / 10, seed=n))
        assert assessment_submit(assessment=assessment)
    return chamber


@pytest.mark.parametrize("lang", LANGS)
def test_it_tags_the_cohort_pdf_with_its_language_headings_tables_and_charts_in_words(cohort, lang):
    campaign = cohort["campaign"]
    response = cohort["client"].get(url("campaign_dashboard_pdf", campaign.pk) + f"?lang={lang}")
    assert response.status_code == 200
    tagged = read_tagged(response.content)
    assert tagged.marked and tagged.lang == PDF_LANG[lang]
    assert tagged.title.startswith(f"{'群体报告' if lang == 'zh-hans' else 'Cohort report'} · {campaign.name} · ")
    (h1,) = tagged.root.find("H1")
    assert squash(h1.text) == squash(campaign.name)
    headings = [squash(h2.text) for h2 in tagged.root.find("H2")]
    participation, areas = ("参与情况", "各领域得分") if lang == "zh-hans" else ("Participation", "Scoresbyarea")
    assert headings[:2] == [participation, areas], headings
    assert_tables_have_header_and_data_cells(tagged.root)

    data = dashboard.build_dashboard(campaign, cohort["qn"], lang)
    figures = tagged.root.find("Figure")
    means, *histograms = figures
    assert means.alt.startswith("各领域平均分：" if lang == "zh-hans" else "Average score by area: "), means.alt
    for area in data.areas:
        assert f"{area['title']} {area['mean']}" in means.alt
    assert len(histograms) == len(data.areas)
    for histogram, area in zip(histograms, data.areas, strict=True):
        per_range = "，各分数段的企业数：" if lang == "zh-hans" else ", firms per score range: "
        colon = "：" if lang == "zh-hans" else ": "
        assert histogram.alt.startswith(area["title"] + per_range), histogram.alt
        for bucket, n in area["counts"]:
            assert f"{bucket}{colon}{n}" in histogram.alt


@pytest.mark.parametrize("lang", LANGS)
def test_it_tags_the_poster_and_names_what_its_code_leads_to(version, django_user_model, lang):
    user = django_user_model.objects.create_user("poster", password="a-long-password-1")
    _, campaign = open_campaign(user, "浙江省中小企业协会", "秋季调研", version)
    client = Client()
    client.force_login(user)
    response = client.get(url("campaign_poster", campaign.pk) + f"?lang={lang}")
    assert response.status_code == 200
    tagged = read_tagged(response.content)
    assert tagged.marked and tagged.lang == PDF_LANG[lang]
    assert tagged.title.startswith(f"{campaign.name} · ")
    (h1,) = tagged.root.find("H1")
    assert h1.text == campaign.name
    (code,) = tagged.root.find("Figure")
    qr_code = "活动链接的二维码：" if lang == "zh-hans" else "QR code of the campaign link: "
    assert code.alt.startswith(qr_code), code.alt
    assert code.alt.endswith(f"/{lang}/c/{campaign.link_token}/"), code.alt  # the link the code holds


def test_it_renders_stored_pdfs_again_when_the_pdf_options_change(version, monkeypatch):
    assessment, _ = assessment_create(version=version, owner=None, language="en")
    answers_save(assessment=assessment, values=sample_answers(questionnaire_of(version), FOOD_MAKER, 0.4, seed=2))
    assert assessment_submit(assessment=assessment)
    renders = []

    def counted(html):
        renders.append(html)
        return b"%PDF-1.7 stand-in"

    monkeypatch.setattr(pdf, "render_html_bounded", counted)
    reports_services.report_pdf(assessment=assessment, lang="en", variant="summary")
    reports_services.report_pdf(assessment=assessment, lang="en", variant="summary")
    assert len(renders) == 1  # stored, then reused
    monkeypatch.setattr(fingerprint, "PDF_OPTIONS", {**fingerprint.PDF_OPTIONS, "pdf_variant": "pdf/ua-1"})
    fingerprint.template_fingerprint.cache_clear()
    try:
        reports_services.report_pdf(assessment=assessment, lang="en", variant="summary")
    finally:
        monkeypatch.undo()
        fingerprint.template_fingerprint.cache_clear()
    assert len(renders) == 2
    assert ReportFile.objects.filter(assessment=assessment, language="en", variant="summary").count() == 1
