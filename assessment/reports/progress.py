"""Progress between two submitted assessments of a firm: pure functions over their results."""

from __future__ import annotations

from dataclasses import dataclass

from assessment.questionnaire.definition import AREAS
from assessment.questionnaire.result import Result


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


def compare(before: Result, after: Result) -> Progress:
    """Compare the results of two submitted assessments (earlier first)."""
    earlier = before.action_keys()
    later = after.action_keys()
    return Progress(
        areas=[AreaChange(a, before.score_of(a), after.score_of(a)) for a in AREAS],
        overall=AreaChange("overall", before.overall, after.overall),
        resolved=[k for k in earlier if k not in later],
        open=[k for k in earlier if k in later],
        new=[k for k in later if k not in earlier],
    )
