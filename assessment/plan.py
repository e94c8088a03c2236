"""The action plan: which recommendations a firm's answers trigger, in what order.

Pure functions over the questionnaire, answers and scores, like scoring.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .questionnaire import HORIZONS, PRIORITIES, Questionnaire, Recommendation
from .rules import Context, effective_answers, evaluate
from .scoring import ScoreResult

STRENGTH_RATIO = 1.0  # a question answered with full marks counts as a strength


@dataclass(frozen=True)
class Action:
    recommendation: Recommendation
    tailoring: tuple[int, ...]  # indexes of the tailoring texts that apply to this firm


def triggered_actions(qn: Questionnaire, answers: Mapping[str, Any], result: ScoreResult) -> list[Action]:
    """Recommendations whose trigger holds, most urgent first.

    Order: priority, then horizon, then the weaker area first, then catalogue order,
    so the same answers always give the same plan.
    """
    ctx = Context(effective_answers(qn, answers, result.facts), result.facts, result.area_scores())
    actions = []
    for index, rec in enumerate(qn.recommendations):
        if not evaluate(rec.when, ctx):
            continue
        tailoring = tuple(i for i, t in enumerate(rec.tailoring) if evaluate(t.when, ctx))
        area_score = result.areas[rec.area].exact
        order = (
            PRIORITIES.index(rec.priority),
            HORIZONS.index(rec.horizon),
            100.0 if area_score is None else area_score,
            index,
        )
        actions.append((order, Action(rec, tailoring)))
    actions.sort(key=lambda pair: pair[0])
    return [action for _, action in actions]


def strengths(qn: Questionnaire, result: ScoreResult) -> list[str]:
    """Keys of questions answered with full marks, in questionnaire order."""
    return [q.key for s in qn.areas for q in s.questions if result.ratios.get(q.key, 0) >= STRENGTH_RATIO]
