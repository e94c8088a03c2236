"""A worker's first reports: its render child forked from a cold process or from a warmed one.

Run: .venv/bin/python bench/worker_start.py [--rounds 5]

Each round starts two fresh worker-like processes, in alternating order: "cold" enters
`pdf.render_session()` and renders at once, as the worker did before; "warm" first runs
what `manage.py worker` now runs at start (`reports_warm_up()`, a sample full report in each
language rendered in the process, then `render_session_start()`, the child forked from it).
Both then store, through `reports.services.report_pdf`, an owner's zh summary, zh full report
and en summary, as the worker does after a submission. Printed: medians of wall and CPU time
(the process's and the render child's) of each of those renders, their ratio to plain
WeasyPrint (`HTML(string).write_pdf()` with one reused CSS and font configuration, warm, in
the same process: the floor of bench/report.py), the warm-up's own time (spent at start, before
any task), the resident memory of the process and of its child, and the load average.
Production settings; a throw-away SQLite database and media folder per process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _setup import EXPORTER, django_on_scratch_database

RENDERS = (("zh-hans", "summary"), ("zh-hans", "full"), ("en", "summary"))


def _cpu_seconds(pid: int | str) -> float:
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int | str) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def child(mode: str) -> None:
    django_on_scratch_database(f"bench-worker-{mode}-", debug=False)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from assessment import selectors, services
    from assessment.questionnaire.samples import sample_answers
    from assessment.reports import pdf
    from assessment.reports import services as report_services
    from assessment.reports.builder import build_report

    version = selectors.current_version()
    qn = selectors.questionnaire_of(version)
    assessment, _ = services.assessment_create(version=version, owner=None, language="zh-hans")
    services.answers_save(assessment=assessment, values=sample_answers(qn, EXPORTER, 0.55, seed=11))
    services.assessment_submit(assessment=assessment)
    out: dict[str, object] = {"mode": mode}
    with pdf.render_session():
        started = time.perf_counter()
        if mode == "warm":
            report_services.reports_warm_up()
            pdf.render_session_start()
        out["warm_up"] = time.perf_counter() - started
        times = {}
        for lang, variant in RENDERS:
            session_child = pdf._session.child if pdf._session else None
            child_cpu = _cpu_seconds(session_child.process.pid) if session_child else 0.0
            cpu, wall = time.process_time(), time.perf_counter()
            report_services.report_pdf(assessment=assessment, lang=lang, variant=variant)
            wall = time.perf_counter() - wall
            session_child = pdf._session.child
            assert session_child is not None
            spent = time.process_time() - cpu + _cpu_seconds(session_child.process.pid) - child_cpu
            times[f"{lang} {variant}"] = (wall, spent)
        out["renders"] = times
        out["rss"] = (_rss_mib("self"), _rss_mib(session_child.process.pid))
    # The floor, warm, in this same process: as bench/report.py's "bare".
    fonts = FontConfiguration()
    css = CSS(
        string=(pdf.static_dir() / pdf.STYLESHEET).read_text(encoding="utf-8"),
        base_url=pdf.BASE_URL + "css/",
        url_fetcher=pdf.fetcher(),
        font_config=fonts,
    )
    answers = selectors.answers_of(assessment)
    bare = {}
    for lang, variant in RENDERS:
        html = pdf.report_html(build_report(assessment, qn, answers, lang), variant)
        runs = []
        for _ in range(3):
            cpu = time.process_time()
            HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.fetcher()).write_pdf(
                stylesheets=[css], font_config=fonts
            )
            runs.append(time.process_time() - cpu)
        bare[f"{lang} {variant}"] = min(runs[1:])
    out["bare"] = bare
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", choices=("cold", "warm"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    results: dict[str, list[dict]] = {"cold": [], "warm": []}
    loads = []
    for n in range(args.rounds):
        for mode in ("cold", "warm") if n % 2 == 0 else ("warm", "cold"):
            done = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--child", mode],
                check=True,
                capture_output=True,
                text=True,
            )
            results[mode].append(json.loads(done.stdout.strip().splitlines()[-1]))
            loads.append(os.getloadavg()[0])
    print(f"{args.rounds} rounds, fresh processes in ABAB order; load {min(loads):.2f}-{max(loads):.2f}")
    for mode in ("cold", "warm"):
        runs = results[mode]
        warm_up = statistics.median(r["warm_up"] for r in runs)
        rss = [statistics.median(r["rss"][i] for r in runs) for i in (0, 1)]
        print(f"{mode}: warm-up at start {warm_up:.2f} s; RSS process {rss[0]:.0f} MiB, render child {rss[1]:.0f} MiB")
        for n, key in enumerate(f"{lang} {variant}" for lang, variant in RENDERS):
            wall = statistics.median(r["renders"][key][0] for r in runs)
            cpu = statistics.median(r["renders"][key][1] for r in runs)
            bare = statistics.median(r["bare"][key] for r in runs)
            label = "first report" if n == 0 else "then"
            print(
                f"  {label:<12} {key:<16} wall {wall:5.2f} s  CPU {cpu:5.2f} s  bare CPU {bare:5.2f} s  "
                f"ratio {cpu / bare:4.2f}"
            )


if __name__ == "__main__":
    main()
