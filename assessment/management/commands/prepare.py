"""Bring the database, the shipped content and the compiled translations up to date, in one
process and doing only what is behind: `make run` and `make test` start with it, and once
everything is current it takes about as long as Django takes to start."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def stale_catalogues() -> list[Path]:
    """The translation catalogues (.po) whose compiled .mo is missing or older."""
    stale = []
    for po in sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


class Command(BaseCommand):
    help = (
        "Migrate, create the cache table, load the shipped questionnaires, compile translations: each only if behind."
    )

    def handle(self, *args, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", "--noinput", verbosity=0)
        call_command("createcachetable", verbosity=0)  # a no-op once it exists
        call_command("load_questionnaire", stdout=self.stdout, stderr=self.stderr)
        if stale_catalogues():
            call_command("compilemessages", ignore_patterns=[".venv", ".cache"], verbosity=0)
