"""Firm facts derived from the profile answers: sector, region, size class, export orientation.

Size class follows the thresholds in the questionnaire's `size_standard` (the MIIT 2011
SME classification, by industry group): a firm is in the largest class whose every
lower bound it meets, so missing one bound puts it one class down, as that standard says.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessment.questionnaire.definition import OPTION_FACTS, Questionnaire
from assessment.questionnaire.runway import runway_fact

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
    # Facts only versions that ask for them have (2026.2 on); older versions' rules never name them.
    for key, fact in OPTION_FACTS.items():
        question = qn.questions.get(key)
        if question is not None and question.option(str(answers.get(key))) is not None:
            facts[fact] = str(answers[key])
    if "export_channel" in qn.questions:
        stage = export_stage(answers.get("export_share"), answers.get("export_plan"), answers.get("export_channel"))
        if stage is not None:
            facts["export_stage"] = stage
    # The stress test (2026.3 on): the runway under the owner's own scenario, for severity rules.
    if qn.stress is not None:
        months = runway_fact(answers)
        if months is not None:
            facts["stress_runway_months"] = months
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


def export_stage(share: Any, plan: Any, channel: Any) -> str | None:
    """domestic / exploring / planned / indirect / direct.

    A firm that sells abroad only through a trading company or platform has no foreign
    customer of its own, so export-risk advice (credit insurance, FX) is not yet its concern.
    """
    if (isinstance(share, (int, float)) and share > 0) or plan == "already":
        return "indirect" if channel == "indirect" else "direct"
    if plan == "planned":
        return "planned"
    if plan == "exploring":
        return "exploring"
    if plan == "no_plan":
        return "domestic"
    return None
