"""PDF report speed and size: app render vs bare WeasyPrint on the same HTML.

Run: .venv/bin/python bench/report.py [--renders 7]
For a realistic full report (a mid-scoring exporter) in zh-hans and en, prints the median
warm render time (report data + template + WeasyPrint), the median time of bare WeasyPrint
rendering the same final HTML in the same process (the floor), their ratio, the PDF size
and the process's peak RSS. Targets (issue 3): zh full <= 0.8 s warm, <= 200 KB, ratio <= 1.10.
Uses a throw-away SQLite database (or BENCH_DATABASE_URL).
"""

from __future__ import annotations

import argparse
import gc
import io
import resource
import statistics
import time

from _setup import EXPORTER, django_on_scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=7)
    args = parser.parse_args()

    django_on_scratch_database("bench-report-")
    from pypdf import PdfReader

    from assessment import selectors, services
    from assessment.questionnaire.samples import sample_answers
    from assessment.reports import pdf
    from assessment.reports.builder import build_report

    version = selectors.current_version()
    qn = selectors.questionnaire_of(version)
    assessment, _ = services.assessment_create(version=version, owner=None, language="zh-hans")
    services.answers_save(assessment=assessment, values=sample_answers(qn, EXPORTER, 0.55, seed=11))
    services.assessment_submit(assessment=assessment)
    answers = selectors.answers_of(assessment)
    print(f"fast font subsetting (libharfbuzz-subset): {pdf.fast_subsetting_available()}")
    print(f"triggered actions: {len(assessment.outcome.actions)}")

    for lang in ("zh-hans", "en"):
        pdf.render_pdf(build_report(assessment, qn, answers, lang), "full")  # warm-up: fonts, stylesheet
        html = pdf.report_html(build_report(assessment, qn, answers, lang), "full")
        app, bare = [], []
        # Interleaved, each after a full collection, so drift and GC pauses hit both alike.
        for _ in range(args.renders):
            gc.collect()
            start = time.perf_counter()
            data = pdf.render_pdf(build_report(assessment, qn, answers, lang), "full")
            app.append(time.perf_counter() - start)
            gc.collect()
            start = time.perf_counter()
            pdf.html_to_pdf(html)
            bare.append(time.perf_counter() - start)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        app_s, bare_s = statistics.median(app), statistics.median(bare)
        print(
            f"{lang:8} full: app {app_s:.3f} s  bare WeasyPrint {bare_s:.3f} s  ratio {app_s / bare_s:.2f}  "
            f"size {len(data) / 1024:.0f} KB  pages {pages}"
        )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:.0f} MiB")


if __name__ == "__main__":
    main()
