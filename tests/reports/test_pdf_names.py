"""Firm names and consultant notes from every font file in the PDF (issue 12, section 1).

The report fonts are Noto Sans CJK SC cut in three files (scripts/build_fonts.py): our own
texts and Latin, the rest of GB2312 level 1, GB2312 level 2; a full system CJK font catches
the rest. Names mixing those files with spaces, Latin, digits and full-width punctuation
must come out of the PDF exactly as typed, with the layout of a plain name of the same
length; a character no font has prints as □ in its place only.
"""

import io
import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pypdf import PdfReader

from assessment import access
from assessment.questionnaire.samples import sample_answers
from assessment.reports import pdf
from assessment.reports.builder import build_report
from assessment.selectors import answers_of, questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit, note_save
from tests.factories import FOOD_MAKER, squash, text_of

BOX = "\u25a1"  # □: what a character no font has prints as

# (firm name, consultant note, which font files the name needs besides ReportSans)
CASES = {
    # The names of the issue: GB2312 level 1 (ReportSans2) next to our own characters.
    "level1": ("佛山顺德美厨小家电有限公司", "陈总：下周 check 报价，2 号前回复。", {"ReportSans2"}),
    # Spaces, Latin, digits and full-width punctuation right after level-1 characters.
    "mixed": ("佛山 顺德（美厨）2号 Ltd.", "王氏 五金：3 月 15 日前交货（样品 A/B），\n陈总 确认。", {"ReportSans2"}),
    # GB2312 level 2 (ReportSans3), each followed by a space or punctuation.
    "level2": ("鑫淼 锂业（璐）No. 8", "琨瑜 璐钰：鑫 淼，王氏 check。", {"ReportSans3"}),
    # Beyond GB2312 (the system CJK font), characters no font has, and user markup.
    "beyond": ("喆 堃 昇 <b>科技</b> 𠀀 & Co. 🚀", "堃 昇：𠀀 见 <i>附件</i> 🚀", {"NotoSansCJKSC"}),
}
NO_FONT = "𠀀🚀"  # no font on the machine has these (fc-list ':charset=20000' is empty)


@cache
def first_font() -> frozenset[int]:
    return frozenset(TTFont(Path(settings.BASE_DIR, "static", "fonts", "ReportSans-Regular.otf")).getBestCmap())


def printed(text: str) -> str:
    """What the PDF must show for `text`: itself, with a box for each character no font has."""
    return text.translate(dict.fromkeys(map(ord, NO_FONT), BOX))


def plain(text: str) -> str:
    """`text` with every ideograph the first font file lacks replaced by one it has: the same
    width (every CJK ideograph is one em wide), so the same layout and page count."""
    return "".join("企" if is_ideograph(c) and ord(c) not in first_font() else c for c in printed(text))


def is_ideograph(char: str) -> bool:
    return unicodedata.east_asian_width(char) == "W" and unicodedata.category(char) == "Lo"


def pages_of(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def embedded_fonts(data: bytes) -> set[str]:
    """Font families without subset tag, weight and spaces, e.g. {"ReportSans", "NotoSansCJKSC"}."""
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1].removesuffix("-Bold").replace("-", ""))
    return names


def submitted(version, firm_name: str, lang: str = "zh-hans"):
    assessment, token = assessment_create(version=version, owner=None, language=lang)
    qn = questionnaire_of(version)
    answers_save(
        assessment=assessment,
        values=sample_answers(qn, {**FOOD_MAKER, "province": "guangdong", "firm_name": firm_name}, 0.3, seed=7),
    )
    assessment_submit(assessment=assessment)
    assessment.refresh_from_db()
    return assessment, token


def rendered(assessment, qn, lang: str, variant: str, name: str, note: str) -> bytes:
    """The PDF of `assessment` under firm `name`, with `note` on the first area and first action."""
    answers = {**answers_of(assessment), "firm_name": name}
    assessment.firm_name = name  # in memory only: the same assessment, date and scores
    notes = {f"area:{qn.areas[0].key}": note, f"rec:{assessment.result['actions'][0]['key']}": note}
    return pdf.render_pdf(build_report(assessment, qn, answers, lang, notes=notes), variant)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_it_prints_names_and_notes_from_every_font_file_as_typed(version, lang, case):
    name, note, fonts = CASES[case]
    qn = questionnaire_of(version)
    assessment, _ = submitted(version, "成都蓉城食品有限公司")
    assert assessment.result["actions"]
    for variant in pdf.VARIANTS:
        data = rendered(assessment, qn, lang, variant, name, note)
        baseline = rendered(assessment, qn, lang, variant, plain(name), plain(note))
        text = squash(text_of(data))
        assert squash(printed(name)) in text, variant
        if variant == "full":
            assert text.count(squash(printed(note))) == 2, variant  # on the area and on the action
        # The whole document reads like the plain-name report, character for character (no
        # box nor replacement character anywhere else), on as many pages.
        assert plain(text) == squash(text_of(baseline)), variant
        assert pages_of(data) == pages_of(baseline), variant
        assert fonts <= embedded_fonts(data), variant  # the case reaches the font files it names


