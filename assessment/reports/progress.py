"""Progress between two submitted assessments of a firm: pure functions over result snapshots."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assessment.questionnaire.definition import AREAS


@dataclass(frozen=True)
class AreaChange:
    area: str
    before: int | None
    after: int | None

    @property
    def delta(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True)
class Progress:
    areas: list[AreaChange]
    overall: AreaChange
    resolved: list[str]  # recommendations of the earlier assessment no longer triggered
    open: list[str]  # still triggered
    new: list[str]  # triggered now, not before


def compare(before: dict[str, Any], after: dict[str, Any]) -> Progress:
    """Compare two `Assessment.result` snapshots (earlier first)."""

    def area_score(result: dict, area: str) -> int | None:
        return result.get("scores", {}).get(area, {}).get("score")

    earlier = [a["key"] for a in before.get("actions", [])]
    later = [a["key"] for a in after.get("actions", [])]
    return Progress(
        areas=[AreaChange(a, area_score(before, a), area_score(after, a)) for a in AREAS],
        overall=AreaChange("overall", before.get("overall"), after.get("overall")),
        resolved=[k for k in earlier if k not in later],
        open=[k for k in earlier if k in later],
        new=[k for k in later if k not in earlier],
    )
