"""The PDF report: content in both languages, fonts, storage, downloads, and fetch safety."""

import http.server
import importlib.util
import io
import itertools
import multiprocessing
import os
import re
import signal
import threading
import time
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.test import Client
from pypdf import PdfReader

from assessment.models import ReportFile
from assessment.reports import pdf
from assessment.reports.builder import build_report
from assessment.selectors import answers_of, questionnaire_of
from assessment.services import assessment_create
from tests.factories import FOOD_MAKER, owner_client, pdf_url, squash, submitted, text_of


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_puts_firm_scores_actions_and_citations_in_the_pdf(version, lang):
    assessment, token = submitted(version)
    response = owner_client(assessment, token).get(pdf_url(assessment, lang, "full"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    text = squash(text_of(data))
    assert "成都蓉城食品有限公司" in text
    result = assessment.result
    assert f"{result['overall']}/100" in text
    for area in result["scores"].values():
        assert str(area["score"]) in text
    qn = questionnaire_of(version)
    for action in result["actions"]:
        rec = qn.recommendation(action["key"])
        assert squash(rec.title[lang]) in text, rec.key
        for source in rec.sources:
            assert f"{source.paper}§{source.section}" in text
    heading = "核心行动计划" if lang == "zh-hans" else "Yourcoreplan"
    assert heading in text
    later = [a for a in result["actions"] if not a["core"]]
    assert later and ("以后再做/更多建议" if lang == "zh-hans" else "Later/moreideas") in text
    assert "\ufffd" not in text  # no missing glyphs


def test_it_embeds_only_font_subsets(version):
    assessment, _ = submitted(version)
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), "zh-hans")
    reader = PdfReader(io.BytesIO(pdf.render_pdf(report, "full")))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts[font["/BaseFont"]] = font
    assert fonts
    for name in fonts:
        assert re.match(r"^/[A-Z]{6}\+", name), f"{name} is not a subset"
    assert any("ReportSans" in name for name in fonts)


