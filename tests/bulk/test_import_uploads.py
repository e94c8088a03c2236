"""Uploads as an association's staff run them: members who answered already (skip or replace,
row by row), the same firm twice in one file, big files imported in the background with a
progress bar, and a worker that stopped."""

import io

import pytest
import time_machine
from django.core.management import CommandError, call_command

from assessment.bulk.services import ImportNeedsChoice, ImportRejected, assessments_import
from assessment.models import Answer, Assessment, ImportBatch, ImportUpload
from tests.factories import csv_bytes, import_rows, run_worker, table, upload, url


def corrected(chamber, count: int, share: str = "no") -> list[list]:
    """The same firms as import_rows(chamber, count), with one answer changed (another file)."""
    return table(chamber["qn"], count, share=share)


def import_page(chamber) -> str:
    return chamber["client"].get(url("campaign_import", chamber["campaign"].pk)).content.decode()


def stored_share(chamber) -> list[bool]:
    return list(
        Assessment.objects.filter(campaign=chamber["campaign"])
        .order_by("firm_name")
        .values_list("share_with_association", flat=True)
    )


def test_it_asks_about_members_who_answered_already_and_writes_nothing_until_told(chamber):
    import_rows(chamber, 3)
    response = upload(chamber, "again.csv", csv_bytes(corrected(chamber, 3)))
    upload_row = ImportUpload.objects.get(status=ImportUpload.Status.DECIDE)
    assert response.status_code == 302
    assert response["Location"] == url("import_upload", chamber["campaign"].pk, upload_row.pk, lang="en")
    page = chamber["client"].get(response["Location"]).content.decode()
    assert "3 rows of this file are members who have answered already" in page
    assert "Firm 00000" in page and "imported from x.csv" in page
    assert page.count('value="skip" checked') == 3  # keeping their answers is the default
    assert stored_share(chamber) == [True, True, True] and ImportBatch.objects.count() == 1
    assert "Unfinished imports" in import_page(chamber) and "again.csv" in import_page(chamber)


def test_it_replaces_the_rows_chosen_and_skips_the_others(chamber):
    import_rows(chamber, 3)
    first = set(Assessment.objects.filter(campaign=chamber["campaign"]).values_list("pk", flat=True))
    upload(chamber, "again.csv", csv_bytes(corrected(chamber, 3)))
    pending = ImportUpload.objects.get()
    response = chamber["client"].post(
        url("import_upload", chamber["campaign"].pk, pending.pk), {"row-2": "replace", "row-3": "skip", "row-4": "skip"}
    )
    assert response.status_code == 302
    done = chamber["client"].get(response["Location"], follow=True)
    page = done.content.decode()
    assert "1 assessments imported and scored from again.csv" in page
    assert "Members who had answered already: 1 replaced, 2 skipped." in page
    # The member keeps its assessment (links, notes); only the answers and the consent are the file's.
    assert set(Assessment.objects.filter(campaign=chamber["campaign"]).values_list("pk", flat=True)) == first
    assert stored_share(chamber) == [False, True, True]
    batch = ImportBatch.objects.get(filename="again.csv")
    assert (batch.rows, batch.replaced, batch.skipped) == (1, 1, 2)
    replaced = Assessment.objects.get(firm_name="Firm 00000")
    assert replaced.import_batch == batch
    assert (
        Answer.objects.filter(assessment=replaced).count() == len([c for c in table(chamber["qn"], 1)[1] if c]) - 1
    )  # every answer once (share_results is not an answer), the old ones gone
    assert ImportUpload.objects.get().file.name == ""  # the upload is not kept once imported


def test_it_keeps_every_answer_when_all_rows_are_skipped(chamber):
    import_rows(chamber, 2)
    upload(chamber, "again.csv", csv_bytes(corrected(chamber, 2)))
    pending = ImportUpload.objects.get()
    response = chamber["client"].post(url("import_upload", chamber["campaign"].pk, pending.pk), {"all": "skip"})
    page = chamber["client"].get(response["Location"]).content.decode()
    assert "every row is a member who has answered already, and all of them were skipped" in page
    assert stored_share(chamber) == [True, True] and ImportBatch.objects.count() == 1


def test_it_replaces_all_with_one_button_and_ignores_a_second_click(chamber):
    import_rows(chamber, 2)
    upload(chamber, "again.csv", csv_bytes(corrected(chamber, 2)))
    pending = ImportUpload.objects.get()
    address = url("import_upload", chamber["campaign"].pk, pending.pk)
    chamber["client"].post(address, {"all": "replace"})
    chamber["client"].post(address, {"all": "replace"})
    assert stored_share(chamber) == [False, False]
    assert ImportBatch.objects.get(filename="again.csv").replaced == 2


def test_it_imports_new_firms_at_once_and_asks_only_about_the_known_ones(chamber):
    import_rows(chamber, 1)
    rows = corrected(chamber, 3)
    assert assessments_import_or_choice(chamber, rows) == [2]
    batch = assessments_import(
        campaign=chamber["campaign"],
        user=None,
        filename="b.csv",
        data=csv_bytes(rows),
        messages_language="en",
        report_language="en",
        replace_rows=[],
    )
    assert (batch.rows, batch.skipped, batch.replaced) == (2, 1, 0)
    assert stored_share(chamber) == [True, False, False]


