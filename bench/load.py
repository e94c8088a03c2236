"""Load: 50 owners answering and autosaving at once against gunicorn with two workers.

Each simulated owner starts an assessment, then for the run's length changes an answer and
autosaves it, pausing 0.5-1.5 s between changes as a person typing would. At the end the
database must hold every owner's last confirmed answer. Runs against 127.0.0.1 only, in
production settings (DEBUG off), on SQLite and then on PostgreSQL.

Every fourth change the owner also opens the page again (a GET that shows the saved value).
Beside them, owners who submitted already (--readers, made before the run; a worker prepares
their four PDFs on submit, as in production) open their results page and download their PDFs,
pausing 1-3 s between requests.
Prints requests per second, p50/p95/p99 latency of autosaves, page GETs, results pages and PDF
downloads, errors, and lost answers.
Targets: no errors, no lost answer, p95 autosave under 100 ms on SQLite.

    python bench/load.py [--owners 50] [--readers 6] [--seconds 60] [--database sqlite postgres]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _setup import free_port, production_on_localhost

from tests.cluster import ROOT, Cluster


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Owner(threading.Thread):
    def __init__(self, base: str, number: int, until: float, results: dict):
        super().__init__(daemon=True)
        self.base, self.number, self.until, self.results = base, number, until, results
        self.cookies = http.cookiejar.CookieJar()
        self.http = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), NoRedirect)
        self.latencies: list[float] = []
        self.page_latencies: list[float] = []
        self.errors = 0
        self.requests = 0
        self.confirmed = None
        self.public_id = None

    def call(self, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        status, body, headers = self.fetch(path, data)
        return status, body.decode(errors="replace"), headers

    def fetch(self, path: str, data: dict | None = None) -> tuple[int, bytes, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - always http://127.0.0.1
        self.requests += 1
        try:
            with self.http.open(request, timeout=30) as response:
                return response.status, response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read(), dict(error.headers)

    def csrf(self, html: str) -> str:
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)

    def run(self) -> None:
        rng = random.Random(self.number)
        status, html, _ = self.call("/en/")
        status, _, headers = self.call("/en/start/", {"csrfmiddlewaretoken": self.csrf(html)})
        step = headers.get("Location", "")
        if status != 302 or "/step/" not in step:
            self.errors += 1
            return
        self.public_id = step.split("/a/")[1].split("/")[0]
        status, html, _ = self.call(step)
        token = self.csrf(html)
        n = 0
        while time.monotonic() < self.until:
            n += 1
            value = f"Owner {self.number} draft {n}"
            started = time.perf_counter()
            status, body, _ = self.call(
                step, {"csrfmiddlewaretoken": token, "firm_name": value, "employees": str(n), "action": "autosave"}
            )
            self.latencies.append(time.perf_counter() - started)
            if status == 200 and '"firm_name"' in body and '"employees"' in body:
                self.confirmed = {"firm_name": value, "employees": str(n)}
            else:
                self.errors += 1
            if n % 4 == 0:  # now and then the owner opens the page again (a reload, back from a step)
                started = time.perf_counter()
                status, body, _ = self.call(step)
                self.page_latencies.append(time.perf_counter() - started)
                if status != 200 or value not in body:
                    self.errors += 1
            time.sleep(rng.uniform(0.5, 1.5))


class Reader(Owner):
    """An owner who submitted already: opens the private link, then reads the results page and
    downloads the PDFs now and then, as one does when printing or forwarding the report."""

    def __init__(self, base: str, number: int, until: float, link: dict):
        super().__init__(base, number, until, {})
        self.link = link
        self.pdf_latencies: list[float] = []

    def run(self) -> None:
        rng = random.Random(self.number)
        status, _, headers = self.call(self.link["resume"])
        if status != 302 or not headers.get("Location", "").endswith(self.link["results"]):
            self.errors += 1
            return
        n = 0
        while time.monotonic() < self.until:
            n += 1
            started = time.perf_counter()
            if n % 3 == 1:
                status, page, _ = self.call(self.link["results"])
                self.page_latencies.append(time.perf_counter() - started)
                ok = status == 200 and self.link["firm"] in page
            else:
                status, pdf, _ = self.fetch(self.link["pdfs"][n % len(self.link["pdfs"])])
                self.pdf_latencies.append(time.perf_counter() - started)
                ok = status == 200 and pdf.startswith(b"%PDF")
            if not ok:
                self.errors += 1
            time.sleep(rng.uniform(1, 3))


# Made in the deployment's own database, through the services, as the wizard would: each
# reader's private link (the token the owner's browser keeps) and the paths of their pages.
READERS_SCRIPT = """
import json
from django.urls import reverse
from django.utils import translation
from assessment.questionnaire.samples import sample_answers, sample_firm
from assessment.selectors import current_version, questionnaire_of
from assessment.reports.services import reports_prepare
from assessment.services import answers_save, assessment_create, assessment_submit
version = current_version(); qn = questionnaire_of(version); links = []
for n in range({count}):
    lang = ("zh-hans", "en")[n % 2]
    assessment, token = assessment_create(version=version, owner=None, language=lang)
    answers = sample_answers(qn, sample_firm(qn, n), 0.5, seed=n)
    answers["firm_name"] = f"Reader firm {{n}}"
    answers_save(assessment=assessment, values=answers)
    assessment_submit(assessment=assessment)
    reports_prepare(assessment=assessment)  # as the submit page does
    with translation.override(lang):
        pdf = reverse("report_pdf", args=[assessment.public_id])
        results = reverse("results", args=[assessment.public_id])
        links.append({{"resume": reverse("resume", args=[token]), "results": results,
            "firm": f"Reader firm {{n}}",
            "pdfs": [f"{{pdf}}?lang={{lang}}&variant={{variant}}" for variant in ("summary", "full")]}})
