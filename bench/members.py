"""The campaign page of an association with many members: server time, bytes and queries.

Run: .venv/bin/python bench/members.py [--members 20000] [--requests 5]
Uses a throw-away SQLite database (or BENCH_DATABASE_URL) and Django's test client in
process, so the time is server time without network. The members are bulk-inserted
(tests.factories.many_members): 60% invited, 15% started, 20% submitted and sharing, 5%
joined by the link and private. Targets: at most 15 queries and under 1 s per page, whatever
the page or filter (it was 9.9 MB and 48 s with every member on one page).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import django_on_scratch_database


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args()

    django_on_scratch_database("bench-members-")
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
    today = timezone.localdate()
    campaign = campaign_create(
        organisation=organisation,
        user=user,
        name="Bench round",
        questionnaire=selectors.current_version(),
        opens_on=today,
        closes_on=today,
    )
    n = args.members
    started = time.perf_counter()
    many_members(campaign, n * 60 // 100, "invited", name="Invited")
    many_members(campaign, n * 15 // 100, "started", name="Draft")
    many_members(campaign, n * 20 // 100, "submitted", name="Shared", sector="secondary")
    many_members(campaign, n - n * 95 // 100, "joined", name="Private", share=False)
    print(f"{n} members inserted in {time.perf_counter() - started:.1f} s, database {connection.vendor}")

    client = Client()
    client.force_login(user)
    with translation.override("en"):
        page_url = reverse("campaign", args=[campaign.pk])
    client.get(page_url)  # warm: the parsed questionnaire, template loading
    last = (n + 49) // 50
    for label, query in (
        ("page 1", ""),
        (f"page {last} (last)", f"?page={last}"),
        ("status=started", "?status=started"),
        ("sector=secondary, page 3", "?sector=secondary&page=3"),
        ("search by e-mail", "?q=invited00042@example"),
    ):
        times, queries, size = [], 0, 0
        for _ in range(args.requests):
            with CaptureQueriesContext(connection) as ctx:
                begin = time.perf_counter()
                response = client.get(page_url + query)
                times.append(time.perf_counter() - begin)
            assert response.status_code == 200, (label, response.status_code)
            queries, size = max(queries, len(ctx)), len(response.content)
        print(
            f"campaign page, {label:<26} median {statistics.median(times) * 1000:7.1f} ms   "
            f"max {max(times) * 1000:7.1f} ms   {size / 1024:6.1f} KB   queries {queries}"
        )


if __name__ == "__main__":
    main()
