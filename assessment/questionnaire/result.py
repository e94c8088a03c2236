"""The result of an assessment: the one contract between scoring and everything that reads it.

Submission stores `Result.to_json()` in `Assessment.result`, and its `headline()` (overall
score, band, weakest area, sector) in columns beside it for lists; the report, the cohort statistics
and the exports read it back with `Result.from_json()` (or the model's `outcome`), never by
the snapshot's keys. Snapshots stored by earlier versions lack some keys: their defaults are
decided here, once (no "level": a plan from before severity rules, printed as it always was).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.questionnaire.definition import FACT_VALUES, Questionnaire
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.plan import plan_entries, strengths, support_for
from assessment.questionnaire.rules import Context, effective_answers
from assessment.questionnaire.scoring import score_counted


@dataclass(frozen=True)
class AreaResult:
    score: int | None  # 0-100; None when no scored question of the area was answered
    band: str | None
    counted: int = 0  # questions that entered the score


@dataclass(frozen=True)
class PlannedAction:
    key: str  # the recommendation's key in the assessment's questionnaire version
    tailoring: tuple[int, ...] = ()  # indexes of the tailoring texts that apply
    level: str | None = None  # critical…low; None in snapshots from before severity rules
    why: int | None = None  # index of the severity rule that set the level
    after: tuple[str, ...] = ()  # prerequisites in this plan, by key
    core: bool = True  # False: "later / more ideas"


@dataclass(frozen=True)
class Result:
    scores: Mapping[str, AreaResult] = field(default_factory=dict)
    overall: int | None = None
    overall_band: str | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)
    actions: tuple[PlannedAction, ...] = ()
    strengths: tuple[str, ...] = ()  # question keys answered with full marks
    support: tuple[str, ...] = ()  # keys of the "support to seek" items that fit
    readiness: tuple[str, ...] = ()  # areas shown as readiness, left out of the overall score

    def score_of(self, area: str) -> int | None:
        found = self.scores.get(area)
        return found.score if found else None

    def action_keys(self) -> list[str]:
        return [a.key for a in self.actions]

    def weakest_area(self) -> str | None:
        """The area with the lowest score (ties: the first in key order); None if none is scored."""
        return _lowest((key, a.score) for key, a in self.scores.items())

    def to_json(self) -> dict[str, Any]:
        return {
            "scores": {k: {"score": a.score, "band": a.band, "counted": a.counted} for k, a in self.scores.items()},
            "overall": self.overall,
            "overall_band": self.overall_band,
            "facts": dict(self.facts),
            "actions": [_action_json(a) for a in self.actions],
            "strengths": list(self.strengths),
            "support": list(self.support),
            "readiness": list(self.readiness),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Result:
        """Read a stored snapshot, of this version or an earlier one; None or {} is empty."""
        data = data or {}
        return cls(
            scores={
                key: AreaResult(a.get("score"), a.get("band"), a.get("counted", 0))
                for key, a in (data.get("scores") or {}).items()
                if isinstance(a, Mapping)
            },
            overall=data.get("overall"),
            overall_band=data.get("overall_band"),
            facts=dict(data.get("facts") or {}),
            actions=tuple(
                PlannedAction(
                    key=a["key"],
                    tailoring=tuple(a.get("tailoring") or ()),
                    level=a.get("level"),
                    why=a.get("why"),
                    after=tuple(a.get("after") or ()),
                    core=bool(a.get("core", True)),
                )
                for a in data.get("actions") or ()
                if isinstance(a, Mapping) and "key" in a
            ),
            strengths=tuple(data.get("strengths") or ()),
            support=tuple(data.get("support") or ()),
            readiness=tuple(data.get("readiness") or ()),
        )


def headline(data: Mapping[str, Any] | None) -> tuple[int | None, str | None, str | None, str | None]:
    """(overall score, overall band, weakest area, sector) of a stored snapshot, as from_json()
    and weakest_area() read it: what lists store beside it. Reads only these keys, not the whole
    snapshot: imports call it for every row."""
    data = data or {}
    scores = data.get("scores") or {}
    weakest = _lowest((key, a.get("score")) for key, a in scores.items() if isinstance(a, Mapping))
    facts = data.get("facts")
    sector = facts.get("sector") if isinstance(facts, Mapping) else None
    # Only a known sector: the column is short, and a list filters on these values.
    return data.get("overall"), data.get("overall_band"), weakest, sector if sector in FACT_VALUES["sector"] else None


def _lowest(scores: Iterable[tuple[str, int | None]]) -> str | None:
    scored = sorted((score, key) for key, score in scores if score is not None)
    return scored[0][1] if scored else None


def _action_json(a: PlannedAction) -> dict[str, Any]:
    if a.level is None:  # an old snapshot read back is written back as it was
        return {"key": a.key, "tailoring": list(a.tailoring)}
    return {
        "key": a.key,
        "tailoring": list(a.tailoring),
        "level": a.level,
        "why": a.why,
        "after": list(a.after),
        "core": a.core,
    }


def build_result(qn: Questionnaire, answers: Mapping[str, Any]) -> Result:
    """Score the answers and plan the actions (pure): what submission and imports store.

    The same as score() then triggered_actions() and support_items(), but the facts and the
    effective answers are worked out once instead of three times (an import does this per row).
    """
    facts = derive_facts(qn, answers)
    counted = effective_answers(qn, answers, facts)
    scored = score_counted(qn, answers, facts, counted)
    ctx = Context(counted, scored.facts, scored.area_scores())
    return Result(
        scores={k: AreaResult(a.score, a.band, a.counted) for k, a in scored.areas.items()},
        overall=scored.overall,
        overall_band=scored.overall_band,
        facts=scored.facts,
        actions=tuple(
            PlannedAction(rec.key, tailoring, level, why, after, core)
            for rec, tailoring, level, why, after, core in plan_entries(qn, ctx, scored)
        ),
        strengths=tuple(strengths(qn, scored)),
        support=tuple(support_for(qn, ctx)),
        readiness=tuple(key for key, a in scored.areas.items() if a.readiness),
    )
