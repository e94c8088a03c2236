"""What a rendered PDF is made of besides its data, kept apart from WeasyPrint.

Reading whether a stored PDF is still current must not import WeasyPrint (over a second of a
cold web worker's first request): this module names the variants, the stylesheet, and the
fingerprint of every file a render reads; `pdf` renders.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from django.conf import settings

VARIANTS = ("full", "summary")
STYLESHEET = "css/report.css"


def static_dir() -> Path:
    return Path(settings.BASE_DIR, "static").resolve()


@cache
def template_fingerprint() -> str:
    """Changes with anything a rendered PDF depends on besides its data, so stored PDFs are re-rendered."""
    base = Path(settings.BASE_DIR)
    inputs = [
        *sorted(base.glob("templates/report/*.html")),
        static_dir() / STYLESHEET,
        *sorted(static_dir().glob("fonts/*.otf")),
        *sorted(base.glob("locale/*/LC_MESSAGES/*.po")),
        # The report package's code (builder, charts, pdf…), found by folder, not by name.
        *sorted(Path(__file__).parent.glob("*.py")),
    ]
    digest = hashlib.sha256()
    for path in inputs:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