def embedded_fonts(data: bytes) -> set[str]:
    """Font names without their subset tag, e.g. {"ReportSans", "ReportSans-Bold"}."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    return names


def test_it_embeds_only_the_first_font_file_when_the_text_is_ours_and_latin(version):
    assessment, _ = submitted(version, profile={**FOOD_MAKER, "firm_name": "Chengdu Rongcheng Foods Co., Ltd."})
    for lang in ("zh-hans", "en"):
        report = build_report(assessment, questionnaire_of(version), answers_of(assessment), lang)
        assert embedded_fonts(pdf.render_pdf(report, "full")) == {"ReportSans", "ReportSans-Bold"}, lang


def test_it_draws_rare_name_characters_and_boxes_only_what_no_font_has(version):
    # 磊 is a common GB2312 character, 鑫 a rarer one, 堃 is outside GB2312 (system CJK font);
    # no font has the rocket, which must not garble the rest of the text layer.
    name = "成都磊鑫堃\U0001f680食品有限公司"
    assessment, _ = submitted(version, profile={**FOOD_MAKER, "firm_name": name})
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), "zh-hans")
    data = pdf.render_pdf(report, "full")
    text = squash(text_of(data))
    assert "成都磊鑫堃\u25a1食品有限公司" in text
    assert "行动计划" in text and "\ufffd" not in text
    assert {"ReportSans", "ReportSans2", "ReportSans3"} <= embedded_fonts(data)


def test_it_has_every_character_of_our_own_texts_in_the_first_font_file():
    # Fails when a text gains a character the shipped font lacks: run scripts/build_fonts.py.
    from django.conf import settings
    from fontTools.ttLib import TTFont

    spec = importlib.util.spec_from_file_location("build_fonts", Path(settings.BASE_DIR, "scripts", "build_fonts.py"))
    build_fonts = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build_fonts)
    wanted = {c for c in build_fonts.text_characters() if unicodedata.category(chr(c))[0] in "LNPS"}
    for weight in build_fonts.WEIGHTS:
        cmap = TTFont(Path(settings.BASE_DIR, "static", "fonts", f"ReportSans-{weight}.otf")).getBestCmap()
        missing = sorted(chr(c) for c in wanted - cmap.keys())
        assert not missing, f"ReportSans-{weight} lacks {''.join(missing)}"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_keeps_every_character_inside_the_page_margins(version, lang):
    import pdfplumber

    assessment, _ = submitted(version, quality=0.5)
    earlier, _ = submitted(version, quality=0.2)  # a progress section, two columns like the areas
    qn = questionnaire_of(version)
    report = build_report(assessment, qn, answers_of(assessment), lang, previous=earlier)
    margin = 16 / 25.4 * 72  # report.css: @page margin 16 mm left and right
    for variant in pdf.VARIANTS:
        with pdfplumber.open(io.BytesIO(pdf.render_pdf(report, variant))) as document:
            for number, page in enumerate(document.pages, 1):
                assert page.chars
                right = max(char["x1"] for char in page.chars)
                left = min(char["x0"] for char in page.chars)
                assert left >= margin - 1 and right <= page.width - margin + 1, (variant, number, left, right)
                assert not overlapping(page.chars), (variant, number, overlapping(page.chars))


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_fits_every_area_name_in_its_plan_table_cell(version, lang):
    import pdfplumber

    assessment, _ = submitted(version, quality=0.1)  # actions in every area
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), lang)
    # The plan table lists the core plan: the areas of its actions, the longest name among them.
    titles = {squash(a.area_title) for _, _, actions in report.plan for a in actions}
    assert squash(report.areas[-1].title) in titles  # "Internationalization", the widest
    for variant in pdf.VARIANTS:
        seen = set()
        with pdfplumber.open(io.BytesIO(pdf.render_pdf(report, variant))) as document:
            for page in document.pages:
                for table in page.extract_tables():
                    header = [squash(cell or "") for cell in table[0]]
                    if "Area" not in header and "领域" not in header:
                        continue
                    column = header.index("Area" if lang == "en" else "领域")
                    # A word too long for its cell runs into the next one, and comes out split.
                    cells = {squash(row[column]) for row in table[1:] if row[column]}
                    assert cells <= titles, (variant, cells - titles)
                    seen |= cells
        assert seen == titles, variant


def overlapping(chars) -> list[str]:
    """Characters drawn over the one before them on the same line: text that ran out of its
    box (a table cell too narrow for a word) into its neighbour's, or hidden text."""
    lines: dict[int, list] = {}
    for char in chars:
        if char["text"].strip():
            lines.setdefault(round(char["top"]), []).append(char)
    found = []
    for line in lines.values():
        line.sort(key=lambda char: char["x0"])
        for before, after in itertools.pairwise(line):
            if after["x0"] < before["x1"] - 0.2 * before["size"]:  # kerning (AT, Yo) moves less
                found.append(before["text"] + after["text"])
    return found


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_sets_text_exactly_as_the_full_system_font_does(lang):
    # The shipped fonts are cut from Noto Sans CJK SC: same glyph widths, local forms
    # (full-width dashes and quotes in Chinese, Latin digits in English) and ligatures.
    import pdfplumber
    from weasyprint import HTML

    sample = "企业——“韧性”‘测试’……2026年 1234567890 office fi … “quote” 宁波海蓝纺织 鑫淼锂业"
    widths = {}
    for family in ("ReportSans, ReportSans2, ReportSans3", "'Noto Sans CJK SC'"):
        html = "".join(
            f'<p style="font-family: {family}; font-size: 20pt; font-weight: {weight}">{sample}</p>'
            for weight in (400, 700)
        )
        document = HTML(string=f'<html lang="{lang}"><body>{html}</body></html>', base_url=pdf.BASE_URL)
        data = document.write_pdf(stylesheets=[pdf.stylesheet()], font_config=pdf.font_config())
        with pdfplumber.open(io.BytesIO(data)) as rendered:
            widths[family] = [(c["text"], round(c["x1"] - c["x0"], 2)) for c in rendered.pages[0].chars]
    ours, system = widths.values()
    assert len(ours) > 2 * len(sample) - 20
    assert ours == system


def test_it_keeps_the_summary_to_three_pages(version):
    assessment, _ = submitted(version, quality=0.0)
    for lang in ("zh-hans", "en"):
        report = build_report(assessment, questionnaire_of(version), answers_of(assessment), lang)
        pages = len(PdfReader(io.BytesIO(pdf.render_pdf(report, "summary"))).pages)
        assert pages <= 3, (lang, pages)


