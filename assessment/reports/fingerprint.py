"""What a rendered PDF is made of besides its data, kept apart from WeasyPrint.

Reading whether a stored PDF is still current must not import WeasyPrint (over a second of a
cold web worker's first request): this module names the variants, the stylesheet, the options
the PDF is written with, and the fingerprint of all of them and of every file a render reads;
`pdf` renders.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

from django.conf import settings

VARIANTS = ("full", "summary")
STYLESHEET = "css/report.css"

# The options every PDF is written with (WeasyPrint's write_pdf). Tagged (issue 19 §4): a
# structure tree in reading order (headings, lists, tables with their header cells, figures
# with the <title> of their SVG as /Alt) and /MarkInfo Marked; the document language (/Lang)
# and title come from <html lang> and <title> with or without it. Not the "pdf/ua-1" variant:
# it would only add a claim of PDF/UA-1 to the metadata, which WeasyPrint 70's output does not
# earn (the running header and page numbers are marked content outside the tree, neither
# tagged nor artifacts) and which no checker here can confirm.
PDF_OPTIONS: dict[str, object] = {"pdf_tags": True}


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
    # How the PDF is written, and by which WeasyPrint (its tagging and layout change between
    # versions), read from its installed metadata: importing it here would cost a web worker a second.
    digest.update(json.dumps([PDF_OPTIONS, metadata.version("weasyprint")], sort_keys=True).encode())
    for path in inputs:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]
