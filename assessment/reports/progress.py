"""Progress between two submitted assessments of a firm: pure functions over their results."""

from __future__ import annotations

from collections.abc import Mapping
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


@dataclass(frozen=True)
class DoneAction:
    """An action the firm marked done on its earlier assessment, and its area's score then and now."""

    key: str
    area: str
    before: int | None
    after: int | None
    still_advised: bool  # the later assessment recommends it again

    @property
    def delta(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def done_since(
    before: Result, after: Result, statuses: Mapping[str, str], area_of: Mapping[str, str]
) -> list[DoneAction]:
    """The earlier plan's actions marked done (statuses: action key -> status), in plan order,
    each with the score of its area (area_of: action key -> area key) before and after."""
    later = set(after.action_keys())
    found = []
    for key in before.action_keys():
        if statuses.get(key) != "done":
            continue
        area = area_of.get(key, "")
        found.append(DoneAction(key, area, before.score_of(area), after.score_of(area), key in later))
    return found
