"""The campaign page of an association with many members: server time, bytes and queries.

Run: .venv/bin/python bench/members.py [--members 200,20000] [--requests 7] [--debug]
Uses a throw-away SQLite database (or BENCH_DATABASE_URL) and Django's test client in
process, so the time is server time without network, in production settings (DEBUG off)
unless --debug. One campaign per size; the members are bulk-inserted
(tests.factories.many_members): 60% invited, 15% started, 20% submitted and sharing, 5%
joined by the link and private. Each line: median and max wall time, median CPU time of
this process (SQLite included), size, queries, and the 1-minute load average. Targets
(issue 17): the same figures whatever the number of members (paged), at most 40 ms and
15 queries per page, whatever the page or filter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import django_on_scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", default="200,20000", help="comma-separated campaign sizes")
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--debug", action="store_true", help="DEBUG on, as under runserver")
    args = parser.parse_args()

    django_on_scratch_database("bench-members-", debug=args.debug)
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import timezone, translation

    from assessment import selectors
    from assessment.campaigns.services import campaign_create
    from assessment.workspace.services import organisation_create
    from tests.factories import many_members

    settings.ALLOWED_HOSTS = ["testserver"]
    setup_test_environment()
    user = get_user_model().objects.create_user("bench-association")
    organisation = organisation_create(user=user, name="Bench chamber", kind="association")
    client = Client()
    client.force_login(user)
    today = timezone.localdate()
    for n in (int(size) for size in args.members.split(",")):
        campaign = campaign_create(
            organisation=organisation,
            user=user,
            name=f"Bench round of {n}",
            questionnaire=selectors.current_version(),
            opens_on=today,
            closes_on=today,
        )
        started = time.perf_counter()
        many_members(campaign, n * 60 // 100, "invited", name=f"Invited{n}-")
        many_members(campaign, n * 15 // 100, "started", name=f"Draft{n}-")
        many_members(campaign, n * 20 // 100, "submitted", name=f"Shared{n}-", sector="secondary")
        many_members(campaign, n - n * 95 // 100, "joined", name=f"Private{n}-", share=False)
        if connection.vendor == "postgresql":
            # What autovacuum does soon after a bulk insert: without statistics, the planner
            # sorts every invitation for a page of 50. (SQLite is left as Django leaves it, never analysed.)
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"{n} members inserted in {time.perf_counter() - started:.1f} s, database {connection.vendor}")
        with translation.override("en"):
            page_url = reverse("campaign", args=[campaign.pk])
        client.get(page_url)  # warm: the parsed questionnaire, template loading
        last = (n + 49) // 50
        for label, query in (
            ("page 1", ""),
            (f"page {last} (last)", f"?page={last}"),
            ("status=started", "?status=started"),
            ("sector=secondary, page 3", "?sector=secondary&page=3"),
            ("search by e-mail", f"?q=invited{n}-00042@example"),
        ):
            walls, cpus, queries, size = [], [], 0, 0
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as ctx:
                    cpu, begin = time.process_time(), time.perf_counter()
                    response = client.get(page_url + query)
                    walls.append(time.perf_counter() - begin)
                    cpus.append(time.process_time() - cpu)
                assert response.status_code == 200, (label, response.status_code)
                queries, size = max(queries, len(ctx)), len(response.content)
            print(
                f"  {n:>6} members, {label:<26} wall {statistics.median(walls) * 1000:6.1f} ms "
                f"(max {max(walls) * 1000:6.1f})  CPU {statistics.median(cpus) * 1000:6.1f} ms  "
                f"{size / 1024:5.1f} KB  queries {queries}  load {os.getloadavg()[0]:.2f}"
            )


if __name__ == "__main__":
    main()
