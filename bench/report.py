"""PDF report speed, size and memory: the app's real paths against plain WeasyPrint.

Run: .venv/bin/python bench/report.py [--renders 7] [--debug]

For a realistic full report and the owner's summary (a mid-scoring exporter, with the stress
test filled in) in zh-hans and en, in production settings (DEBUG off) unless --debug, four
variants run in turn, round after round (so drift and other work on the machine hit them
alike), each after a full garbage collection:

- bare: plain WeasyPrint, `HTML(string=html).write_pdf()` on the app's final HTML with one
  CSS and one FontConfiguration built here once and reused, writing a tagged PDF as the app does
  (the floor: none of the app's code); untagged: the same without the structure tree;
- in process: report data + template + the app's WeasyPrint step (`pdf.render_pdf`);
- web: what a download that finds no stored PDF runs (`reports.services.report_pdf`: inputs,
  digest, the web process's bounded render child, kept for PDF_CHILD_IDLE_SECONDS after a
  render, storing the file);
- web, cold child: the same with a child forked for this render (PDF_CHILD_IDLE_SECONDS=0), as
  a web process's first render after a quiet spell;
- worker: the same service inside `pdf.render_session()` (a worker's long-lived render child).

It prints the median wall time and CPU time (this process's plus the render child's) with
their ratio to bare (the median of each round's ratio to that round's bare render, and the
quartiles of those ratios: one round's render differs from the next by up to 20 % on a shared
machine, which pairing cancels in part), for the paths with a render child this process's own
CPU time (the app's work around WeasyPrint's: data, template, digest, storing), the 1-minute
load average over the rounds, the layout work (pages made,
of which re-made for the contents' page numbers), the PDF's size and pages; at the end the
resident memory of this process (the web or worker process) and of the render children.
Targets (issue 17): every path at most 1.05 x bare (but the cold child, by nature); the zh
summary at most 0.35 s.
Uses a throw-away SQLite database (or BENCH_DATABASE_URL) and media folder.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import resource
import statistics
import time
from collections.abc import Callable, Iterator

from _setup import EXPORTER, django_on_scratch_database

STRESS = {  # rough figures in 10,000 yuan a month, as an owner gives them; scenario -50 % for 3 months
    "stress_wages": 60,
    "stress_social_insurance": 15,
    "stress_rent": 12,
    "stress_loan_payments": 8,
    "stress_other_fixed": 5,
    "stress_cash": 150,
    "stress_credit": 50,
    "stress_revenue": 400,
    "stress_variable_share": 70,
    "stress_drop": "50",
    "stress_months": "3",
}


def _session_child_pid(session: object = None) -> int | None:
    """The live child of a render session (by default the one open now: the worker's)."""
    from assessment.reports import pdf

    session = session or pdf._session
    child = getattr(session, "child", None)
    if child is not None and child.process.pid and child.process.is_alive():
        return child.process.pid
    return None


def _child_cpu_seconds() -> float:
    """CPU time of this process's waited-for children plus the live render children's (the
    worker's session and the web process's kept child)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = used.ru_utime + used.ru_stime
    for pid in {_session_child_pid(), _session_child_pid(_web_session)} - {None}:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _memory_mib(pid: int | str, *fields: str) -> dict[str, float]:
    """Fields of /proc/PID/status (VmRSS, VmHWM) and smaps_rollup (Pss: shared pages split)."""
    found: dict[str, float] = {}
    for name in ("status", "smaps_rollup"):
        with open(f"/proc/{pid}/{name}") as lines:
            for line in lines:
                key, _, value = line.partition(":")
                if key in fields:
                    found[key] = int(value.split()[0]) / 1024
    return found


def _timed(run: Callable[[], object]) -> tuple[float, float, float]:
    """Wall time, CPU time (this process and its render children) and this process's own CPU
    time (for a path with a render child: the app's work around WeasyPrint's)."""
    gc.collect()
    own = time.process_time()
    cpu = own + _child_cpu_seconds()
    start = time.perf_counter()
    run()
    wall = time.perf_counter() - start
    own_after = time.process_time()
    return wall, own_after + _child_cpu_seconds() - cpu, own_after - own


_web_session: object = None


@contextlib.contextmanager
def _outside_session(keep_child: bool = True) -> Iterator[None]:
    """Run as a web process does, with its own render child (kept between renders, or with
    keep_child=False one per render), while the worker's session stays open."""
    from django.test.utils import override_settings

    from assessment.reports import pdf

    global _web_session
    worker, pdf._session = pdf._session, _web_session if keep_child else None
    try:
        with override_settings(PDF_CHILD_IDLE_SECONDS=600 if keep_child else 0):
            yield
    finally:
        if keep_child:
            _web_session = pdf._session
        pdf._session = worker


def _layout_counts(html: str) -> tuple[int, int]:
    """(pages, pages made) of one render: WeasyPrint re-makes a page only where a page-based
    counter it shows changed since it was laid out (the contents' page numbers)."""
    import weasyprint.layout.page as page_layout
    from pypdf import PdfReader

    from assessment.reports import pdf

    made = 0
    original = page_layout.make_page

    def counting(*args, **kwargs):
        nonlocal made
        made += 1
        return original(*args, **kwargs)

    page_layout.make_page = counting
    try:
        data = pdf.html_to_pdf(html)
    finally:
        page_layout.make_page = original
    return len(PdfReader(io.BytesIO(data)).pages), made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=7)
    parser.add_argument("--debug", action="store_true", help="DEBUG on, as under runserver")
    args = parser.parse_args()

    django_on_scratch_database("bench-report-", debug=args.debug)
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from assessment import selectors, services
    from assessment.models import ReportFile
    from assessment.questionnaire.samples import sample_answers
    from assessment.reports import pdf
    from assessment.reports import services as report_services
    from assessment.reports.builder import build_report

    version = selectors.current_version()
    qn = selectors.questionnaire_of(version)
    assessment, _ = services.assessment_create(version=version, owner=None, language="zh-hans")
    values = sample_answers(qn, EXPORTER, 0.55, seed=11)
    missing = set(STRESS) - set(qn.questions)
    assert not missing, f"the stress questions changed: {missing}"
    values.update(STRESS)
    services.answers_save(assessment=assessment, values=values)
    services.assessment_submit(assessment=assessment)
    answers = selectors.answers_of(assessment)
    print(f"fast font subsetting (libharfbuzz-subset): {pdf.fast_subsetting_available()}")
    print(
        f"triggered actions: {len(assessment.outcome.actions)}; {os.cpu_count()} CPUs; "
        f"DEBUG {'on' if args.debug else 'off'}; {args.renders} rounds"
    )

    # The floor, built once as any WeasyPrint user would: the fetcher only maps the report's
    # https://report.invalid/static/ URLs (fonts, logo) to the files under static/.
    fonts = FontConfiguration()
    css = CSS(
        string=(pdf.static_dir() / pdf.STYLESHEET).read_text(encoding="utf-8"),
        base_url=pdf.BASE_URL + "css/",
        url_fetcher=pdf.fetcher(),
        font_config=fonts,
    )

    def bare(html: str, tagged: bool = True) -> bytes:
        # The same kind of PDF as the app writes (tagged: PDF_OPTIONS), and untagged beside it,
        # so the cost of the structure tree shows apart from the app's own.
        options = pdf.PDF_OPTIONS if tagged else {}
        return HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf.fetcher()).write_pdf(
            stylesheets=[css], font_config=fonts, **options
        )

    def stored(lang: str, variant: str) -> bytes:
        ReportFile.objects.filter(assessment=assessment).delete()  # no stored PDF: render it now
        report = report_services.report_pdf(assessment=assessment, lang=lang, variant=variant)
        return report.file.read()

    def web(lang: str, variant: str, keep_child: bool = True) -> bytes:
        with _outside_session(keep_child):
            return stored(lang, variant)

    child_memory: dict[str, float] = {}
    with pdf.render_session():
        for variant in ("full", "summary"):
            for lang in ("zh-hans", "en"):
                html = pdf.report_html(build_report(assessment, qn, answers, lang), variant)
                paths: dict[str, Callable[[], object]] = {
                    "bare": lambda html=html: bare(html),
                    "untagged": lambda html=html: bare(html, tagged=False),
                    "in process": lambda lang=lang, variant=variant: pdf.render_pdf(
                        build_report(assessment, qn, answers, lang), variant
                    ),
                    "web": lambda lang=lang, variant=variant: web(lang, variant),
                    "web, cold": lambda lang=lang, variant=variant: web(lang, variant, keep_child=False),
                    "worker": lambda lang=lang, variant=variant: stored(lang, variant),
                }
                for run in paths.values():
                    run()  # warm-up: fonts, stylesheet, templates, the session's child
                walls: dict[str, list[float]] = {name: [] for name in paths}
                cpus: dict[str, list[float]] = {name: [] for name in paths}
                owns: dict[str, list[float]] = {name: [] for name in paths}
                load_before = os.getloadavg()[0]
                for _ in range(args.renders):
                    for name, run in paths.items():
                        wall, cpu, own_cpu = _timed(run)
                        walls[name].append(wall)
                        cpus[name].append(cpu)
                        owns[name].append(own_cpu)
                load_after = os.getloadavg()[0]
                pages, made = _layout_counts(html)
                size = len(web(lang, variant))
                print(
                    f"{lang} {variant}: {pages} pages, {size / 1024:.0f} KB, layout made {made} pages "
                    f"({made - pages} re-made for page numbers); load {load_before:.2f}-{load_after:.2f}"
                )
                for name in paths:
                    wall, cpu = statistics.median(walls[name]), statistics.median(cpus[name])
                    # Each round's ratio to the bare render of the same round, then their median:
                    # a slow spell of the machine touches both sides of a ratio alike.
                    wall_ratio = statistics.median(v / b for v, b in zip(walls[name], walls["bare"], strict=True))
                    cpu_ratios = sorted(v / b for v, b in zip(cpus[name], cpus["bare"], strict=True))
                    spread = f"{cpu_ratios[len(cpu_ratios) // 4]:.2f}-{cpu_ratios[-1 - len(cpu_ratios) // 4]:.2f}"
                    own = ""
                    if name in ("web", "web, cold", "worker"):
                        own = f"   this process {statistics.median(owns[name]) * 1000:4.0f} ms"
                    print(
                        f"  {name:10} wall {wall:6.3f} s  CPU {cpu:6.3f} s   ratio to bare: "
                        f"wall {wall_ratio:4.2f}  CPU {statistics.median(cpu_ratios):4.2f} (quartiles {spread}){own}"
                    )
        pid = _session_child_pid()
        if pid is not None:
            child_memory = _memory_mib(pid, "VmRSS", "VmHWM", "Pss")
    own = _memory_mib("self", "VmRSS", "VmHWM", "Pss")
    forked_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"memory: this (web or worker) process RSS {own['VmRSS']:.0f} MiB (peak {own['VmHWM']:.0f}); "
        f"worker's render child after all renders RSS {child_memory.get('VmRSS', 0):.0f} MiB "
        f"(peak {child_memory.get('VmHWM', 0):.0f}, own share PSS {child_memory.get('Pss', 0):.0f}); "
        f"largest per-render child peak RSS {forked_peak:.0f} MiB (RSS counts pages shared with this process)"
    )


if __name__ == "__main__":
    main()
