"""Bulk work for associations: import + scoring speed, and background PDF throughput.

Prints:
- import + score time and query count for 1,000 and 10,000 rows (one CSV each, in process);
- bulk zh full-report throughput for 200 firms with 1 and 2 worker processes, their ratio;
- worker resident memory after the first 50 reports and after the last, per worker.

Targets on a 2-core machine: 10,000 rows in at most 20 s; at least 110 zh reports a minute
with 2 workers; scaling at least 1.8x; RSS of the last 50 within 20% of the first 50.

    python bench/bulk.py [--rows 1000 10000] [--reports 200] [--backend database|rq] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assessment.bulk import services as bulk_services
from assessment.campaigns import services as campaigns_services
from assessment.workspace import services as workspace_services
from bench._setup import django_on_scratch_database


def bench_import(counts: list[int]) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from assessment import selectors
    from assessment.bulk.samples import sample_table

    qn = selectors.questionnaire_of(selectors.current_version())
    user = None
    for count in counts:
        organisation = workspace_services.organisation_create(
            user=_bench_user(), name=f"Bench association {count}", kind="association"
        )
        today = timezone.localdate()
        campaign = campaigns_services.campaign_create(
            organisation=organisation,
            user=user,
            name=f"Bench {count}",
            questionnaire=selectors.current_version(),
            opens_on=today,
            closes_on=today,
        )
        out = io.StringIO()
        csv.writer(out).writerows(sample_table(qn, count))
        data = out.getvalue().encode()
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            batch = bulk_services.assessments_import(
                campaign=campaign,
                user=None,
                filename=f"{count}.csv",
                data=data,
                messages_language="en",
                report_language="en",
            )
        elapsed = time.perf_counter() - started
        print(
            f"import {batch.rows:>6} rows ({len(data) / 1e6:.1f} MB CSV): {elapsed:6.2f} s, "
            f"{batch.rows / elapsed:7.0f} rows/s, {len(queries)} queries"
        )


def _bench_user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench")
    return user


def bench_workers(reports: int, backend: str, database: str) -> None:
    from tests.cluster import Cluster

    rates = {}
    for workers in (1, 2):
        cluster = Cluster(backend=backend, database=database)
        try:
            campaign = cluster.seed(rows=reports)
            cluster.start_workers(workers)
            time.sleep(3)  # let the workers start (and warm their fonts) before the clock runs
            memory: dict[str, list[int]] = {}

            def watch(progress, cluster=cluster, memory=memory):
                finished = progress["done"] + progress["failed"]
                if "first" not in memory and finished >= 50:
                    memory["first"] = cluster.worker_rss_kib()
                if progress["pending"] <= 50 and "late" not in memory:
                    memory["late"] = cluster.worker_rss_kib()

            started = time.perf_counter()
            job = cluster.start_job(campaign, lang="zh-hans", variant="full")
            progress = cluster.wait(job, timeout=3600, on_progress=watch)
            elapsed = time.perf_counter() - started
            memory["last"] = cluster.worker_rss_kib()
            rate = progress["done"] / elapsed * 60
            rates[workers] = rate
            first = memory.get("first", memory["last"])
            growth = max(b / a - 1 for a, b in zip(first, memory["last"], strict=True)) * 100
            print(
                f"{workers} worker(s), {backend}/{database}: {progress['done']} zh full reports "
                f"({progress['failed']} failed) in {elapsed:.1f} s = {rate:.0f} a minute; "
                f"worker RSS after 50: {', '.join(f'{k / 1024:.0f}' for k in first)} MiB, "
                f"at the end: {', '.join(f'{k / 1024:.0f}' for k in memory['last'])} MiB "
                f"(growth {growth:+.0f}%)"
            )
        finally:
            cluster.close()
    print(f"scaling 1 -> 2 workers: {rates[2] / rates[1]:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--backend", default="database", choices=["database", "rq"])
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    args = parser.parse_args()
    if args.rows:
        django_on_scratch_database("bench-bulk-")
        bench_import(args.rows)
    if args.reports:
        bench_workers(args.reports, args.backend, args.database)


if __name__ == "__main__":
    main()
