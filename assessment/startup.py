"""Work a web process does once as it starts (config/wsgi.py), not in its first request."""

from __future__ import annotations

from django.urls import reverse

from assessment.reports.fingerprint import template_fingerprint


def warm_web_process() -> None:
    reverse("home")  # imports the URL configuration, so every view module, and indexes it
    template_fingerprint()  # reads and hashes what every stored PDF's digest includes
