"""An owner's PDFs are rendered by the worker on submission, so a download finds them ready;
asked for early, the page says they are being prepared; serving a stored one never imports
WeasyPrint."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache

from assessment.models import Assessment, Organisation, ReportFile
from assessment.questionnaire.samples import sample_answers
from assessment.reports import pdf
from assessment.reports import services as reports_services
from assessment.reports import tasks as reports_tasks
from assessment.selectors import questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_reopen
from tests.factories import FOOD_MAKER, owner_client, pdf_url, run_worker, text_of, url

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def answered(version):
    """A Chinese-speaking owner's draft with every answer given, and their browser."""
    assessment, token = assessment_create(version=version, owner=None, language="zh-hans")
    values = sample_answers(questionnaire_of(version), {**FOOD_MAKER, "firm_name": "杭州·西湖 Tea 茶庄"}, 0.4, seed=7)
    answers_save(assessment=assessment, values=values)
    return assessment, owner_client(assessment, token)


def submit(assessment, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("submit", assessment.public_id, lang="zh-hans"))
    assert response.status_code == 302
    return Assessment.objects.get(pk=assessment.pk)


def no_render(monkeypatch):
    def refuse(html):
        raise AssertionError("the download rendered a PDF it should have found ready")

    monkeypatch.setattr(pdf, "render_html_bounded", refuse)


def test_it_has_the_worker_render_every_report_of_a_submitted_assessment(
    answered, client, monkeypatch, django_capture_on_commit_callbacks
):
    assessment, owner = answered
    assessment = submit(assessment, owner, django_capture_on_commit_callbacks)
    assert not ReportFile.objects.filter(assessment=assessment).exists()  # the request rendered none

    run_worker()

    stored = ReportFile.objects.filter(assessment=assessment)
    assert sorted(stored.values_list("language", "variant")) == [
        ("en", "full"),
        ("en", "summary"),
        ("zh-hans", "full"),
        ("zh-hans", "summary"),
    ]
    no_render(monkeypatch)
    response = owner.get(pdf_url(assessment, "zh-hans", "summary"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    data = b"".join(response.streaming_content)
    assert data == stored.get(language="zh-hans", variant="summary").file.read()
    assert "杭州·西湖 Tea 茶庄" in text_of(data)


def test_it_queues_the_owners_own_language_and_the_summary_first(answered):
    assessment, _ = answered
    assessment.language = "en"
    assert reports_services.reports_prepare(assessment=assessment) == [
        ("en", "summary"),
        ("en", "full"),
        ("zh-hans", "summary"),
        ("zh-hans", "full"),
    ]


def test_it_says_the_report_is_being_prepared_while_the_worker_is_on_it(
    answered, monkeypatch, django_capture_on_commit_callbacks
):
    assessment, owner = answered
    assessment = submit(assessment, owner, django_capture_on_commit_callbacks)
    no_render(monkeypatch)

    zh_pdf = url("report_pdf", assessment.public_id, lang="zh-hans") + "?lang=zh-hans&variant=full"
    response = owner.get(zh_pdf)
    assert response.status_code == 202
    page = response.content.decode()
    assert "报告正在生成" in page and "完整报告就已开始生成" in page
    assert "还需几秒钟。<span data-report-waiting" in page  # Chinese runs sentences on, no space
    assert f'href="{zh_pdf.replace("&", "&amp;")}"' in page  # the button, for a browser without JS
    status = owner.get(url("report_pdf_status", assessment.public_id) + "?lang=zh-hans&variant=full")
    assert json.loads(status.content) == {"ready": False, "preparing": True}
    assert not ReportFile.objects.filter(assessment=assessment).exists()

    monkeypatch.undo()
    run_worker()
    status = owner.get(url("report_pdf_status", assessment.public_id) + "?lang=zh-hans&variant=full")
    assert json.loads(status.content) == {"ready": True, "preparing": False}
    assert owner.get(pdf_url(assessment, "zh-hans", "full"))["Content-Type"] == "application/pdf"


def test_it_renders_the_report_itself_when_the_worker_does_not_come(answered, django_capture_on_commit_callbacks):
    assessment, owner = answered
    assessment = submit(assessment, owner, django_capture_on_commit_callbacks)
    cache.clear()  # what PREPARE_WAIT_SECONDS without a worker amounts to
    response = owner.get(pdf_url(assessment, "en", "summary"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert ReportFile.objects.filter(assessment=assessment, language="en", variant="summary").exists()


def test_it_submits_and_serves_the_report_when_the_queue_is_down(
    answered, monkeypatch, django_capture_on_commit_callbacks
):
    def down(self, *args):
        raise ConnectionError("the queue is down")

    monkeypatch.setattr(type(reports_tasks.render_report_file), "enqueue", down)
    assessment, owner = answered
    assessment = submit(assessment, owner, django_capture_on_commit_callbacks)
    assert assessment.status == Assessment.Status.SUBMITTED
    response = owner.get(pdf_url(assessment, "en", "summary"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_it_skips_a_report_whose_assessment_was_reopened_meanwhile(answered, django_capture_on_commit_callbacks):
    assessment, owner = answered
    consultancy = Organisation.objects.create(name="咨询", kind=Organisation.Kind.CONSULTANCY)
    Assessment.objects.filter(pk=assessment.pk).update(organisation=consultancy)
    assessment = submit(assessment, owner, django_capture_on_commit_callbacks)
    assessment_reopen(assessment=assessment)
    run_worker()
    assert not ReportFile.objects.filter(assessment=assessment).exists()
    assert not reports_services.report_preparing(assessment=assessment, lang="zh-hans", variant="full")


def test_it_answers_the_status_of_a_draft_or_a_bad_request_with_404(answered):
    assessment, owner = answered
    assert owner.get(url("report_pdf_status", assessment.public_id) + "?lang=en&variant=full").status_code == 404


def test_it_starts_a_web_worker_ready_to_serve_without_weasyprint_or_openpyxl():
    # What gunicorn loads: every view imported and the report fingerprint taken at start.
    code = (
        "import sys, config.wsgi;"
        "from assessment.reports import fingerprint;"
        "print(fingerprint.template_fingerprint.cache_info().currsize,"
        " sorted({'weasyprint', 'openpyxl'} & set(sys.modules)), 'assessment.bulk.views' in sys.modules)"
    )
    env = {"DJANGO_SETTINGS_MODULE": "config.settings", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "1 [] True"


def test_it_puts_an_owners_reports_before_a_bulk_jobs(answered, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    assessment, owner = answered
    submit(assessment, owner, django_capture_on_commit_callbacks)
    priorities = {row.task_path: row.priority for row in DBTaskResult.objects.all()}
    assert priorities == {"assessment.reports.tasks.render_report_file": reports_services.OWNER_REPORT_PRIORITY}
    assert reports_services.OWNER_REPORT_PRIORITY > 0  # bulk reports keep the default, 0


def test_it_submits_and_serves_the_report_when_the_cache_is_down(
    answered, settings, django_capture_on_commit_callbacks
):
    # A cache server that does not answer (nothing listens on port 9 here).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:9/0"}
    }
    assessment, owner = answered
    assessment = submit(assessment, owner, django_capture_on_commit_callbacks)
    assert assessment.status == Assessment.Status.SUBMITTED
    response = owner.get(pdf_url(assessment, "en", "summary"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
