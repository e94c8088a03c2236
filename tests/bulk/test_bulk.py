"""Associations in bulk: import answers collected offline, background reports, zip, exports."""

import contextlib
import csv
import io
import os
import re
import signal
import time
import zipfile
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from assessment.bulk import importing
from assessment.bulk.services import ImportRejected, assessments_import, bulk_job_start
from assessment.models import Answer, Assessment, BulkItem, BulkJob, Firm, ImportBatch
from assessment.questionnaire.result import build_result
from assessment.questionnaire.samples import INDUSTRIES, sample_firm
from assessment.reports import pdf
from tests.factories import csv_bytes, import_rows, run_worker, table, upload, url


def firm_answers(qn, n):
    return sample_firm(qn, n)


def test_it_imports_a_csv_and_scores_every_row_like_the_wizard(chamber):
    response = upload(chamber, "answers.csv", csv_bytes(table(chamber["qn"], 12)))
    assert response.status_code == 302
    imported = Assessment.objects.filter(campaign=chamber["campaign"]).order_by("firm_name")
    assert imported.count() == 12 and set(imported.values_list("status", flat=True)) == {"submitted"}
    first = imported.first()
    stored = dict(Answer.objects.filter(assessment=first).values_list("question_key", "value"))
    assert first.firm_name == "Firm 00000" and first.firm.organisation == chamber["org"]
    assert first.result == build_result(chamber["qn"], stored).to_json()
    assert stored == {k: v for k, v in firm_answers(chamber["qn"], 0).items() if k in stored}
    assert ImportBatch.objects.get().rows == 12
    page = chamber["client"].get(url("campaign", chamber["campaign"].pk)).content.decode()
    assert "12</strong> submitted" in page and "Average score of 12 members who share their results" in page


def test_it_reads_option_texts_in_either_language_from_a_gbk_csv(chamber):
    qn = chamber["qn"]
    rows = table(qn, 6)
    header = rows[0]
    industry, province = header.index("industry"), header.index("province")
    expected = {row[province] for row in rows[1:]}
    for row in rows[1:]:
        row[industry] = qn.questions["industry"].option(row[industry]).text["zh-hans"]
        row[province] = qn.questions["province"].option(row[province]).text["en"].upper()
    rows[1][header.index(importing.SHARE_COLUMN)] = "否"
    response = upload(chamber, "answers.csv", csv_bytes(rows, "gbk"), lang="zh-hans")
    assert response.status_code == 302
    assert Assessment.objects.filter(campaign=chamber["campaign"], share_with_association=True).count() == 5
    assert set(Answer.objects.filter(question_key="province").values_list("value", flat=True)) == expected
    industries = set(Answer.objects.filter(question_key="industry").values_list("value", flat=True))
    assert industries <= set(INDUSTRIES) and len(industries) == 6


def test_it_writes_nothing_and_lists_every_mistake(chamber):
    qn = chamber["qn"]
    rows = table(qn, 5)
    header = rows[0]
    rows[2][header.index("employees")] = "many"
    rows[3][header.index("industry")] = "spaceflight"
    rows[4][header.index(importing.SHARE_COLUMN)] = "maybe"
    rows[5][header.index("firm_name")] = ""
    response = upload(chamber, "answers.csv", csv_bytes(rows))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported" in page
    for row, column in [(3, "employees"), (4, "industry"), (5, "share_results"), (6, "firm_name")]:
        assert f"<tr><td>{row}</td><td><code>{column}</code></td>" in page
    assert "a whole number from 0 to" in page and "spaceflight" in page
    assert Assessment.objects.count() == 0 and Firm.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_it_refuses_the_same_file_twice_without_duplicates(chamber):
    data = csv_bytes(table(chamber["qn"], 5))
    assert upload(chamber, "a.csv", data).status_code == 302
    response = upload(chamber, "a-copy.csv", data)
    assert response.status_code == 400 and "already imported" in response.content.decode()
    assert Assessment.objects.count() == 5


