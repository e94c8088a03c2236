"""Import files made by the real spreadsheet program (tests/bulk/fixtures/, made by LibreOffice Calc):
every answer stored as the association meant it, and a file with five mistakes refused with exactly those five."""

import csv
import zipfile
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.utils import translation

from assessment.bulk import importing
from assessment.bulk.services import ImportRejected, assessments_import
from assessment.content import CONTENT_DIR
from assessment.models import Answer, Assessment, Firm, ImportBatch
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.selectors import questionnaire_of
from assessment.services import questionnaire_load
from tests.factories import open_campaign, upload

FIXTURES = Path(__file__).parent / "fixtures"
# The fixtures answer this version, which never changes once shipped (a newer one may be current).
CONTENT = CONTENT_DIR / "questionnaire-2026.2.yaml"
MEMBER_FILES = ["members-excel-gbk.csv", "members-libreoffice.xlsx", "members-unicode.txt"]
ERROR_FILES = ["errors-excel-gbk.csv", "errors-libreoffice.xlsx"]
# (row, column) of the five mistakes, as the spreadsheet numbers rows (the header is row 1).
FIVE_MISTAKES = [(3, "industry"), (5, "export_share"), (7, "res_cash_months"), (9, "share_results"), (12, "legal_form")]


@pytest.fixture(autouse=True)
def english_messages():
    """The error messages read here are the English ones (an import page in English)."""
    with translation.override("en"):
        yield


@cache
def questionnaire():
    return parse_questionnaire(load_yaml(CONTENT.read_text(encoding="utf-8")))


@cache
def meant() -> dict[str, dict]:
    """What each firm answered, by firm name, read from source/members.csv by its column types alone."""
    qn = questionnaire()
    with (FIXTURES / "source" / "members.csv").open(encoding="utf-8", newline="") as source:
        rows = list(csv.DictReader(source))
    firms = {}
    for row in rows:
        answers = {}
        for key, cell in row.items():
            q = qn.questions.get(key)
            if q is None or cell == "":
                continue
            if q.type == "number":
                answers[key] = float(cell) if "." in cell else int(cell)
            elif q.type == "multi":
                answers[key] = cell.split(";")
            else:
                answers[key] = cell
        firms[row["firm_name"]] = {"share": row["share_results"] == "yes", "answers": answers}
    return firms


def stored(campaign) -> dict[str, dict]:
    """What the database holds for the campaign's assessments, in the same shape as meant()."""
    found = {}
    for assessment in Assessment.objects.filter(campaign=campaign).prefetch_related("answers"):
        assert assessment.status == Assessment.Status.SUBMITTED
        answers = {a.question_key: a.value for a in assessment.answers.all()}
        found[assessment.firm_name] = {"share": assessment.share_with_association, "answers": answers}
    return found


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def association(db, django_user_model):
    """An association logged in, with a campaign on questionnaire 2026.2."""
    version, _ = questionnaire_load(CONTENT.read_text(encoding="utf-8"))
    user = django_user_model.objects.create_user("gd_chamber", password="a-long-password-1")
    org, campaign = open_campaign(user, "广东省中小企业协会", "2026 春季调查", version)
    client = Client()
    client.force_login(user)
    return {"user": user, "org": org, "campaign": campaign, "client": client, "qn": questionnaire_of(version)}


def import_file(association, name: str):
    return assessments_import(
        campaign=association["campaign"],
        user=association["user"],
        filename=name,
        data=fixture(name),
        messages_language="en",
        report_language="zh-hans",
    )


# --- The files are what they say they are --------------------------------------------------------


def test_it_has_fixtures_made_by_libreoffice_the_way_excel_writes_them():
    gbk = fixture("members-excel-gbk.csv")
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    text = gbk.decode("gbk")
    assert text.count("\r\n") == 41  # the header and 40 firms; line breaks inside a 备注 cell stay LF
    assert "\n已与企业核对" in text
    assert text.splitlines()[0].endswith(",备注")
    assert "广东省" in text and "广西壮族自治区" in text and "内蒙古自治区" in text
    # Several choices joined by 、 or ， where the option texts themselves hold 、
    for separator in "、，":
        assert f"财产险（厂房、设备、存货）{separator}公众责任险、产品责任险或雇主责任险" in text
    assert ',"1,200",' in text and ",30%," in text and ",/," in text and ",不适用," in text

    unicode_text = fixture("members-unicode.txt")
    assert unicode_text.startswith(b"\xff\xfe")
    lines = unicode_text.decode("utf-16").split("\r\n")
    assert lines[0].startswith("share_results\temail\tfirm_name\t")
    assert len(lines) == 42  # 41 rows, each ended by CRLF

    with zipfile.ZipFile(FIXTURES / "members-libreoffice.xlsx") as xlsx:
        assert b"<Application>LibreOffice/" in xlsx.read("docProps/app.xml")
        styles = xlsx.read("xl/styles.xml").decode()
    assert 'formatCode="[$-804]0%"' in styles and 'formatCode="0.00%"' in styles
    assert 'formatCode="[$-804]#,##0"' in styles


