"""Shared bench set-up: Django on a throw-away database with the questionnaire loaded."""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import sys
import tempfile
from pathlib import Path


def scratch_dir(prefix: str) -> str:
    """A new folder for one bench run (database, media, collected static files), removed when
    the bench ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


ROOT = Path(__file__).resolve().parents[1]

# A realistic firm for the benches: a mid-sized textile exporter in Zhejiang.
EXPORTER = {
    "firm_name": "宁波海蓝纺织品进出口有限公司",
    "industry": "mfg_textiles",
    "province": "zhejiang",
    "employees": 120,
    "revenue": 5000,
    "total_assets": 3000,
    "legal_form": "company",
    "growth_ambition": "grow",
    "export_channel": "direct",
    "export_share": 40,
    "export_plan": "already",
}


def django_on_scratch_database(prefix: str, debug: bool = True) -> None:
    """Never touches the app's own database: SQLite in a temporary folder, or
    BENCH_DATABASE_URL (e.g. a scratch PostgreSQL database) when given.

    With debug=False the settings are production's (what a server's timings depend on:
    no debug templates, connections kept), with throw-away values for what they demand."""
    sys.path.insert(0, str(ROOT))
    scratch = scratch_dir(prefix)
    os.environ["DATABASE_URL"] = os.getenv("BENCH_DATABASE_URL", f"sqlite:///{scratch}/bench.sqlite3")
    os.environ["MEDIA_ROOT"] = f"{scratch}/media"  # stored PDFs and uploads stay in the scratch folder
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["DEBUG"] = "true" if debug else "false"
    if not debug:
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(40)
        os.environ["ALLOWED_HOSTS"] = "testserver"
        os.environ["SITE_URL"] = "https://bench.invalid"
        os.environ["SECURE_SSL_REDIRECT"] = "false"  # the test client speaks plain http
    import django

    django.setup()
    if not debug:
        from django.conf import settings
        from django.test.utils import override_settings

        # Production serves hashed names from collectstatic's manifest, which a scratch run has
        # not made: plain names cost the same (a dict look-up either way).
        override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            }
        ).enable()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_questionnaire", verbosity=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_on_localhost(port: int) -> dict[str, str]:
    """The variables of a production server (DEBUG off) answering plain http on 127.0.0.1:port
    (gunicorn for the load and Lighthouse benches): HSTS and secure cookies need https."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "LOG_LEVEL": "WARNING",
        # Its own collected (hashed) static files, not the development server's in staticfiles/.
        "STATIC_ROOT": scratch_dir("bench-static-"),
    }
