"""Shipped questionnaire content: one YAML file per version (see docs/content-format.md)."""

import re
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent


def _version_key(path: Path) -> list:
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\-]", path.stem.removeprefix("questionnaire-"))]


def content_files() -> list[Path]:
    """Every shipped version, oldest first, so the newest ends up current."""
    return sorted(CONTENT_DIR.glob("questionnaire-*.yaml"), key=_version_key)