def test_it_round_trips_the_xlsx_template(chamber):
    response = chamber["client"].get(url("campaign_template", chamber["campaign"].pk, "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    answers_sheet, legend = book.worksheets
    header = [c.value for c in next(answers_sheet.iter_rows(max_row=1))]
    assert header == importing.columns(chamber["qn"])
    legend_text = " ".join(str(c.value) for row in legend.iter_rows() for c in row)
    assert "企业名称" in legend_text or "名称" in legend_text
    assert "retail" in legend_text
    for row in table(chamber["qn"], 7)[1:]:
        answers_sheet.append([int(v) if v.isdigit() else v for v in row])
    out = io.BytesIO()
    book.save(out)
    assert upload(chamber, "filled.xlsx", out.getvalue()).status_code == 302
    assert Assessment.objects.filter(status="submitted").count() == 7


def test_it_prints_the_error_table_from_the_command_line(chamber, tmp_path, capsys):
    rows = table(chamber["qn"], 3)
    rows[2][rows[0].index("employees")] = "-5"
    path = tmp_path / "answers.csv"
    path.write_bytes(csv_bytes(rows))
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_assessments", "--campaign", str(chamber["campaign"].pk), str(path))
    assert "     3  employees" in capsys.readouterr().err
    rows[2][rows[0].index("employees")] = "5"
    path.write_bytes(csv_bytes(rows))
    out = io.StringIO()
    call_command("import_assessments", "--campaign", str(chamber["campaign"].pk), str(path), stdout=out)
    assert "Imported and scored 3 assessments" in out.getvalue()
    # Messages in English for the operator; reports in the site's language unless told.
    assert set(Assessment.objects.values_list("language", flat=True)) == {"zh-hans"}


def test_it_imports_from_the_command_line_with_the_report_language_asked_for(chamber, tmp_path):
    path = tmp_path / "answers.csv"
    path.write_bytes(csv_bytes(table(chamber["qn"], 2)))
    call_command(
        "import_assessments",
        "--campaign",
        str(chamber["campaign"].pk),
        "--report-lang",
        "en",
        str(path),
        stdout=io.StringIO(),
    )
    assert set(Assessment.objects.values_list("language", flat=True)) == {"en"}


def test_it_renders_reports_in_the_background_and_zips_them_with_a_manifest(
    chamber, django_capture_on_commit_callbacks
):
    import_rows(chamber, 3)
    import_rows(chamber, 1, start=50, share="no")
    with django_capture_on_commit_callbacks(execute=True):
        response = chamber["client"].post(
            url("bulk_reports", chamber["campaign"].pk), {"lang": "zh-hans", "variant": "summary"}
        )
    job = BulkJob.objects.get()
    assert response["Location"] == url("bulk_job", chamber["campaign"].pk, job.pk)
    assert DBTaskResult.objects.count() == 3  # only members who share their results
    progress = chamber["client"].get(url("bulk_job", chamber["campaign"].pk, job.pk) + "?format=json").json()
    assert progress == {"done": 0, "failed": 0, "pending": 3, "total": 3}
    run_worker()
    progress = chamber["client"].get(url("bulk_job", chamber["campaign"].pk, job.pk) + "?format=json").json()
    assert progress == {"done": 3, "failed": 0, "pending": 0, "total": 3}
    page = chamber["client"].get(url("bulk_job", chamber["campaign"].pk, job.pk)).content.decode()
    assert "Download all reports (zip)" in page and "3 done, 0 failed, of 3" in page
    response = chamber["client"].get(url("bulk_job_zip", chamber["campaign"].pk, job.pk))
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = sorted(bundle.namelist())
    assert names[-1] == "manifest.csv" and len(names) == 4
    manifest = list(csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode("utf-8-sig"))))
    assert [row["status"] for row in manifest] == ["done"] * 3
    first = manifest[0]
    text = PdfReader(io.BytesIO(bundle.read(first["file"]))).pages[0].extract_text()
    assert first["firm"] in text and "行动报告" in "".join(text.split())