@cache
def xlsx_sheet(name: str):
    return openpyxl.load_workbook(FIXTURES / name).worksheets[0]


def xlsx_cell(name: str, firm: str, column: str):
    sheet = xlsx_sheet(name)
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("firm_name")].value == firm)
    cell = row[header.index(column)]
    return cell.value, cell.number_format


def test_it_has_an_xlsx_with_real_percent_thousands_and_text_number_cells():
    assert xlsx_cell("members-libreoffice.xlsx", "南宁华南五金有限公司", "export_share") == (0.3, "[$-804]0%")
    assert xlsx_cell("members-libreoffice.xlsx", "宁波华南五金有限公司", "export_share") == (0.125, "0.00%")
    assert xlsx_cell("members-libreoffice.xlsx", "上海华南五金有限公司", "employees") == ("1,200", "@")
    assert xlsx_cell("members-libreoffice.xlsx", "乌鲁木齐华南五金有限公司", "employees") == (2500, "[$-804]#,##0")
    assert xlsx_cell("members-libreoffice.xlsx", "包头华南五金有限公司", "revenue") == (1200.5, "[$-804]#,##0.0")
    assert xlsx_cell("members-libreoffice.xlsx", "广州华南五金有限公司", "int_talent")[0] == "/"


# --- Every value stored as meant -----------------------------------------------------------------


@pytest.mark.parametrize("name", MEMBER_FILES)
def test_it_stores_every_answer_of_a_real_file_as_the_association_meant_it(association, name):
    batch = import_file(association, name)
    assert batch.rows == 40
    found = stored(association["campaign"])
    assert found.keys() == meant().keys()
    for firm, expected in meant().items():
        assert found[firm] == expected, firm


def test_it_stores_percent_cells_thousands_and_official_province_names_as_meant(association):
    import_file(association, "members-libreoffice.xlsx")
    answers = {firm: value["answers"] for firm, value in stored(association["campaign"]).items()}
    nanning, guangzhou = answers["南宁华南五金有限公司"], answers["广州华南五金有限公司"]
    baotou = answers["包头华南五金有限公司"]
    assert nanning["export_share"] == 30  # the cell holds 0.3, formatted as a percentage
    assert answers["宁波华南五金有限公司"]["export_share"] == 12.5
    assert answers["上海华南五金有限公司"]["employees"] == 1200  # a text cell "1,200"
    assert answers["乌鲁木齐华南五金有限公司"]["employees"] == 2500  # a number formatted #,##0
    assert baotou["revenue"] == 1200.5
    # 广东省, 广西壮族自治区, 内蒙古自治区
    assert [guangzhou["province"], nanning["province"], baotou["province"]] == [
        "guangdong",
        "guangxi",
        "inner_mongolia",
    ]
    # 财产险（厂房、设备、存货），公众责任险、产品责任险或雇主责任险，货运险或信用保险（含出口信用保险）
    assert nanning["res_insurance"] == ["property", "liability", "cargo_credit"]
    # "/" and 不适用 in the questions of selling abroad, which this firm is not asked: no answer stored.
    assert not {key for key in guangzhou if key.startswith("int_")} - {"int_bri_awareness"}
    assert Answer.objects.filter(value__in=["/", "不适用"]).count() == 0


def test_it_imports_the_gbk_csv_through_the_upload_page_and_names_the_notes_column_once(association):
    response = upload(association, "会员问卷汇总.csv", fixture("members-excel-gbk.csv"))
    assert response.status_code == 302
    assert stored(association["campaign"]) == meant()
    page = association["client"].get(response["Location"]).content.decode()
    assert page.count("Columns the template does not have were ignored: 备注.") == 1
    assert "40 assessments imported and scored from 会员问卷汇总.csv." in page


def test_it_refuses_each_real_file_once_imported_even_saved_in_another_format(association):
    import_file(association, "members-excel-gbk.csv")
    for name in ("members-libreoffice.xlsx", "members-unicode.txt"):
        with pytest.raises(ImportRejected, match="already imported"):
            import_file(association, name)
    assert Assessment.objects.filter(campaign=association["campaign"]).count() == 40


# --- Five mistakes, five errors, nothing written ---------------------------------------------------