def assessments_import_or_choice(chamber, rows) -> list[int]:
    with pytest.raises(ImportNeedsChoice) as asked:
        assessments_import(
            campaign=chamber["campaign"],
            user=None,
            filename="b.csv",
            data=csv_bytes(rows),
            messages_language="en",
            report_language="en",
        )
    assert Assessment.objects.filter(campaign=chamber["campaign"]).count() == 1  # nothing written
    return [c.row for c in asked.value.conflicts]


def test_it_reports_both_rows_of_a_firm_that_appears_twice_in_one_file(chamber):
    rows = table(chamber["qn"], 4)
    name = rows[0].index("firm_name")
    rows[4][name] = "  firm 00001 "  # the same firm as row 3, as people retype it
    with pytest.raises(ImportRejected) as rejected:
        assessments_import(
            campaign=chamber["campaign"],
            user=None,
            filename="twice.csv",
            data=csv_bytes(rows),
            messages_language="en",
            report_language="en",
        )
    assert [(e.row, e.column, e.message) for e in rejected.value.errors] == [
        (3, "firm_name", "the same firm as row 5"),
        (5, "firm_name", "the same firm as row 3"),
    ]
    assert not Assessment.objects.exists()


def test_it_says_in_chinese_which_rows_are_the_same_firm(chamber):
    rows = table(chamber["qn"], 2)
    rows[2][rows[0].index("firm_name")] = rows[1][rows[0].index("firm_name")]
    response = upload(chamber, "twice.csv", csv_bytes(rows), lang="zh-hans")
    page = response.content.decode()
    assert response.status_code == 400
    assert "与第 3 行是同一家企业" in page and "与第 2 行是同一家企业" in page


def test_it_imports_a_large_file_in_the_background_with_progress(chamber, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_KB = 1  # every file here is "large"
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(chamber, "big.csv", csv_bytes(table(chamber["qn"], 5)))
    pending = ImportUpload.objects.get()
    assert response["Location"] == url("import_upload", chamber["campaign"].pk, pending.pk, lang="en")
    assert not Assessment.objects.exists()
    address = url("import_upload", chamber["campaign"].pk, pending.pk)
    assert chamber["client"].get(address + "?format=json").json() == {
        "done": 0,
        "failed": 0,
        "pending": 1,
        "total": 0,
    }
    page = chamber["client"].get(address).content.decode()
    assert "Reading and checking the file" in page and "data-progress-url" in page
    run_worker()
    assert chamber["client"].get(address + "?format=json").json() == {
        "done": 5,
        "failed": 0,
        "pending": 0,
        "total": 5,
    }
    done = chamber["client"].get(address, follow=True).content.decode()
    assert "5 assessments imported and scored from big.csv" in done
    assert Assessment.objects.filter(campaign=chamber["campaign"]).count() == 5


def test_it_shows_the_problems_of_a_background_import_on_its_page(
    chamber, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_KB = 1
    rows = table(chamber["qn"], 3)
    rows[2][rows[0].index("share_results")] = "maybe"
    with django_capture_on_commit_callbacks(execute=True):
        upload(chamber, "big.csv", csv_bytes(rows))
    run_worker()
    pending = ImportUpload.objects.get()
    page = chamber["client"].get(url("import_upload", chamber["campaign"].pk, pending.pk)).content.decode()
    assert "Nothing was imported: correct these cells" in page
    assert "<td>3</td><td><code>share_results</code></td><td>maybe</td>" in page
    assert "Upload a corrected file" in page and not Assessment.objects.exists()
    assert pending.file.name == ""


def test_it_ends_an_import_whose_worker_stopped(chamber, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_BACKGROUND_KB = 1
    with time_machine.travel("2026-12-02 09:00 +08:00", tick=False), django_capture_on_commit_callbacks(execute=True):
        upload(chamber, "big.csv", csv_bytes(table(chamber["qn"], 2)))
    pending = ImportUpload.objects.get()
    address = url("import_upload", chamber["campaign"].pk, pending.pk)
    with time_machine.travel("2026-12-02 09:10 +08:00", tick=False):
        assert chamber["client"].get(address + "?format=json").json()["pending"] == 1
    with time_machine.travel("2026-12-02 09:16 +08:00", tick=False):
        page = chamber["client"].get(address).content.decode()
    assert "The import stopped before it finished. Nothing was imported" in page
    run_worker()  # the task that finally runs finds nothing to do
    assert not Assessment.objects.exists()


def test_it_shows_an_upload_only_to_its_campaign(chamber, associations):
    upload(chamber, "a.csv", csv_bytes(table(chamber["qn"], 1)))
    other = associations["x"]
    mine = ImportUpload.objects.get()
    response = other["client"].get(url("import_upload", other["campaign"].pk, mine.pk))
    assert response.status_code == 404
    response = other["client"].get(url("import_upload", chamber["campaign"].pk, mine.pk))
    assert response.status_code == 404


def test_it_lets_the_command_skip_or_replace_members_who_answered(chamber, tmp_path):
    import_rows(chamber, 2)
    path = tmp_path / "again.csv"
    path.write_bytes(csv_bytes(corrected(chamber, 2)))
    campaign = str(chamber["campaign"].pk)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 rows are members who have answered already"):
        call_command("import_assessments", "--campaign", campaign, str(path), stderr=err)
    assert "Firm 00001" in err.getvalue()
    out = io.StringIO()
    call_command("import_assessments", "--campaign", campaign, "--existing", "replace", str(path), stdout=out)
    assert "2 members' answers replaced, 0 rows skipped" in out.getvalue()
    assert stored_share(chamber) == [False, False]
