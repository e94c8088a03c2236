"""A submitted owner's PDF, downloaded as the first request of a cold web worker.

Run: .venv/bin/python bench/cold.py [--workers 5]

An owner submits (in production settings); the worker's task renders their PDFs, as it does
after every submission. Then, several times over, a fresh process starts as a gunicorn worker
does (`config.wsgi` imported: Django set up, the application built and warmed), and its
first request downloads the zh full report with the owner's session. Prints the median wall
and CPU time of that first request and of the process start before it, the 1-minute load
average, and whether the process ever imported WeasyPrint (it must not: serving a stored
file needs none of it). Target (issue 20): under 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

from _setup import EXPORTER, ROOT, django_on_scratch_database

FIRST_REQUEST = """
import json, os, sys, time
start = time.perf_counter(); cpu = time.process_time()
import config.wsgi  # what gunicorn config.wsgi loads in each worker
from django.conf import settings
from django.test import Client
client = Client()
# The test client builds its middleware at its first request; config.wsgi's application built
# it at import (WhiteNoise reading the collected static files among it): part of the start.
client.handler.load_middleware()
booted, booted_cpu = time.perf_counter() - start, time.process_time() - cpu
client.cookies[settings.SESSION_COOKIE_NAME] = os.environ["BENCH_SESSION"]
start = time.perf_counter(); cpu = time.process_time()
response = client.get(os.environ["BENCH_URL"])
body = b"".join(response.streaming_content)
print(json.dumps({
    "wall": time.perf_counter() - start, "cpu": time.process_time() - cpu,
    "boot": booted, "boot_cpu": booted_cpu, "status": response.status_code,
    "pdf": body.startswith(b"%PDF"), "weasyprint": "weasyprint" in sys.modules,
}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=5, help="cold processes started, one after another")
    args = parser.parse_args()

    django_on_scratch_database("bench-cold-", debug=False)
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from assessment import access, selectors, services
    from assessment.questionnaire.samples import sample_answers
    from assessment.reports import services as report_services

    version = selectors.current_version()
    qn = selectors.questionnaire_of(version)
    assessment, token = services.assessment_create(version=version, owner=None, language="zh-hans")
    services.answers_save(assessment=assessment, values=sample_answers(qn, EXPORTER, 0.55, seed=11))
    services.assessment_submit(assessment=assessment)
    for lang, variant in report_services.reports_prepare(assessment=assessment):  # what the worker runs
        report_services.report_file_prepare(assessment_id=assessment.pk, lang=lang, variant=variant)
    client = Client()
    session = client.session
    session[access.SESSION_KEY] = {str(assessment.public_id): token}
    session.save()
    with translation.override("zh-hans"):
        pdf_url = reverse("report_pdf", args=[assessment.public_id]) + "?lang=zh-hans&variant=full"

    env = {**os.environ, "BENCH_SESSION": session.session_key, "BENCH_URL": pdf_url, "PYTHONPATH": str(ROOT)}
    runs = []
    load_before = os.getloadavg()[0]
    for _ in range(args.workers):
        out = subprocess.run(
            [sys.executable, "-c", FIRST_REQUEST], env=env, cwd=ROOT, capture_output=True, text=True, check=True
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    load_after = os.getloadavg()[0]
    assert all(run["status"] == 200 and run["pdf"] for run in runs), runs
    median = {key: statistics.median(run[key] for run in runs) for key in ("wall", "cpu", "boot", "boot_cpu")}
    print(
        f"{args.workers} cold workers, {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; "
        f"load {load_before:.2f}-{load_after:.2f}"
    )
    print(f"  start (config.wsgi imported): wall {median['boot']:.3f} s  CPU {median['boot_cpu']:.3f} s")
    print(
        f"  first request, stored zh full PDF: wall {median['wall'] * 1000:.0f} ms  CPU {median['cpu'] * 1000:.0f} ms"
        f"  (max {max(run['wall'] for run in runs) * 1000:.0f} ms)"
    )
    print(f"  imported WeasyPrint: {'yes' if any(run['weasyprint'] for run in runs) else 'no'}")


if __name__ == "__main__":
    main()