def test_it_marks_a_report_failed_after_its_tries_and_retries_only_that_one(
    chamber, break_render_of, django_capture_on_commit_callbacks, monkeypatch, settings
):
    settings.BULK_MAX_ATTEMPTS = 2
    import_rows(chamber, 3)
    real = break_render_of("Firm 00001")
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_job_start(campaign=chamber["campaign"], user=None, language="en", variant="summary")
    run_worker()
    items = {i.assessment.firm_name: i for i in BulkItem.objects.select_related("assessment")}
    assert items["Firm 00001"].status == "failed" and items["Firm 00001"].attempts == 2
    assert items["Firm 00000"].status == "done" and items["Firm 00002"].status == "done"
    page = chamber["client"].get(url("bulk_job", chamber["campaign"].pk, job.pk)).content.decode()
    assert "Try the 1 failed report again" in page
    monkeypatch.setattr(pdf, "html_to_pdf", real)
    done_before = {i.pk: i.updated_at for i in BulkItem.objects.filter(status="done")}
    with django_capture_on_commit_callbacks(execute=True):
        chamber["client"].post(url("bulk_job_retry", chamber["campaign"].pk, job.pk))
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    assert set(BulkItem.objects.values_list("status", flat=True)) == {"done"}
    assert {i.pk: i.updated_at for i in BulkItem.objects.filter(pk__in=done_before)} == done_before


@pytest.mark.parametrize("session", [False, True], ids=["a child per report", "one child per worker"])
def test_it_keeps_the_rest_of_a_job_when_a_render_hangs_or_its_process_dies(
    chamber, django_capture_on_commit_callbacks, monkeypatch, settings, session
):
    settings.BULK_MAX_ATTEMPTS = 1
    import_rows(chamber, 4)
    real, real_bounded = pdf.html_to_pdf, pdf.render_html_bounded

    def breaking(html):  # runs in the render's own child process
        if "Firm 00001" in html:
            while True:  # hangs for good: only the deadline ends it
                time.sleep(60)
        if "Firm 00002" in html:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(html)

    def bounded(html):
        # The hanging render gets a short deadline, the healthy ones a generous one: how fast
        # this machine renders then decides nothing.
        settings.PDF_RENDER_TIMEOUT = 1 if "Firm 00001" in html else 300
        return real_bounded(html)

    monkeypatch.setattr(pdf, "html_to_pdf", breaking)
    monkeypatch.setattr(pdf, "render_html_bounded", bounded)
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_job_start(campaign=chamber["campaign"], user=None, language="en", variant="summary")
    # `manage.py worker` renders its reports in one long-lived child (pdf.render_session).
    with pdf.render_session() if session else contextlib.nullcontext():
        run_worker()
    errors = dict(BulkItem.objects.values_list("assessment__firm_name", "error"))
    assert errors["Firm 00001"] == "render took longer than 1 s"  # cut off, not waited for
    assert errors["Firm 00002"] == "render failed (see the log)"
    status = dict(BulkItem.objects.values_list("assessment__firm_name", "status"))
    assert status == {"Firm 00000": "done", "Firm 00001": "failed", "Firm 00002": "failed", "Firm 00003": "done"}
    response = chamber["client"].get(url("bulk_job_zip", chamber["campaign"].pk, job.pk))
    bundle = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = list(csv.DictReader(io.StringIO(bundle.read("manifest.csv").decode("utf-8-sig"))))
    assert sorted((row["firm"], row["status"]) for row in manifest) == [
        ("Firm 00000", "done"),
        ("Firm 00001", "failed"),
        ("Firm 00002", "failed"),
        ("Firm 00003", "done"),
    ]
    assert len([name for name in bundle.namelist() if name.endswith(".pdf")]) == 2


