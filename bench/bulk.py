"""Bulk work for associations: import + scoring speed, and background PDF throughput.

Prints:
- import + score time, wall and CPU (the process's CPU seconds), and query count for 1,000 and
  10,000 rows (one CSV each, in process);
- bulk zh full-report throughput for 200 firms with 1 and 2 worker processes, their ratio, and
  the CPU seconds per report: everything the worker processes and their render children spent
  (user + system, read from /proc), which a busy machine leaves nearly unchanged where it
  stretches the wall clock;
- the floor: CPU seconds of bare WeasyPrint rendering the same reports' HTML in one warm
  process, and the workers' overhead over it;
- resident memory of each worker with its render child after the first 50 reports and after the last.

Targets (issue 16) on an idle 2-core machine: 10,000 rows imported in at most 10 CPU-seconds;
at least 150 zh full reports a minute with 2 workers, that is the floor plus a few percent;
scaling at least 1.9x from 1 to 2 workers; RSS of the last 50 within 20% of the first 50.

    python bench/bulk.py [--rows 1000 10000] [--reports 200] [--backend database|rq] [--database sqlite|postgres]
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._setup import django_on_scratch_database  # the app's modules are imported once Django is set up


def bench_import(counts: list[int]) -> None:
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from assessment import selectors
    from assessment.bulk import services as bulk_services
    from assessment.bulk.samples import sample_table
    from assessment.campaigns import services as campaigns_services
    from assessment.workspace import services as workspace_services

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
        started, cpu_started = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            batch = bulk_services.assessments_import(
                campaign=campaign,
                user=None,
                filename=f"{count}.csv",
                data=data,
                messages_language="en",
                report_language="en",
            )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        print(
            f"import {batch.rows:>6} rows ({len(data) / 1e6:.1f} MB CSV): {elapsed:6.2f} s wall, "
            f"{cpu:6.2f} CPU-s, {batch.rows / elapsed:7.0f} rows/s, {len(queries)} queries"
        )


def _bench_user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench")
    return user


def _processes() -> dict[int, tuple[int, float, int]]:
    """Every process: parent pid, CPU seconds (its own and its reaped children's), RSS in KiB."""
    ticks, page_kib = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE") // 1024
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                # The command name (field 2) may hold spaces: split after its closing parenthesis.
                fields = (entry / "stat").read_text().rpartition(")")[2].split()
            except OSError:
                continue  # ended meanwhile: its times are in its parent's, once it is waited for
            found[int(entry.name)] = (
                int(fields[1]),
                sum(int(f) for f in fields[11:15]) / ticks,
                int(fields[21]) * page_kib,
            )
    return found


def _tree(pid: int, found: dict[int, tuple[int, float, int]]) -> list[int]:
    """The process and its living descendants."""
    children: dict[int, list[int]] = {}
    for child, (parent, _cpu, _rss) in found.items():
        children.setdefault(parent, []).append(child)
    tree, todo = [], [pid]
    while todo:
        tree.append(todo.pop())
        todo.extend(children.get(tree[-1], []))
    return [p for p in tree if p in found]


def _tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and all its descendants, living or reaped.

    /proc/PID/stat has the process's own times and those of the children it has waited for;
    children still running (a worker's render child) are added from their own entries, so
    nothing is counted twice.
    """
    found = _processes()
    return sum(found[p][1] for p in _tree(pid, found))


def _tree_rss_kib(cluster) -> list[int]:
    """Resident memory of each worker with its render child (pages they share counted twice)."""
    found = _processes()
    return [sum(found[p][2] for p in _tree(process.pid, found)) for process, _log in cluster.workers]


def _settle(cluster, seconds: float = 1.0, limit: float = 120) -> None:
    """Wait until the workers are idle (started, fonts warm), so start-up is not counted."""
    deadline = time.monotonic() + limit
    before = [_tree_cpu(p.pid) for p, _log in cluster.workers]
    while time.monotonic() < deadline:
        time.sleep(seconds)
        after = [_tree_cpu(p.pid) for p, _log in cluster.workers]
        if all(b - a < 0.05 * seconds for a, b in zip(before, after, strict=True)):
            return
        before = after


# Bare WeasyPrint on the HTML of a few of the campaign's reports, in one warm process: the same
# fonts and stylesheet objects the app uses, no report data, no database, no child process.
FLOOR_CODE = """
import json, time
from assessment import selectors
from assessment.models import Assessment
from assessment.reports import pdf
from assessment.reports.builder import build_report
htmls = []
for a in selectors.assessments().filter(campaign_id={campaign}, share_with_association=True).order_by("pk")[:{count}]:
    report = build_report(a, selectors.questionnaire_of(a.questionnaire), lang={lang!r}, **selectors.report_inputs(a))
    htmls.append(pdf.report_html(report, {variant!r}))
pdf.html_to_pdf(htmls[0])
started, cpu_started = time.perf_counter(), time.process_time()
for html in htmls:
    pdf.html_to_pdf(html)
print(json.dumps({{"cpu": (time.process_time() - cpu_started) / len(htmls),
                  "wall": (time.perf_counter() - started) / len(htmls)}}))
"""


def bench_workers(reports: int, backend: str, database: str, floor_count: int) -> None:
    from tests.cluster import Cluster

    rates, cpus = {}, {}
    floor = None
    for workers in (1, 2):
        cluster = Cluster(backend=backend, database=database)
        try:
            campaign = cluster.seed(rows=reports)
            if floor is None:
                floor = cluster.python(
                    FLOOR_CODE.format(campaign=campaign, count=floor_count, lang="zh-hans", variant="full")
                )
                print(
                    f"floor, bare WeasyPrint on the same HTML ({floor_count} zh full reports, warm, in process): "
                    f"{floor['cpu']:.3f} CPU-s a report ({floor['wall']:.3f} s wall)"
                )
            cluster.start_workers(workers)
            time.sleep(3)  # let the workers start (and warm their fonts) before the clock runs
            _settle(cluster)
            memory: dict[str, list[int]] = {}

            def watch(progress, cluster=cluster, memory=memory):
                finished = progress["done"] + progress["failed"]
                if "first" not in memory and finished >= 50:
                    memory["first"] = _tree_rss_kib(cluster)

            cpu_started = sum(_tree_cpu(p.pid) for p, _log in cluster.workers)
            started = time.perf_counter()
            job = cluster.start_job(campaign, lang="zh-hans", variant="full")
            progress = cluster.wait(job, timeout=3600, on_progress=watch)
            elapsed = time.perf_counter() - started
            cpu = (sum(_tree_cpu(p.pid) for p, _log in cluster.workers) - cpu_started) / max(progress["done"], 1)
            memory["last"] = _tree_rss_kib(cluster)
            rate = progress["done"] / elapsed * 60
            rates[workers], cpus[workers] = rate, cpu
            first = memory.get("first", memory["last"])
            growth = max(b / a - 1 for a, b in zip(first, memory["last"], strict=True)) * 100
            print(
                f"{workers} worker(s), {backend}/{database}: {progress['done']} zh full reports "
                f"({progress['failed']} failed) in {elapsed:.1f} s = {rate:.0f} a minute; "
                f"{cpu:.3f} CPU-s a report ({cpu / floor['cpu'] - 1:+.0%} over the floor; "
                f"{60 * workers / cpu:.0f} a minute if {workers} core(s) were theirs alone); "
                f"worker + render child RSS after 50: {', '.join(f'{k / 1024:.0f}' for k in first)} MiB, "
                f"at the end: {', '.join(f'{k / 1024:.0f}' for k in memory['last'])} MiB "
                f"(growth {growth:+.0f}%)"
            )
        finally:
            cluster.close()
    print(
        f"scaling 1 -> 2 workers: {rates[2] / rates[1]:.2f}x by the clock, {2 * cpus[1] / cpus[2]:.2f}x by CPU cost "
        f"(CPU-s a report {cpus[1]:.3f} -> {cpus[2]:.3f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="*", default=[1000, 10000])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--backend", default="database", choices=["database", "rq"])
    parser.add_argument("--database", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--floor-reports", type=int, default=10, help="reports bare WeasyPrint renders for the floor")
    args = parser.parse_args()
    if args.rows:
        django_on_scratch_database("bench-bulk-")
        bench_import(args.rows)
    if args.reports:
        bench_workers(args.reports, args.backend, args.database, args.floor_reports)


if __name__ == "__main__":
    main()
