"""The consultant workspace's client list at 500 and 5,000 clients: CPU time and queries.

Each consultancy's clients: most with one or two submitted assessments (the newest counts),
some with a draft only, some with none. Pages measured: the first page, a band filter, a
weakest-area filter, a search, and the last page. Server CPU time of the whole request
(Django's test client in process, so SQLite's work is included): median and minimum over the
requests (the minimum is the figure least disturbed by other work on a shared machine), the
median time spent in SQL, and the queries; last, for scale, a page that lists nothing.
Targets: at most 40 ms at both sizes, the same number of queries at both.

    python bench/workspace.py [--clients 500 5000] [--requests 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import EXPORTER, django_on_scratch_database


def _templates(version, count: int) -> list[dict]:
    """A few real results, scored by the services at different answer qualities."""
    from assessment import selectors, services
    from assessment.questionnaire.samples import sample_answers

    qn = selectors.questionnaire_of(version)
    out = []
    for n in range(count):
        assessment, _ = services.assessment_create(version=version, owner=None, language="en")
        services.answers_save(assessment=assessment, values=sample_answers(qn, EXPORTER, n / (count - 1), seed=n))
        services.assessment_submit(assessment=assessment)
        out.append(assessment.result)
    return out


def _consultancy(size: int, version, results: list[dict]):
    """A consultancy with `size` client firms, written in bulk (the services would take minutes)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from assessment import services
    from assessment.links import token_digest
    from assessment.models import Assessment, Firm
    from assessment.workspace import services as workspace_services

    user = get_user_model().objects.create_user(f"consultant{size}")
    organisation = workspace_services.organisation_create(user=user, name=f"Centre {size}", kind="consultancy")
    firms = Firm.objects.bulk_create(Firm(organisation=organisation, name=f"Client {n:05d}") for n in range(size))
    now = timezone.now()
    rows = []
    for n, firm in enumerate(firms):
        # One in ten has no assessment, one in ten a draft only, one in three two submitted ones.
        submitted = 0 if n % 10 in (0, 1) else 2 if n % 3 == 0 else 1
        for k in range(submitted):
            rows.append(
                Assessment(
                    questionnaire=version,
                    resume_digest=token_digest(f"bench-{size}-{n}-{k}"),
                    language="en",
                    status=Assessment.Status.SUBMITTED,
                    firm=firm,
                    organisation=organisation,
                    firm_name=firm.name,
                    submitted_at=now - timedelta(days=30 * (submitted - k)),
                    **Assessment.result_columns(results[(n + k) % len(results)]),
                )
            )
        if n % 10 == 1:
            rows.append(
                Assessment(
                    questionnaire=version,
                    resume_digest=token_digest(f"bench-{size}-{n}-draft"),
                    language="en",
                    firm=firm,
                    organisation=organisation,
                    firm_name=firm.name,
                )
            )
    Assessment.objects.bulk_create(rows, batch_size=1000)
    services.firms_latest_refresh(firm.pk for firm in firms)
    return user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, nargs="+", default=[500, 5000])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    django_on_scratch_database("bench-workspace-")
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from assessment import selectors
    from assessment.workspace.views import CLIENTS_PER_PAGE

    settings.ALLOWED_HOSTS = ["testserver"]
    version = selectors.current_version()
    qn = selectors.questionnaire_of(version)
    results = _templates(version, 6)
    band = qn.bands[1].key
    weakest = qn.areas[0].key
    sql: list[float] = []  # seconds in the database, per query of the current request

    def timed(execute, query, params, many, context):
        start = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql.append(time.perf_counter() - start)

    def measure(size: int, label: str, client: Client, path: str, params: dict) -> None:
        client.get(path, params)  # warm: templates compiled, caches filled
        cpu, in_sql, queries = [], [], 0
        for _ in range(args.requests):
            sql.clear()
            with connection.execute_wrapper(timed):
                start = time.process_time()
                response = client.get(path, params)
                cpu.append(time.process_time() - start)
            assert response.status_code == 200, (label, response.status_code)
            queries = max(queries, len(sql))
            in_sql.append(sum(sql))
        print(
            f"{size:>5} clients  {label:<30} CPU median {statistics.median(cpu) * 1000:5.1f} ms "
            f"(min {min(cpu) * 1000:5.1f})   SQL {statistics.median(in_sql) * 1000:4.1f} ms   queries {queries}"
        )

    print(f"{args.requests} requests each, database {connection.vendor}")
    for size in args.clients:
        client = Client()
        client.force_login(_consultancy(size, version, results))
        last = (size + CLIENTS_PER_PAGE - 1) // CLIENTS_PER_PAGE
        pages = {
            "first page": {},
            f"band={band}": {"band": band},
            f"weakest={weakest}": {"weakest": weakest},
            "search q=client 0012": {"q": "client 0012"},
            f"last page ({last})": {"page": last},
        }
        for label, params in pages.items():
            measure(size, label, client, reverse("workspace"), params)
        # For scale: the same user's "Add a client firm" page, a form and nothing listed.
        measure(size, "(add-a-client form page)", client, reverse("client_new"), {})


if __name__ == "__main__":
    main()
