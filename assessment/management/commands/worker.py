"""Run a background worker for whichever task backend TASK_BACKEND selects."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from assessment.reports import pdf
from assessment.reports.services import reports_warm_up


class Command(BaseCommand):
    help = "Run tasks (bulk PDF reports): the database worker, or an RQ worker when TASK_BACKEND=rq."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="run what is queued, then exit")

    def handle(self, *args, burst: bool, **options):
        if settings.TASK_BACKEND not in ("database", "rq"):
            raise CommandError(f"TASK_BACKEND={settings.TASK_BACKEND} runs tasks in the request: no worker needed.")
        # Both run tasks in this process, so the reports of a whole job go to one long-lived,
        # bounded render child that stays warm (pdf.render_session), not to a cold fork each.
        with pdf.render_session():
            # A long-running worker warms this process once (about 4 s), then forks the render
            # child from it: every child (the first, and each successor after one retires or
            # fails) starts warm. A burst run ends with its queue: it would not earn that back.
            if not burst:
                reports_warm_up()
                pdf.render_session_start()
            if settings.TASK_BACKEND == "database":
                extra = ["--batch"] if burst else []
                call_command("db_worker", "--no-reload", "--interval", "0.5", *extra)
            else:
                # django-tasks-rq needs its Job class to run django.tasks tasks. SimpleWorker
                # runs jobs in this process (a forking worker would start each job cold).
                extra = ["--burst"] if burst else []
                call_command(
                    "rqworker",
                    "default",
                    "--job-class",
                    "django_tasks_rq.backend.Job",
                    "--worker-class",
                    "rq.worker.SimpleWorker",
                    *extra,
                )
