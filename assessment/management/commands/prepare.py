"""Bring the database, the shipped content, the compiled translations and the collected static
files up to date, in one process and doing only what is behind: `make run` and `make test`
start with it, and once everything is current it takes about as long as Django takes to start."""

import hashlib
import os
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestStaticFilesStorage
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.module_loading import import_string

from assessment.content import content_files
from assessment.models import QuestionnaireVersion
from assessment.services import source_sha256


def stale_catalogues() -> list[Path]:
    """The translation catalogues (.po) whose compiled .mo is missing or older."""
    stale = []
    for po in sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            stale.append(po)
    return stale


def content_behind() -> list[Path]:
    """The shipped content files whose version (named in the file name) is not loaded, or whose
    text differs from the text it was loaded from: only those are read again (parsing all of
    them took half a second of every start), so an edited file under a loaded version is still
    refused by loading, as before."""
    loaded = dict(QuestionnaireVersion.objects.values_list("version", "source_sha256"))
    return [
        path
        for path in content_files()
        if loaded.get(path.stem.removeprefix("questionnaire-")) != source_sha256(path.read_text(encoding="utf-8"))
    ]


# Beside the collected files: the static_signature() they were collected at.
COLLECTED_MARK = ".collected"


def _static_sources() -> list[tuple[str, os.stat_result]]:
    """What collectstatic would gather: each file's name and stat, in name order."""
    ignored = getattr(apps.get_app_config("staticfiles"), "ignore_patterns", [])  # StaticFilesConfig
    found = []
    for finder in finders.get_finders():
        for path, storage in finder.list(ignored):
            found.append((path, os.stat(storage.path(path))))
    return sorted(found, key=lambda source: source[0])


def static_signature(sources: list[tuple[str, os.stat_result]]) -> str:
    """The sources' names, sizes and modification times, and the storage: an edited, added or
    removed file changes it."""
    digest = hashlib.sha256(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    for path, stat in sources:
        digest.update(f"\n{path}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def static_behind(sources: list[tuple[str, os.stat_result]]) -> bool:
    """True unless STATIC_ROOT holds what the sources (_static_sources()) give, as collected by
    prepare. Under plain names (development) every file must be there too: a production
    collectstatic into the same folder keeps only the hashed names, and a hand may have deleted some."""
    root = Path(settings.STATIC_ROOT)
    mark = root / COLLECTED_MARK
    if not mark.exists() or mark.read_text(encoding="utf-8") != static_signature(sources):
        return True
    if issubclass(import_string(settings.STORAGES["staticfiles"]["BACKEND"]), ManifestStaticFilesStorage):
        return False
    return not all((root / path).is_file() for path, _stat in sources)


class Command(BaseCommand):
    # The server and the tests that follow run Django's checks; here they cost a second of
    # every start (they import every URLconf and view).
    requires_system_checks: list[str] = []
    help = (
        "Migrate, create the cache table, load the shipped questionnaires, compile translations, collect "
        "static files: each only if behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-static", action="store_true", help="leave the static files alone (a worker serves none)"
        )

    def handle(self, *args, no_static=False, **options):
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            call_command("migrate", "--noinput", verbosity=0)
        call_command("createcachetable", verbosity=0)  # a no-op once it exists
        if behind := content_behind():
            call_command("load_questionnaire", *behind, stdout=self.stdout, stderr=self.stderr)
        if stale_catalogues():
            call_command("compilemessages", ignore_patterns=[".venv", ".cache"], verbosity=0)
        # WhiteNoise serves the collected copies, compressed, under `make run` as in production.
        if no_static:
            return
        # The sources as they were before collecting: a file edited meanwhile is collected next time.
        sources = _static_sources()
        if static_behind(sources):
            # --clear: a file removed from the sources (or newly ignored) must not stay served.
            call_command("collectstatic", "--noinput", "--clear", verbosity=0)
            mark = Path(settings.STATIC_ROOT) / COLLECTED_MARK
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.write_text(static_signature(sources), encoding="utf-8")
