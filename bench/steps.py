"""Server time, CPU time and query counts of the questionnaire steps and the results page.

Run: .venv/bin/python bench/steps.py [--rounds 7] [--requests 15] [--debug] [--sql]
Uses a throw-away SQLite database (or BENCH_DATABASE_URL) and Django's test client
in-process, so the time is server time without network, in production settings (DEBUG off)
unless --debug. The variants run interleaved: each round runs a batch of every variant, in
an order that rotates, so load from elsewhere on the machine touches them all alike. Each
figure is the median over rounds of a batch's median, wall time and CPU time of this process
(time.process_time, SQLite included: it runs in-process), with the 1-minute load average
seen over its batches: on a busy machine wall time grows while CPU time stays put.
Posts carry the page's hidden `_loaded` field, as a browser's do.
Queries are those the server ran for one request. Targets: a step GET at most 15 ms and
5 queries, a post at most 10 ms; results-page queries independent of the number of answers.
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlencode

from _setup import EXPORTER, django_on_scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--requests", type=int, default=15, help="per variant and round")
    parser.add_argument("--debug", action="store_true", help="DEBUG on, as under runserver")
    parser.add_argument("--sql", action="store_true", help="print the queries of one request of each variant")
    args = parser.parse_args()

    django_on_scratch_database("bench-steps-", debug=args.debug)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assessment.models import Assessment
    from assessment.questionnaire.samples import sample_answers
    from assessment.selectors import questionnaire_of

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
    profile_url = reverse("step", args=[assessment.public_id, "profile"])
    answers = sample_answers(qn, profile, 0.4, seed=3)
    financing_url = reverse("step", args=[assessment.public_id, "financing"])

    def as_a_browser_posts(url: str, section: str) -> dict:
        """The section's answers with the page's hidden `_loaded` field, as its form sends them."""
        page = client.get(url).content.decode()
        loaded = html.unescape(re.search(r'name="_loaded" value="([^"]*)"', page).group(1))
        return {"_loaded": loaded, **{q.key: answers[q.key] for q in qn.section(section).questions if q.key in answers}}

    post_data = as_a_browser_posts(step_url, "resilience")
    financing_data = as_a_browser_posts(financing_url, "financing")
    done_client, done = new_assessment(profile)
    done_client.post(reverse("submit", args=[done.public_id]))
    results_url = reverse("results", args=[done.public_id])

    def post(url: str, data: dict):
        # URL-encoded, as a browser posts the form and as the autosave script sends it.
        return client.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")

    variants: dict[str, Callable] = {
        "step GET (resilience)": lambda: client.get(step_url),
        "step GET (profile)": lambda: client.get(profile_url),
        "step POST next (resilience)": lambda: post(step_url, {**post_data, "action": "next"}),
        "step POST autosave (resilience)": lambda: post(step_url, {**post_data, "action": "autosave"}),
        "step GET (financing)": lambda: client.get(financing_url),
        "step POST autosave (financing)": lambda: post(financing_url, {**financing_data, "action": "autosave"}),
        "results GET (exporter)": lambda: done_client.get(results_url),
    }

    def queries_of(call: Callable) -> list[str]:
        sql: list[str] = []

        def record(execute, statement, params, many, context):
            sql.append(statement)
            return execute(statement, params, many, context)

        with connection.execute_wrapper(record):
            response = call()
        assert response.status_code in (200, 302), response.status_code
        return sql

    for call in variants.values():  # warm up: templates loaded, definitions parsed
        call()
    batches: dict[str, list[tuple[float, float, float]]] = {name: [] for name in variants}
    every_wall: dict[str, list[float]] = {name: [] for name in variants}
    names = list(variants)
    for round_ in range(args.rounds):
        for name in names[round_ % len(names) :] + names[: round_ % len(names)]:
            call = variants[name]
            walls, cpus = [], []
            for _ in range(args.requests):
                wall, cpu = time.perf_counter(), time.process_time()
                call()
                cpus.append(time.process_time() - cpu)
                walls.append(time.perf_counter() - wall)
            batches[name].append((statistics.median(walls), statistics.median(cpus), os.getloadavg()[0]))
            every_wall[name] += walls

    print(
        f"{args.rounds} rounds x {args.requests} requests per variant, database {connection.vendor}, "
        f"DEBUG {'on' if args.debug else 'off'}, {os.cpu_count()} CPUs"
    )
    for name, call in variants.items():
        wall = statistics.median(b[0] for b in batches[name]) * 1000
        cpu = statistics.median(b[1] for b in batches[name]) * 1000
        p95 = sorted(every_wall[name])[int(len(every_wall[name]) * 0.95)] * 1000
        loads = [b[2] for b in batches[name]]
        sql = queries_of(call)
        print(
            f"{name:<32} wall {wall:6.2f} ms (p95 {p95:6.2f})   CPU {cpu:6.2f} ms   queries {len(sql)}   "
            f"load {min(loads):.2f}-{max(loads):.2f}"
        )
        if args.sql:
            for statement in sql:
                print(f"    {statement[:160]}")

    # Same page for a firm with fewer answers (domestic: detailed export questions hidden).
    small_client, small = new_assessment({**profile, "export_share": 0, "export_plan": "no_plan"})
    small_client.post(reverse("submit", args=[small.public_id]))
    counts = []
    for c, a in ((done_client, done), (small_client, small)):
        page = reverse("results", args=[a.public_id])
        counts.append((a.answers.count(), len(queries_of(lambda c=c, page=page: c.get(page)))))
    print("results queries by number of answers: " + ", ".join(f"{n} answers -> {q} queries" for n, q in counts))


if __name__ == "__main__":
    main()