def test_it_never_leaves_the_references_alone_on_the_last_page_of_the_summary(db, settings):
    from django.core.management import call_command

    from assessment.models import Assessment

    settings.DEBUG = True
    call_command("load_questionnaire", stdout=io.StringIO())
    call_command("demo", stdout=io.StringIO())
    demo = Assessment.objects.filter(status="submitted").order_by("pk")
    assert demo.count() > 10
    for assessment in demo:
        qn = questionnaire_of(assessment.questionnaire)
        for lang, heading in (("zh-hans", "参考文献"), ("en", "References")):
            report = build_report(assessment, qn, answers_of(assessment), lang)
            pages = PdfReader(io.BytesIO(pdf.render_pdf(report, "summary"))).pages
            last = pages[-1].extract_text()
            # The references start on the last page, whole, after something else of the report.
            assert heading in last, (assessment.firm_name, lang, len(pages))
            before = squash(last.split(heading)[0]).replace(squash(assessment.firm_name), "")
            assert len(before) > 20, (assessment.firm_name, lang, before)


def test_it_stores_the_pdf_and_reuses_it_until_inputs_change(version, django_capture_on_commit_callbacks):
    assessment, token = submitted(version)
    client = owner_client(assessment, token)
    client.get(pdf_url(assessment, "en", "summary"))
    stored = ReportFile.objects.get(assessment=assessment)
    first_name = stored.file.name
    client.get(pdf_url(assessment, "en", "summary"))
    assert ReportFile.objects.get(pk=stored.pk).file.name == first_name
    # the inputs change (as when a consultant edits the result): a new file replaces the old one
    assessment.firm_name = "Renamed Ltd"
    assessment.save(update_fields=["firm_name"])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(pdf_url(assessment, "en", "summary"))
    stored.refresh_from_db()
    assert stored.file.name != first_name
    assert not stored.file.storage.exists(first_name)
    assert ReportFile.objects.filter(assessment=assessment).count() == 1


def test_it_names_the_download_after_the_firm_and_date(version, shanghai_today):
    assessment, token = submitted(version, profile={**FOOD_MAKER, "firm_name": 'A/B "Foods" 公司'})
    response = owner_client(assessment, token).get(pdf_url(assessment, "zh-hans", "full"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" in disposition
    name = unquote(disposition.split("filename*=utf-8''")[1])
    assert name == f"A B Foods 公司-{shanghai_today:%Y-%m-%d}-report-zh.pdf"  # the date shown in Shanghai
    response = owner_client(assessment, token).get(pdf_url(assessment, "en", "summary"))
    name = unquote(response["Content-Disposition"].split("filename*=utf-8''")[1])
    assert name == f"A B Foods 公司-{shanghai_today:%Y-%m-%d}-summary-en.pdf"


def test_it_hides_the_pdf_from_other_browsers_and_drafts(version):
    assessment, token = submitted(version)
    assert Client().get(pdf_url(assessment, "en", "full")).status_code == 404
    client = owner_client(assessment, token)
    assert client.get(pdf_url(assessment, "en", "poster")).status_code == 404
    draft, draft_token = assessment_create(version=version, owner=None, language="en")
    assert owner_client(draft, draft_token).get(pdf_url(draft, "en", "full")).status_code == 302


@pytest.mark.parametrize("bound", ["timeout", "memory"])
def test_it_bounds_a_render_in_time_and_memory(version, settings, monkeypatch, bound):
    assessment, token = submitted(version)
    if bound == "timeout":
        settings.PDF_RENDER_TIMEOUT = 0.001
    else:
        # A render that balloons by 2 GB (the machine has room for it) exceeds the 1 GB allowance.
        def ballooning(html):
            return bytes(bytearray(2 * 1024**3)[:10])

        monkeypatch.setattr(pdf, "html_to_pdf", ballooning)
    response = owner_client(assessment, token).get(pdf_url(assessment, "en", "full"))
    assert response.status_code == 503
    assert "The report could not be created" in response.content.decode()
    assert not ReportFile.objects.filter(assessment=assessment).exists()
    # the next try, with the usual bounds, works
    settings.PDF_RENDER_TIMEOUT = 60
    monkeypatch.undo()
    assert owner_client(assessment, token).get(pdf_url(assessment, "en", "full")).status_code == 200


def test_it_shows_a_clear_message_when_a_render_fails(version, monkeypatch):
    assessment, token = submitted(version)

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pdf, "html_to_pdf", broken)
    response = owner_client(assessment, token).get(pdf_url(assessment, "en", "full"))
    assert response.status_code == 503
    assert "The report could not be created" in response.content.decode()


# -- fetch safety ---------------------------------------------------------------------


class Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Canary.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def canary(tmp_path):
    Canary.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = tmp_path / "canary.txt"
    secret.write_text("CANARY-FILE-CONTENT-9f1c")
    yield f"http://127.0.0.1:{server.server_port}", secret
    server.shutdown()


def payloads(base: str, secret) -> list[str]:
    return [
        f'<img src="{base}/img">',
        f'<link rel="attachment" href="file://{secret}">',
        f"<style>@import url({base}/import.css);</style>",
        f'<svg><image href="{base}/svg-image" width="10" height="10"/></svg>',
        f"<style>@font-face {{ font-family: X; src: url({base}/font.woff); }} p {{ font-family: X; }}</style>",
        f'<img src="file://{secret}">',
        f'<img src="/../../../../{secret}">',
        f'<img src="https://report.invalid/static/../../../../{secret}">',
        '<img src="data:text/html;base64,PHNjcmlwdD4=">',
    ]


def test_it_prints_user_markup_literally_and_fetches_nothing(version, canary):
    base, secret = canary
    firm = " ".join(payloads(base, secret))[:500]
    assessment, _ = submitted(version, profile={**FOOD_MAKER, "firm_name": "Evil Co", "main_products": firm[:300]})
    assessment.firm_name = firm[:200]
    assessment.save(update_fields=["firm_name"])
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), "en")
    data = pdf.render_pdf(report, "full")
    assert Canary.hits == []
    assert b"CANARY-FILE-CONTENT" not in data
    text = squash(text_of(data))
    assert squash('<img src="') in text  # shown literally, as typed