def test_it_never_runs_a_task_enqueued_in_a_rolled_back_transaction(
    chamber, django_capture_on_commit_callbacks, monkeypatch
):
    from assessment.bulk import tasks as bulk_tasks
    from assessment.campaigns import tasks as campaigns_tasks
    from assessment.campaigns.memberlist import Member
    from assessment.campaigns.services import invitations_add

    assessments_import(
        campaign=chamber["campaign"],
        user=None,
        filename="a.csv",
        data=csv_bytes(table(chamber["qn"], 2)),
        messages_language="en",
        report_language="en",
    )
    # Whatever the backend (a queue outside the database would keep a task the rollback
    # cannot take back), nothing may be handed to it before the transaction commits.
    enqueued = []
    monkeypatch.setattr(bulk_tasks, "render_bulk_item", SimpleNamespace(enqueue=lambda pk: enqueued.append(pk)))
    monkeypatch.setattr(campaigns_tasks, "send_invitation", SimpleNamespace(enqueue=lambda pk, r: enqueued.append(pk)))
    member = Member(firm_name="Late Co", contact_name="", email="late@example.com", language="en")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        bulk_job_start(campaign=chamber["campaign"], user=None, language="en", variant="summary")
        invitations_add(campaign=chamber["campaign"], members=[member])
        raise RuntimeError("something later in the request failed")
    assert enqueued == [] and BulkJob.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        job = bulk_job_start(campaign=chamber["campaign"], user=None, language="en", variant="summary")
        invitations_add(campaign=chamber["campaign"], members=[member])
    assert len(enqueued) == 3 and set(job.items.values_list("pk", flat=True)) <= set(enqueued)


def test_it_exports_results_with_neutralised_cells(chamber):
    rows = table(chamber["qn"], 3)
    rows[1][rows[0].index("firm_name")] = '=HYPERLINK("http://evil")'
    assessments_import(
        campaign=chamber["campaign"],
        user=None,
        filename="a.csv",
        data=csv_bytes(rows),
        messages_language="en",
        report_language="en",
    )
    response = chamber["client"].get(url("campaign_export", chamber["campaign"].pk, "csv") + "?codes=1")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    exported = list(csv.reader(io.StringIO(text)))
    assert exported[0][:4] == ["firm", "submitted_at", "overall", "overall_band"]
    assert len(exported) == 4
    assert exported[1][0] == '\'=HYPERLINK("http://evil")'
    assert exported[2][exported[0].index("industry")] in INDUSTRIES
    response = chamber["client"].get(url("campaign_export", chamber["campaign"].pk, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert values[1][0] == '\'=HYPERLINK("http://evil")' and isinstance(values[1][2], int)


def test_it_refuses_an_unreadable_file_with_a_clear_message(chamber):
    with pytest.raises(ImportRejected, match="could not be read"):
        assessments_import(
            campaign=chamber["campaign"],
            user=None,
            filename="a.xlsx",
            data=b"not a zip",
            messages_language="en",
            report_language="en",
        )
    response = upload(chamber, "a.pdf", b"%PDF-1.4")
    assert response.status_code == 400 and "CSV" in response.content.decode()


def test_it_answers_in_the_importers_language_whatever_the_thread_has_active(chamber):
    # A request in Chinese earlier on the same thread left zh-hans active: the message of an
    # unreadable file still follows messages_language (it was the one message that did not).
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(ImportRejected, match="could not be read"):
        assessments_import(
            campaign=chamber["campaign"],
            user=None,
            filename="a.xlsx",
            data=b"not a zip",
            messages_language="en",
            report_language="en",
        )


def test_it_shows_cohort_statistics_and_hides_groups_under_five(chamber):
    import_rows(chamber, 4)
    page = chamber["client"].get(url("campaign_dashboard", chamber["campaign"].pk)).content.decode()
    assert "Statistics appear once they can cover at least 5 members (4 so far)" in page
    assert "Cohort report (PDF" not in page  # nothing to print yet
    import_rows(chamber, 8, start=100)
    page = chamber["client"].get(url("campaign_dashboard", chamber["campaign"].pk)).content.decode()
    assert "Cohort report (PDF, Chinese)" in page
    assert "Scores by area" in page and "<svg" in page and "Most frequent recommendations" in page
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    # 12 firms over 6 industries: every sector group is small except the ones with 5 or more.
    assert "Smaller groups (hidden)" in text
    for match in re.finditer(r"<tr><td>([^<]+)</td><td>(\d+)</td>", page):
        assert int(match.group(2)) >= 5, match.group(0)


def test_it_counts_the_dashboard_queries_independently_of_the_cohort_size(chamber):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import_rows(chamber, 6)
    with CaptureQueriesContext(connection) as small:
        chamber["client"].get(url("campaign_dashboard", chamber["campaign"].pk))
    import_rows(chamber, 30, start=100)
    with CaptureQueriesContext(connection) as large:
        chamber["client"].get(url("campaign_dashboard", chamber["campaign"].pk))
    # As many queries for 36 firms as for 6, and few: session, user, campaign, the cohort (7 today).
    assert len(small) == len(large) <= 8, [q["sql"] for q in large.captured_queries]


@pytest.mark.parametrize("lang,title", [("zh-hans", "群体报告"), ("en", "Cohort report")])
def test_it_prints_the_cohort_report(chamber, lang, title):
    import_rows(chamber, 6)
    response = chamber["client"].get(url("campaign_dashboard_pdf", chamber["campaign"].pk) + f"?lang={lang}")
    assert response["Content-Type"] == "application/pdf"
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(response.content)).pages)
    assert title.replace(" ", "") in text and "Autumnround" in text


