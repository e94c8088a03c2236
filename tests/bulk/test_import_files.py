"""Import files as people make them: extra columns, shifted rows, very many mistakes."""

from django.utils import translation

from assessment.bulk import importing
from assessment.models import Assessment
from tests.factories import csv_bytes, table, upload


def test_it_ignores_an_extra_notes_column_and_says_so_once(chamber):
    rows = table(chamber["qn"], 4)
    rows[0].append("备注")
    for row in rows[1:]:
        row.append("老客户，电话联系")
    response = upload(chamber, "answers.csv", csv_bytes(rows))
    assert response.status_code == 302
    assert Assessment.objects.filter(campaign=chamber["campaign"]).count() == 4
    page = chamber["client"].get(response["Location"]).content.decode()
    assert page.count("Columns the template does not have were ignored: 备注.") == 1


def test_it_shows_row_errors_even_beside_an_extra_column(chamber):
    rows = table(chamber["qn"], 2)
    rows[0].append("notes")
    rows[1].append("x")
    rows[2].append("x")
    rows[2][rows[0].index("employees")] = "many"
    page = upload(chamber, "answers.csv", csv_bytes(rows)).content.decode()
    assert "<tr><td>3</td><td><code>employees</code></td>" in page


def test_it_names_a_row_with_a_missing_cell_instead_of_every_shifted_value(chamber):
    rows = table(chamber["qn"], 3)
    header = rows[0]
    del rows[2][header.index("industry")]  # every later value moves one column left
    page = upload(chamber, "answers.csv", csv_bytes(rows)).content.decode()
    assert "<tr><td>3</td><td><code>industry</code></td>" in page
    assert "a cell seems to be missing here: the values from this column on are one column to the left" in page
    assert page.count("<tr><td>3</td>") == 1
    assert Assessment.objects.count() == 0


def test_it_says_when_more_problems_were_found_than_shown(chamber, monkeypatch):
    monkeypatch.setattr(importing, "MAX_SHOWN_ERRORS", 5)
    rows = table(chamber["qn"], 8)
    for row in rows[1:]:
        row[rows[0].index("employees")] = "many"
    page = upload(chamber, "answers.csv", csv_bytes(rows)).content.decode()
    assert "The first 5 problems are shown and more were found" in page
    assert page.count("<code>employees</code>") == 5


def test_it_refuses_the_same_rows_saved_again_with_a_bom_crlf_or_as_xlsx(chamber):
    import io

    import openpyxl

    rows = table(chamber["qn"], 3)
    assert upload(chamber, "answers.csv", csv_bytes(rows)).status_code == 302
    resaved = b"\xef\xbb\xbf" + csv_bytes(rows).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    xlsx = io.BytesIO()
    book.save(xlsx)
    for name, data in (("answers-excel.csv", resaved), ("answers.xlsx", xlsx.getvalue())):
        response = upload(chamber, name, data)
        assert response.status_code == 400, name
        assert "already imported" in response.content.decode()
    assert Assessment.objects.filter(campaign=chamber["campaign"]).count() == 3


def test_it_says_in_the_legend_where_a_slash_or_bushiyong_may_stand_for_no_answer(shipped):
    with translation.override("en"):
        rows = {row[0]: row for row in importing.legend_rows(shipped, "en")}
    assert rows["inn_rd_share"][3] == "if it applies"
    assert rows["inn_rd_share"][4].endswith("; where it does not apply: empty, / or 不适用")
    assert "不适用" not in rows["employees"][4]