def test_it_refuses_every_foreign_url_in_the_renderer_itself(canary):
    base, secret = canary
    html = "<html><body><p>x</p>" + "".join(payloads(base, secret)) + "</body></html>"
    data = pdf.html_to_pdf(html)
    assert Canary.hits == []
    assert b"CANARY-FILE-CONTENT" not in data
    assert b"/EmbeddedFile" not in data


def test_it_fetches_static_files_only():
    fetcher = pdf.StaticOnlyFetcher()
    response = fetcher.fetch(pdf.BASE_URL + "css/report.css")
    assert b"@font-face" in response.read()
    for url in (
        pdf.BASE_URL + "../config/settings.py",
        pdf.BASE_URL + "%2e%2e/config/settings.py",
        "https://report.invalid/other/x.css",
        "http://127.0.0.1:9/x.png",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "data:image/png;base64," + "A" * 200_000,
    ):
        with pytest.raises(pdf.RefusedURL):
            fetcher.fetch(url)


def test_it_names_files_without_invisible_characters_on_the_local_date():
    from datetime import date

    from assessment.reports.filenames import report_filename

    assert (
        report_filename("Evil\u202egnp.exe\u200b Co", date(2026, 3, 2), "full")
        == "Evilgnp.exe Co-2026-03-02-report.pdf"
    )


def test_it_leaves_no_render_process_behind(version):
    assessment, _ = submitted(version)
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), "en")
    assert pdf.render_pdf_bounded(report, "summary").startswith(b"%PDF")
    assert multiprocessing.active_children() == []


def _render_by_pid(html):
    """Stands in for html_to_pdf in the render child: says which process ran it, or misbehaves."""
    if html == "hang":
        while True:
            time.sleep(60)
    if html == "die":
        os.kill(os.getpid(), signal.SIGKILL)
    if html == "raise":
        raise RuntimeError("boom")
    if html == "balloon":
        return bytes(bytearray(2 * 1024**3)[:10])  # 2 GB, over the 1 GB allowance
    return f"%PDF {os.getpid()}".encode()


