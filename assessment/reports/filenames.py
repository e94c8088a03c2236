"""Names of every downloaded file, from one rule: <name>-<date>-<kind>[-<language>].<ext>.

Reports, bundles, templates, exports and the cohort PDF all name their files here; callers
never patch a name with string replacements (a firm called "Acme.pdf Trading" kept its name).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from assessment import languages

UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')  # path separators, Windows-reserved, controls


def safe_name(name: str, fallback: str = "report") -> str:
    """A firm's or campaign's name made safe for a file name on every system, kept readable."""
    # Drop invisible format characters (right-to-left overrides, zero-width spaces) too.
    visible = "".join(c for c in name if unicodedata.category(c) != "Cf")
    return UNSAFE.sub(" ", visible).strip(" .")[:60] or fallback


def download_name(name: str, day: date, kind: str, *, lang: str | None = None, ext: str = "pdf") -> str:
    language = f"-{languages.get(lang).suffix}" if lang else ""
    return f"{safe_name(name)}-{day:%Y-%m-%d}-{kind}{language}.{ext}"


def report_filename(firm_name: str, day: date, variant: str, lang: str | None = None) -> str:
    """A firm's report: the Chinese and English reports of one firm are often downloaded side
    by side, so the language is part of the name when given."""
    return download_name(firm_name, day, "summary" if variant == "summary" else "report", lang=lang)
