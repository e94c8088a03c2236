"""The worker warms itself at start: a sample report of each kind rendered in the process, then
its render child forked from it."""

from unittest import mock

from assessment.models import Assessment, ReportFile
from assessment.reports import pdf
from assessment.reports.services import reports_warm_up


def test_it_renders_a_sample_of_each_report_in_each_language_and_stores_nothing(version):
    documents, results = [], []
    real = pdf.html_to_pdf

    def recording(html: str) -> bytes:
        documents.append(html)
        results.append(real(html))
        return results[-1]

    with mock.patch.object(pdf, "html_to_pdf", recording):
        reports_warm_up()
    assert len(documents) == 4  # full and summary, zh-hans and en
    assert sum('lang="zh-Hans"' in html for html in documents) == 2
    assert all(data[:5] == b"%PDF-" for data in results)
    assert not Assessment.objects.exists() and not ReportFile.objects.exists()


def test_it_does_nothing_before_any_content_is_loaded(db):
    with mock.patch.object(pdf, "html_to_pdf") as rendered:
        reports_warm_up()
    rendered.assert_not_called()


def test_it_forks_the_sessions_child_at_start_and_reuses_it_for_the_first_report(version):
    with pdf.render_session():
        pdf.render_session_start()
        child = pdf._session.child
        assert child is not None and child.process.is_alive()
        data = pdf.render_html_bounded("<html lang='en'><body><h1>Hello</h1></body></html>")
        assert data[:5] == b"%PDF-" and pdf._session.child is child  # no second fork
    assert not child.process.is_alive()
