"""Import tables of generated firms (demo data, benchmarks, tests), in the import template's format."""

from __future__ import annotations

from typing import Any

from assessment.bulk.importing import SHARE_COLUMN, columns
from assessment.questionnaire.definition import Questionnaire
from assessment.questionnaire.samples import sample_firm


def sample_table(qn: Questionnaire, count: int, *, start: int = 0, share: str = "yes") -> list[list[str]]:
    """An import file's rows (header first) for `count` generated firms, as an association fills it."""
    header = columns(qn)
    rows = [header]
    for n in range(start, start + count):
        answers = sample_firm(qn, n)
        rows.append([share if key == SHARE_COLUMN else _cell(answers.get(key, "")) for key in header])
    return rows


def _cell(value: Any) -> str:
    return ";".join(value) if isinstance(value, list) else str(value)
