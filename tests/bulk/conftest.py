import pytest

from assessment.reports import pdf


@pytest.fixture
def break_render_of(monkeypatch):
    """break_render_of(firm_name): make the report of this firm fail to render; returns the
    real renderer, to put back with monkeypatch.setattr(pdf, "html_to_pdf", real)."""

    def breaking(firm_name: str):
        real = pdf.html_to_pdf

        def flaky(html):
            if firm_name in html:
                raise RuntimeError("this one breaks")
            return real(html)

        monkeypatch.setattr(pdf, "html_to_pdf", flaky)
        return real

    return breaking
