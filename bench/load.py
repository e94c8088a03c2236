"""Load: 50 owners answering and autosaving at once against gunicorn with two workers.

Each simulated owner starts an assessment, then for the run's length changes an answer and
autosaves it, pausing 0.5-1.5 s between changes as a person typing would. At the end the
database must hold every owner's last confirmed answer. Runs against 127.0.0.1 only, in
production settings (DEBUG off), on SQLite and then on PostgreSQL.

Every fourth change the owner also opens the page again (a GET that shows the saved value).
Prints requests per second, p50/p95/p99 latency of autosaves and of page GETs, errors, and
lost answers.
Targets: no errors, no lost answer, p95 autosave under 100 ms on SQLite.

    python bench/load.py [--owners 50] [--seconds 60] [--database sqlite postgres]
"""

from __future__ import annotations

import argparse
import http.cookiejar
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
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 - always http://127.0.0.1
        self.requests += 1
        try:
            with self.http.open(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), dict(error.headers)

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


def run(database: str, owners: int, seconds: int) -> list[str]:
    """One run; returns the targets it missed."""
    cluster = Cluster(backend="database", database=database)
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
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        latencies = sorted(x for t in threads for x in t.latencies)
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
            for t in threads
            if t.confirmed and any(stored.get((t.public_id.replace("-", ""), k)) != v for k, v in t.confirmed.items())
        )

        pages = sorted(x for t in threads for x in t.page_latencies)

        def pct(p: float, values: list[float] = latencies) -> float:
            return values[min(len(values) - 1, int(p * len(values)))] * 1000

        print(
            f"{database}: {owners} owners for {seconds} s, gunicorn 2 workers: {requests / elapsed:.0f} requests/s, "
            f"{len(latencies)} autosaves, p50 {pct(0.5):.0f} ms, p95 {pct(0.95):.0f} ms, p99 {pct(0.99):.0f} ms "
            f"(mean {statistics.mean(latencies) * 1000:.0f} ms); {len(pages)} page GETs, p50 {pct(0.5, pages):.0f} ms, "
            f"p95 {pct(0.95, pages):.0f} ms, p99 {pct(0.99, pages):.0f} ms; errors {errors}, lost answers {lost} "
            "(requests/s follow the owners' pauses, not the server's limit)"
        )
        missed = [what for what, bad in (("errors", errors), ("lost answers", lost)) if bad]
        if database == "sqlite" and pct(0.95) >= 100:
            missed.append("p95 autosave under 100 ms")
        return missed
    finally:
        server.terminate()
        server.wait(timeout=20)
        cluster.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--database", nargs="+", default=["sqlite", "postgres"], choices=["sqlite", "postgres"])
    args = parser.parse_args()
    missed = [f"{database}: {what}" for database in args.database for what in run(database, args.owners, args.seconds)]
    if missed:
        print("TARGETS MISSED: " + "; ".join(missed))
        sys.exit(1)
    print("All targets met.")


if __name__ == "__main__":
    main()