def test_it_downloads_the_full_report_of_a_firm_named_in_common_characters(version, django_user_model):
    # The request path: notes from the database, a stored PDF rendered in its bounded child process.
    name, note = "佛山顺德美厨小家电有限公司", "陈总：下周 check 报价"
    assessment, token = submitted(version, name)
    consultant = django_user_model.objects.create_user("consultant", "c@example.com", "pw-unused-here")
    area = questionnaire_of(version).areas[0].key
    note_save(assessment=assessment, target=f"area:{area}", text=note, author=consultant)
    client = Client()
    session = client.session
    session[access.SESSION_KEY] = {str(assessment.public_id): token}
    session.save()
    for lang in ("zh-hans", "en"):
        with translation.override("en"):
            url = reverse("report_pdf", args=[assessment.public_id]) + f"?lang={lang}&variant=full"
        response = client.get(url)
        assert response.status_code == 200, lang
        text = squash(text_of(b"".join(response.streaming_content)))
        assert name in text and squash(note) in text and BOX not in text, lang


def test_it_gives_every_font_file_the_spaces_the_fallback_chain_keeps():
    # Pango never changes fonts for a space: a space after a character of a file is drawn
    # with that file. HarfBuzz draws the other spaces (thin, narrow) with U+0020.
    for path in sorted(Path(settings.BASE_DIR, "static", "fonts").glob("*.otf")):
        cmap = TTFont(path).getBestCmap()
        assert {0x20, 0xA0, 0x3000} <= cmap.keys(), path.name


def test_it_boxes_a_character_no_font_has_in_the_text_only_and_renders_at_most_twice(monkeypatch):
    calls = []
    write_pdf = pdf._write_pdf

    def counted(html):
        calls.append(html)
        return write_pdf(html)

    monkeypatch.setattr(pdf, "_write_pdf", counted)
    html = (
        '<html lang="zh-hans"><head><title>王氏 🚀</title></head>'
        '<body><h1 data-name="王氏 🚀">王氏 🚀 五金</h1>'
        '<p class="note">陈总：&lt;b&gt;🚀&lt;/b&gt; 下周</p></body></html>'
    )
    text = squash(text_of(pdf.html_to_pdf(html)))
    assert squash(f"王氏 {BOX} 五金 陈总：<b>{BOX}</b> 下周") in text and text.count(BOX) == 2
    assert len(calls) == 2
    # Only text changed: every tag and attribute is exactly as written.
    assert re.findall(r"<[^>]*>", calls[1]) == re.findall(r"<[^>]*>", html)


def test_it_writes_the_report_markup_back_verbatim_when_it_boxes_text(version):
    name, note, _ = CASES["beyond"]
    assessment, _ = submitted(version, name)
    qn = questionnaire_of(version)
    notes = {f"area:{qn.areas[0].key}": note}
    html = pdf.report_html(build_report(assessment, qn, answers_of(assessment), "zh-hans", notes=notes), "full")
    assert pdf.replace_in_text(html, {}) == html
    boxed = pdf.replace_in_text(html, dict.fromkeys(map(ord, NO_FONT + " <>&"), BOX))
    assert boxed.count("<") == html.count("<") and boxed.count("&") == html.count("&")
    assert escape(printed(name)).replace(" ", BOX) in boxed


def gb2312_characters() -> list[str]:
    """Every GB2312 character but the spaces: symbols, full-width forms, both levels of hanzi."""
    chars = []
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                char = bytes([high, low]).decode("gb2312")
            except UnicodeDecodeError:
                continue
            if not char.isspace():
                chars.append(char)
    return chars


GB2312 = gb2312_characters()


@hypothesis_settings(max_examples=15, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.text(st.sampled_from(GB2312), min_size=1, max_size=8), min_size=1, max_size=6),
    separator=st.sampled_from([" ", "  ", "\u00a0", "\u3000", " A1 ", "，", "（2）"]),
)
def test_it_prints_any_gb2312_text_with_spaces_as_typed(words, separator):
    text = separator.join(words)
    html = (
        '<html lang="zh-hans"><body>'
        f'<h1 class="cover-firm">{escape(text)}</h1><p class="note">{escape(text)} 陈总</p></body></html>'
    )
    assert squash(f"{text}{text}陈总") in squash(text_of(pdf.html_to_pdf(html)))  # and the page number