def test_it_renders_a_workers_reports_in_one_bounded_child_replaced_after_each_failure(monkeypatch, settings):
    monkeypatch.setattr(pdf, "html_to_pdf", _render_by_pid)
    settings.PDF_RENDER_TIMEOUT = 30
    with pdf.render_session():
        first = pdf.render_html_bounded("a")
        assert pdf.render_html_bounded("b") == first != f"%PDF {os.getpid()}".encode()
        for html, error in [
            ("hang", "render took longer than 1 s"),
            ("die", "render failed"),
            ("raise", "render failed"),
            ("balloon", "render failed"),
        ]:
            settings.PDF_RENDER_TIMEOUT = 1 if html == "hang" else 30
            with pytest.raises(pdf.RenderFailed, match=error):
                pdf.render_html_bounded(html)
            after = pdf.render_html_bounded("c")  # the next report works, in a fresh child
            assert after.startswith(b"%PDF") and after != first
            first = after
        assert len(multiprocessing.active_children()) == 1
    assert multiprocessing.active_children() == []


def test_it_retires_a_workers_render_child_after_its_share_of_reports(monkeypatch):
    monkeypatch.setattr(pdf, "html_to_pdf", _render_by_pid)
    monkeypatch.setattr(pdf, "SESSION_MAX_RENDERS", 2)
    with pdf.render_session():
        pids = [pdf.render_html_bounded("a") for _ in range(5)]
    assert pids[0] == pids[1] != pids[2] == pids[3] != pids[4]
    assert multiprocessing.active_children() == []


def test_it_keeps_a_web_processs_render_child_while_renders_come_and_ends_it_when_idle(monkeypatch, settings):
    monkeypatch.setattr(pdf, "html_to_pdf", _render_by_pid)
    settings.PDF_CHILD_IDLE_SECONDS = 1
    try:
        first = pdf.render_html_bounded("a")  # no render_session(): as a web process renders
        assert pdf.render_html_bounded("b") == first != f"%PDF {os.getpid()}".encode()  # the same, warm child
        settings.PDF_RENDER_TIMEOUT = 1
        with pytest.raises(pdf.RenderFailed, match="render took longer than 1 s"):
            pdf.render_html_bounded("hang")  # every bound still holds, and a failure ends the child
        settings.PDF_RENDER_TIMEOUT = 30
        second = pdf.render_html_bounded("c")
        assert second.startswith(b"%PDF") and second != first
        # A second without a render: the child ends and gives its memory back.
        deadline = time.monotonic() + 60
        while multiprocessing.active_children() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert multiprocessing.active_children() == []
        third = pdf.render_html_bounded("d")  # the next render forks a new one
        assert third.startswith(b"%PDF") and third != second
        # A worker's session takes over from it, and ends with its block.
        with pdf.render_session():
            assert pdf.render_html_bounded("e") not in (third, b"")
        assert multiprocessing.active_children() == []
    finally:
        if pdf._session is not None:
            pdf._session.close()
        pdf._session = None


def test_it_prints_firm_name_and_page_x_of_y_on_every_page_after_the_cover(version):
    assessment, _ = submitted(version)
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), "en")
    reader = PdfReader(io.BytesIO(pdf.render_pdf(report, "full")))
    total = len(reader.pages)
    for number, page in enumerate(reader.pages[1:], start=2):
        text = squash(page.extract_text())
        assert "成都蓉城食品有限公司" in text, number
        assert f"Page{number}/{total}" in text, number


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_lays_out_the_full_report_once_plus_the_contents_pages(version, monkeypatch, lang):
    """WeasyPrint re-makes a page only when a page counter on it (the contents' page numbers)
    changed after its first layout. Anything that makes it lay the document out again (a
    counter in a running element, a target-counter on every page) would show up here."""
    import weasyprint.layout.page as page_layout

    made = 0
    original = page_layout.make_page

    def counting(*args, **kwargs):
        nonlocal made
        made += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(page_layout, "make_page", counting)
    assessment, _ = submitted(version)
    report = build_report(assessment, questionnaire_of(version), answers_of(assessment), lang)
    pages = len(PdfReader(io.BytesIO(pdf.render_pdf(report, "full"))).pages)
    assert pages >= 10
    assert pages <= made <= pages + 2  # the contents fill at most two pages, each re-made once