@pytest.mark.parametrize("name", ERROR_FILES)
def test_it_refuses_a_file_with_five_mistakes_naming_exactly_those_five(association, name):
    with pytest.raises(ImportRejected) as refused:
        import_file(association, name)
    errors = refused.value.errors
    assert [(e.row, e.column) for e in errors] == FIVE_MISTAKES
    industry, share, cash, consent, shifted = errors
    assert industry.value == "软件、互联网、信息技术服物"
    assert (share.value, share.message) == ("130%", "a number from 0 to 100")
    assert cash.message == "required for this firm: a number from 0 to 60"
    assert consent.value == "可以"
    assert shifted.value == "内蒙古自治区"  # the province, now in the legal form's column
    assert "a cell seems to be missing here" in shifted.message
    assert Assessment.objects.count() == Answer.objects.count() == Firm.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_it_lists_the_five_mistakes_on_the_upload_page(association):
    response = upload(association, "errors.csv", fixture("errors-excel-gbk.csv"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "5 problems found" in page
    for row, column in FIVE_MISTAKES:
        assert f"<tr><td>{row}</td><td><code>{column}</code></td>" in page
    assert Assessment.objects.count() == 0


# --- "/" and 不适用 only where the question does not apply ---------------------------------------


def members_table() -> list[list[str]]:
    with (FIXTURES / "source" / "members.csv").open(encoding="utf-8", newline="") as source:
        return list(csv.reader(source))


def test_it_refuses_a_not_applicable_mark_in_a_required_question_that_applies():
    rows = members_table()
    header = rows[0]
    nanning = rows[2]  # exports directly: every question of selling abroad applies
    assert nanning[header.index("firm_name")] == "南宁华南五金有限公司"
    nanning[header.index("int_talent")] = "/"
    nanning[header.index("int_fx")] = "不适用"
    rows[1][header.index("inn_rd_share")] = "不适用"  # a machinery maker is asked for its R&D share
    _rows, errors = importing.check_rows(questionnaire(), rows, "en")
    assert [(e.row, e.column, e.value) for e in errors] == [
        (2, "inn_rd_share", "不适用"),
        (3, "int_talent", "/"),
        (3, "int_fx", "不适用"),
    ]
    assert errors[0].message == "this question applies to this firm: a number from 0 to 100"


def test_it_takes_a_not_applicable_mark_in_an_optional_question_as_no_answer():
    rows = members_table()
    header = rows[0]
    rows[1][header.index("main_products")] = "/"
    rows[1][header.index("res_notes")] = "不适用"
    found, errors = importing.check_rows(questionnaire(), rows, "en")
    assert errors == []
    assert "main_products" not in found[0].answers and "res_notes" not in found[0].answers


# --- A row one cell off --------------------------------------------------------------------------


def test_it_names_the_column_where_a_cell_was_inserted():
    rows = members_table()
    header = rows[0]
    rows[3].insert(header.index("province"), "华南")
    _rows, errors = importing.check_rows(questionnaire(), rows, "en")
    assert [(e.row, e.column, e.value) for e in errors] == [(4, "province", "华南")]
    assert "one too many" in errors[0].message


def test_it_names_the_columns_between_which_a_cell_went_missing_when_the_values_would_fit_either():
    rows = members_table()
    header = rows[0]
    # Head count, revenue, total assets and export share are all numbers: any of them may be the gap.
    del rows[4][header.index("revenue")]
    _rows, errors = importing.check_rows(questionnaire(), rows, "en")
    assert [(e.row, e.column) for e in errors] == [(5, "employees")]
    assert errors[0].message.startswith("a cell seems to be missing between the columns employees and export_share")


def test_it_lists_real_mistakes_of_a_row_whose_last_cells_are_empty_instead_of_calling_it_shifted():
    # XLSX rows end at their last filled cell: a short row is not by itself a shifted one.
    rows = members_table()
    header = rows[0]
    row = rows[1]
    assert row[-1] == ""
    del row[header.index("int_note") :]
    for column in ("employees", "res_cash_months", "fin_credit_headroom"):
        row[header.index(column)] = "很多"
    _rows, errors = importing.check_rows(questionnaire(), rows, "en")
    assert [(e.row, e.column) for e in errors] == [(2, "employees"), (2, "res_cash_months"), (2, "fin_credit_headroom")]


def test_it_lists_a_single_wrong_cell_where_it_is_without_guessing_a_shift():
    rows = members_table()[:3]
    rows[1][rows[0].index("province")] = "广东"  # the short name: fine
    rows[2][rows[0].index("province")] = "岭南"
    _rows, errors = importing.check_rows(questionnaire(), rows, "en")
    assert [(e.row, e.column, e.value) for e in errors] == [(3, "province", "岭南")]
    assert errors[0].message.startswith("one of: beijing = ")
