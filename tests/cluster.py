"""A throwaway deployment for the scale-out test and bench/bulk.py: its own database
(a fresh PostgreSQL database or SQLite file), its own Redis database number, and real
worker processes started with `manage.py worker`, all driven through manage.py.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = {"host": "127.0.0.1", "port": 5432}
REDIS = ("127.0.0.1", 6379)
# The Redis database the scale-out runs use (TEST_REDIS_DB to choose another). Only RQ's own
# keys ("rq:…") are ever removed from it, never the rest of what a shared Redis holds.
REDIS_DB = int(os.getenv("TEST_REDIS_DB", "15"))


def reachable(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex((host, port)) == 0


class Cluster:
    def __init__(self, *, backend: str, database: str):
        self.workdir = Path(tempfile.mkdtemp(prefix="sme-cluster-"))
        self.workers: list[tuple[subprocess.Popen, Path]] = []
        self.pg_name = None
        if database == "postgres":
            self.pg_name = f"sme_cluster_{secrets.token_hex(4)}"
            self._psql(f"CREATE DATABASE {self.pg_name}")
            url = f"postgres://{PG['host']}:{PG['port']}/{self.pg_name}"
        else:
            url = f"sqlite:///{self.workdir / 'db.sqlite3'}"
        # RQ's keys are cleared before and after, so runs never mix.
        self.redis_db = REDIS_DB
        self.env = {
            **os.environ,
            "DATABASE_URL": url,
            "TASK_BACKEND": backend,
            "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/{self.redis_db}",
            "MEDIA_ROOT": str(self.workdir / "media"),
            "DEBUG": "true",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        if backend == "rq":
            self._redis_flush()
        # As `make run` sets up: migrations, the database cache (join limits, the "being
        # prepared" marks) and the shipped questionnaires; no static files (the tests load none).
        self.manage("prepare", "--no-static")

    def _psql(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(host=PG["host"], port=PG["port"], dbname="test", autocommit=True) as conn:
            conn.execute(sql)

    def _redis_flush(self) -> None:
        """Remove RQ's keys (queues, jobs, registries) from the run's database, and nothing else."""
        import redis

        client = redis.Redis(host=REDIS[0], port=REDIS[1], db=self.redis_db)
        keys = list(client.scan_iter(match="rq:*", count=1000))
        if keys:
            client.delete(*keys)

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=900
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def python(self, code: str) -> dict:
        """Run code with Django set up; it must print one JSON object as its last line."""
        out = self.manage("shell", "-c", code)
        return json.loads(out.strip().splitlines()[-1])

    def start_workers(self, count: int) -> None:
        for n in range(count):
            log = self.workdir / f"worker-{n}.log"
            handle = log.open("w")
            process = subprocess.Popen(
                [sys.executable, "manage.py", "worker"], cwd=ROOT, env=self.env, stdout=handle, stderr=subprocess.STDOUT
            )
            self.workers.append((process, log))

    def worker_rss_kib(self) -> list[int]:
        """Resident memory of each worker process (not its short-lived render children)."""
        sizes = []
        for process, _log in self.workers:
            status = Path(f"/proc/{process.pid}/status").read_text()
            sizes.append(int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))))
        return sizes

    def worker_logs(self) -> list[str]:
        return [log.read_text() for _process, log in self.workers]

    def seed(self, rows: int) -> int:
        return int(self.manage("seed_campaign", "--rows", str(rows)).strip().splitlines()[-1])

    def start_job(self, campaign_id: int, lang: str = "zh-hans", variant: str = "full") -> int:
        return self.python(
            "import json; from assessment.bulk import services; from assessment.models import Campaign; "
            f"job = services.bulk_job_start(campaign=Campaign.objects.get(pk={campaign_id}), user=None, "
            f"language={lang!r}, variant={variant!r}); print(json.dumps({{'job': job.pk}}))"
        )["job"]

    def progress(self, job_id: int) -> dict:
        # Straight SQL, not a manage.py process per poll: that would steal the workers' CPU.
        rows = self.sql("SELECT status, COUNT(*) FROM assessment_bulkitem WHERE job_id = %s GROUP BY status", job_id)
        counts = dict(rows)
        done, failed = counts.get("done", 0), counts.get("failed", 0)
        total = sum(counts.values())
        return {"done": done, "failed": failed, "pending": total - done - failed, "total": total}

    def sql(self, query: str, *params) -> list[tuple]:
        if self.pg_name:
            import psycopg

            with psycopg.connect(host=PG["host"], port=PG["port"], dbname=self.pg_name) as conn:
                return conn.execute(query, params).fetchall()
        import sqlite3

        with sqlite3.connect(self.workdir / "db.sqlite3", timeout=30) as conn:
            return conn.execute(query.replace("%s", "?"), params).fetchall()

    def wait(self, job_id: int, timeout: float, on_progress=None) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            progress = self.progress(job_id)
            if on_progress:
                on_progress(progress)
            if progress["pending"] == 0 or time.monotonic() > deadline:
                return progress
            for process, log in self.workers:
                if process.poll() is not None:
                    raise RuntimeError(f"a worker died:\n{log.read_text()[-3000:]}")
            time.sleep(1)

    def close(self) -> None:
        for process, _log in self.workers:
            process.terminate()
        for process, _log in self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        if self.env["TASK_BACKEND"] == "rq":
            self._redis_flush()
        if self.pg_name:
            self._psql(f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)")
        shutil.rmtree(self.workdir, ignore_errors=True)
