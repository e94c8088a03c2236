"""Server time and query counts of the questionnaire steps and the results page.

Run: .venv/bin/python bench/steps.py [--requests 200]
Uses a throw-away SQLite database (or BENCH_DATABASE_URL), Django's test client
in-process, so the time is server time without network. Targets: at most 8 queries per step;
results-page queries independent of the number of answers.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _setup import EXPORTER, django_on_scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()

    django_on_scratch_database("bench-steps-")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse

    from assessment.models import Assessment
    from assessment.questionnaire.samples import sample_answers
    from assessment.selectors import questionnaire_of

    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()

    def new_assessment(profile: dict) -> tuple[Client, Assessment]:
        client = Client()
        client.post(reverse("start"))
        assessment = Assessment.objects.latest("created_at")
        qn = questionnaire_of(assessment.questionnaire)
        answers = sample_answers(qn, profile, 0.4, seed=3)
        for section in qn.sections:
            data = {q.key: answers[q.key] for q in section.questions if q.key in answers}
            client.post(reverse("step", args=[assessment.public_id, section.key]), {**data, "action": "next"})
        return client, assessment

    profile = EXPORTER
    client, assessment = new_assessment(profile)
    qn = questionnaire_of(assessment.questionnaire)
    step_url = reverse("step", args=[assessment.public_id, "resilience"])
    answers = sample_answers(qn, profile, 0.4, seed=3)
    post_data = {q.key: answers[q.key] for q in qn.section("resilience").questions if q.key in answers}

    def measure(label: str, call) -> None:
        times, queries = [], []
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as ctx:
                start = time.perf_counter()
                response = call()
                times.append(time.perf_counter() - start)
            assert response.status_code in (200, 302), (label, response.status_code)
            queries.append(len(ctx))
        print(
            f"{label:<34} median {statistics.median(times) * 1000:7.2f} ms   "
            f"p95 {sorted(times)[int(len(times) * 0.95)] * 1000:7.2f} ms   queries {max(queries)}"
        )

    print(f"{args.requests} requests each, database {connection.vendor}")
    measure("step GET (resilience)", lambda: client.get(step_url))
    measure("step POST next (resilience)", lambda: client.post(step_url, {**post_data, "action": "next"}))
    measure("step POST autosave (resilience)", lambda: client.post(step_url, {**post_data, "action": "autosave"}))

    client.post(reverse("submit", args=[assessment.public_id]))
    results_url = reverse("results", args=[assessment.public_id])
    measure("results GET (exporter)", lambda: client.get(results_url))

    # Same page for a firm with fewer answers (domestic: detailed export questions hidden).
    small_client, small = new_assessment({**profile, "export_share": 0, "export_plan": "no_plan"})
    small_client.post(reverse("submit", args=[small.public_id]))
    counts = []
    for c, a in ((client, assessment), (small_client, small)):
        with CaptureQueriesContext(connection) as ctx:
            c.get(reverse("results", args=[a.public_id]))
        counts.append((a.answers.count(), len(ctx)))
    print("results queries by number of answers: " + ", ".join(f"{n} answers -> {q} queries" for n, q in counts))


if __name__ == "__main__":
    main()
