"""Bring the database, the shipped content, the compiled translations and the collected static
files up to date, in one process and doing only what is behind: `make run` and `make test`
start with it, and once everything is current it takes about as long as Django takes to start."""

import hashlib
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assessment.content import content_files
from assessment.models import QuestionnaireVersion


def stale_catalogues() -> list[Path]:
    """The translation catalogues (.po) whose compiled .mo is missing or older."""
    stale = []
    for po in sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def content_behind() -> list[Path]:
    """The shipped content files whose version (named in the file name) is not loaded, or was
    loaded before the file last changed: only those are read again (parsing all of them took
    half a second of every start). An edited file under a loaded version is still read, so
    loading refuses it as before."""
    loaded = dict(QuestionnaireVersion.objects.values_list("version", "loaded_at"))
    behind = []
    for path in content_files():
        loaded_at = loaded.get(path.stem.removeprefix("questionnaire-"))
        if loaded_at is None or loaded_at.timestamp() < path.stat().st_mtime:
            behind.append(path)
    return behind


# Beside the collected files: the static_signature() they were collected at.
COLLECTED_MARK = ".collected"


def static_signature() -> str:
    """What collectstatic would gather, and how: every file's name, size and modification time,
    and the storage. An edited, added or removed file changes it."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    ignored = getattr(apps.get_app_config("staticfiles"), "ignore_patterns", [])  # StaticFilesConfig
    for finder in finders.get_finders():
        for path, storage in sorted(finder.list(ignored), key=lambda found: found[0]):
            stat = os.stat(storage.path(path))
            digest.update(f"\n{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def static_behind() -> bool:
    mark = Path(settings.STATIC_ROOT) / COLLECTED_MARK
    return not mark.exists() or mark.read_text(encoding="utf-8") != static_signature()


class Command(BaseCommand):
    # The server and the tests that follow run Django's checks; here they cost a second of
    # every start (they import every URLconf and view).
    requires_system_checks: list[str] = []
    help = (
        "Migrate, create the cache table, load the shipped questionnaires, compile translations, collect "
        "static files: each only if behind."
    )

    def handle(self, *args, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", "--noinput", verbosity=0)
        call_command("createcachetable", verbosity=0)  # a no-op once it exists
        if behind := content_behind():
            call_command("load_questionnaire", *behind, stdout=self.stdout, stderr=self.stderr)
        if stale_catalogues():
            call_command("compilemessages", ignore_patterns=[".venv", ".cache"], verbosity=0)
        # WhiteNoise serves the collected copies, compressed, under `make run` as in production.
        if static_behind():
            call_command("collectstatic", "--noinput", verbosity=0)
            mark = Path(settings.STATIC_ROOT) / COLLECTED_MARK
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.write_text(static_signature(), encoding="utf-8")