print(json.dumps({{"links": links}}))
"""


def readers_ready(cluster: Cluster, count: int, timeout: float = 300) -> list[dict]:
    """Submit `count` owners' assessments and wait until the worker has stored their PDFs."""
    links = cluster.python(READERS_SCRIPT.format(count=count))["links"]
    deadline = time.monotonic() + timeout
    while cluster.sql("SELECT COUNT(*) FROM assessment_reportfile")[0][0] < 4 * count:
        if time.monotonic() > deadline:
            raise RuntimeError("the worker did not prepare the readers' PDFs in time")
        time.sleep(1)
    return links


def pct(p: float, values: list[float]) -> float:
    return values[min(len(values) - 1, int(p * len(values)))] * 1000 if values else float("nan")


def figures(values: list[float]) -> str:
    values = sorted(values)
    return f"p50 {pct(0.5, values):.0f} ms, p95 {pct(0.95, values):.0f} ms, p99 {pct(0.99, values):.0f} ms"


def run(database: str, owners: int, readers: int, seconds: int) -> list[str]:
    """One run; returns the targets it missed."""
    cluster = Cluster(backend="database", database=database)
    try:
        if readers:
            cluster.start_workers(1)
        links = readers_ready(cluster, readers) if readers else []
    except BaseException:
        cluster.close()  # its worker too
        raise
    port = free_port()
    env = {
        **cluster.env,
        **production_on_localhost(port),
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        # Warm both workers first (imports, the parsed questionnaire, connections): the figures
        # are for a running server, not for its first seconds.
        warm = [Owner(f"http://127.0.0.1:{port}", 1000 + n, time.monotonic() + 3, {}) for n in range(4)]
        for thread in warm:
            thread.start()
        for thread in warm:
            thread.join()
        until = time.monotonic() + seconds
        results: dict = {}
        threads = [Owner(f"http://127.0.0.1:{port}", n, until, results) for n in range(owners)]
        threads += [Reader(f"http://127.0.0.1:{port}", 500 + n, until, link) for n, link in enumerate(links)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        writers = [t for t in threads if not isinstance(t, Reader)]
        latencies = sorted(x for t in writers for x in t.latencies)
        requests = sum(t.requests for t in threads)
        errors = sum(t.errors for t in threads)
        rows = cluster.sql(
            "SELECT a.public_id, v.question_key, v.value FROM assessment_answer v JOIN assessment_assessment a "
            "ON a.id = v.assessment_id WHERE v.question_key IN ('firm_name', 'employees')"
        )
        stored = {(str(p).replace("-", ""), k): (v if isinstance(v, str) else str(v)).strip('"') for p, k, v in rows}
        # Every field of every owner's last confirmed autosave must be in the database.
        lost = sum(
            1
            for t in writers
            if t.confirmed and any(stored.get((t.public_id.replace("-", ""), k)) != v for k, v in t.confirmed.items())
        )

        pages = [x for t in writers for x in t.page_latencies]
        result_pages = [x for t in threads if isinstance(t, Reader) for x in t.page_latencies]
        pdfs = [x for t in threads if isinstance(t, Reader) for x in t.pdf_latencies]
        print(
            f"{database}: {owners} owners and {readers} readers for {seconds} s, gunicorn 2 workers, load "
            f"{os.getloadavg()[0]:.1f}: {requests / elapsed:.0f} requests/s; {len(latencies)} autosaves, "
            f"{figures(latencies)} (mean {statistics.mean(latencies) * 1000:.0f} ms); {len(pages)} step GETs, "
            f"{figures(pages)}; {len(result_pages)} results pages, {figures(result_pages)}; {len(pdfs)} PDF downloads "
            f"(stored), {figures(pdfs)}; errors {errors}, lost answers {lost} "
            "(requests/s follow the owners' pauses, not the server's limit)"
        )
        missed = [what for what, bad in (("errors", errors), ("lost answers", lost)) if bad]
        if database == "sqlite" and pct(0.95, latencies) >= 100:
            missed.append("p95 autosave under 100 ms")
        return missed
    finally:
        server.terminate()
        server.wait(timeout=20)
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=50)
    parser.add_argument("--readers", type=int, default=6, help="owners who submitted, reading and downloading")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--database", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = parser.parse_args()
    missed = [
        f"{database}: {what}"
        for database in args.database
        for what in run(database, args.owners, args.readers, args.seconds)
    ]
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("All targets met.")


if __name__ == "__main__":
    main()