def test_it_tells_a_member_where_it_stands_in_the_cohort(chamber):
    import_rows(chamber, 6)
    member = Assessment.objects.filter(campaign=chamber["campaign"]).order_by("pk").first()
    page = chamber["client"].get(url("results", member.public_id)).content.decode()
    overall = member.result["overall"]
    cohort = [a.result["overall"] for a in Assessment.objects.filter(campaign=chamber["campaign"])]
    # mid-rank: the firms below, and half of those level with it (itself included)
    below, level = sum(o < overall for o in cohort), sum(o == overall for o in cohort)
    expected = round(100 * (below + level / 2) / len(cohort))
    assert f"this overall score is at the {expected}th percentile of the 6 firms that have submitted" in page


def test_it_renders_only_the_ticked_members(chamber, django_capture_on_commit_callbacks):
    import_rows(chamber, 3)
    import_rows(chamber, 1, start=50, share="no")
    page = chamber["client"].get(url("campaign", chamber["campaign"].pk)).content.decode()
    ticks = re.findall(r'name="assessment" value="([0-9a-f-]+)"', page)
    assert len(ticks) == 3  # members who do not share cannot be ticked
    private = Assessment.objects.get(share_with_association=False).public_id
    with django_capture_on_commit_callbacks(execute=True):
        chamber["client"].post(
            url("bulk_reports", chamber["campaign"].pk),
            {"lang": "en", "variant": "summary", "assessment": [ticks[1], str(private), "not-a-uuid"]},
        )
    job = BulkJob.objects.get()
    assert [i.assessment.public_id for i in job.items.all()] == [Assessment.objects.get(public_id=ticks[1]).public_id]


def test_it_streams_an_export_of_thirty_thousand_rows_complete(chamber):
    import_rows(chamber, 1)
    template = Assessment.objects.get()
    Assessment.objects.bulk_create(
        [
            Assessment(
                questionnaire=template.questionnaire,
                resume_digest=f"{n:064d}",
                language="en",
                status="submitted",
                firm_name=f"Bulk {n:05d}",
                campaign=chamber["campaign"],
                share_with_association=True,
                submitted_at=template.submitted_at,
                result=template.result,
            )
            for n in range(30_000)
        ],
        batch_size=2000,
    )
    response = chamber["client"].get(url("campaign_export", chamber["campaign"].pk, "csv") + "?codes=1")
    assert response.streaming
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 30_001
    assert lines[-1].startswith("Bulk 29999,")


def test_it_exports_the_submission_date_the_results_page_shows(chamber, shanghai_today):
    import_rows(chamber, 1)
    assessment = Assessment.objects.get()
    response = chamber["client"].get(url("campaign_export", chamber["campaign"].pk, "csv"))
    header, row = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    exported = row[header.index("submitted_at")]
    page = chamber["client"].get(url("results", assessment.public_id)).content.decode()
    shown = re.search(r"Submitted (\d{4}-\d{2}-\d{2})", page).group(1)
    assert exported == shown == f"{shanghai_today:%Y-%m-%d}"
