"""Firm facts derived from the profile answers: sector, region, size class, export orientation.

Size class follows the thresholds in the questionnaire's `size_standard` (the MIIT 2011
SME classification, by industry group): a firm is in the largest class whose every
lower bound it meets, so missing one bound puts it one class down, as that standard says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .questionnaire import Questionnaire

SIZE_CLASSES = ("micro", "small", "medium", "large")


def derive_facts(qn: Questionnaire, answers: Mapping[str, Any]) -> dict[str, Any]:
    facts: dict[str, Any] = {}
    industry = qn.questions["industry"].option(str(answers.get("industry")))
    if industry is not None:
        facts["industry"] = industry.key
        facts["sector"] = industry.sector
        facts["size_group"] = industry.size_group
    province = qn.questions["province"].option(str(answers.get("province")))
    if province is not None:
        facts["region"] = province.region
    if industry is not None and industry.size_group:
        size = size_class(qn.size_standard["groups"][industry.size_group], answers)
        if size is not None:
            facts["size_class"] = size
    orientation = export_orientation(answers.get("export_share"), answers.get("export_plan"))
    if orientation is not None:
        facts["export_orientation"] = orientation
    return facts


def size_class(group: Mapping[str, Any], answers: Mapping[str, Any]) -> str | None:
    """micro/small/medium/large, or None while a measure the group needs is unanswered."""
    needed = {m for size in ("small", "medium", "large") for m in group[size]}
    values = {m: answers.get(m) for m in needed}
    if any(v is None for v in values.values()):
        return None
    result = "micro"
    for size in ("small", "medium", "large"):
        if all(values[m] >= bound for m, bound in group[size].items()):
            result = size
    return result


def export_orientation(share: Any, plan: Any) -> str | None:
    if (isinstance(share, (int, float)) and share > 0) or plan == "already":
        return "exporting"
    if plan in ("exploring", "planned"):
        return "planning"
    if plan == "no_plan":
        return "domestic"
    return None
