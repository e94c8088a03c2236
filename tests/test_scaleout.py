"""The bulk pipeline deployed as in production: PostgreSQL, Redis and two real RQ worker
processes, everything chosen by environment variables (see docs/deploy.md)."""

import os

import pytest

from tests.cluster import PG, REDIS, Cluster, reachable

SERVICES = reachable(PG["host"], PG["port"]) and reachable(*REDIS)
# On CI the services are part of the machine: there a missing service is a failure, not a skip.
pytestmark = pytest.mark.skipif(
    not SERVICES and not os.getenv("CI"), reason="PostgreSQL on 5432 and Redis on 6379 are needed"
)


@pytest.mark.parametrize("backend,database", [("rq", "postgres"), ("database", "sqlite")])
def test_it_renders_a_campaigns_reports_with_two_worker_processes(backend, database):
    cluster = Cluster(backend=backend, database=database)
    try:
        campaign = cluster.seed(rows=8)
        cluster.start_workers(2)
        job = cluster.start_job(campaign, lang="zh-hans", variant="summary")
        progress = cluster.wait(job, timeout=300)
        assert progress == {"done": 8, "failed": 0, "pending": 0, "total": 8}
        files = cluster.python(
            "import json; from assessment.models import BulkItem; "
            f"items = BulkItem.objects.filter(job_id={job}).select_related('report'); "
            "print(json.dumps([i.report.file.storage.exists(i.report.file.name) for i in items]))"
        )
        assert files == [True] * 8
        # Both processes took work from the shared queue.
        logs = cluster.worker_logs()
        marker = "Successfully completed" if backend == "rq" else "state=SUCCESSFUL"
        assert all(marker in log for log in logs), logs
    finally:
        cluster.close()


def test_it_removes_only_rqs_keys_from_the_redis_database_it_uses():
    # The machine's Redis may hold other people's data: a run clears RQ's leftovers, not the rest.
    import redis

    from tests.cluster import REDIS_DB

    client = redis.Redis(host=REDIS[0], port=REDIS[1], db=REDIS_DB)
    client.set("someone-else:kept", "1")
    client.set("rq:job:left-over", "1")
    try:
        cluster = Cluster.__new__(Cluster)  # only the Redis part: no database, no workers
        cluster.redis_db = REDIS_DB
        cluster._redis_flush()
        assert client.get("someone-else:kept") == b"1"
        assert client.get("rq:job:left-over") is None
    finally:
        client.delete("someone-else:kept", "rq:job:left-over")
