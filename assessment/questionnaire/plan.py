"""The action plan: which recommendations a firm's answers trigger, in what order.

Pure functions over the questionnaire, answers and scores, like scoring.py. See
docs/scoring.md ("Action plan") for the rules: severity, prerequisites, core plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from assessment.questionnaire.definition import HORIZONS, LEVELS, Questionnaire, Recommendation
from assessment.questionnaire.rules import Context, effective_answers, evaluate
from assessment.questionnaire.scoring import ScoreResult

STRENGTH_RATIO = 1.0  # a question answered with full marks counts as a strength


@dataclass(frozen=True)
class Action:
    recommendation: Recommendation
    tailoring: tuple[int, ...]  # indexes of the tailoring texts that apply to this firm
    level: str = ""  # critical / high / medium / low: the base priority, raised by severity rules
    why: int | None = None  # index of the severity rule that set the level; None: not raised
    after: tuple[str, ...] = ()  # prerequisites that are in this plan (they come first)
    core: bool = True  # in the core plan; False: "later / more ideas"


def _level(rec: Recommendation, ctx: Context) -> tuple[str, int | None]:
    """The most urgent level any holding severity rule gives, and which rule gave it."""
    level, why = rec.priority, None
    for i, rule in enumerate(rec.severity):
        if LEVELS.index(rule.level) < LEVELS.index(level) and evaluate(rule.when, ctx):
            level, why = rule.level, i
    return level, why


def triggered_actions(qn: Questionnaire, answers: Mapping[str, Any], result: ScoreResult) -> list[Action]:
    """Recommendations whose trigger holds: the core plan first, most urgent first, then the rest.

    Order within each part: level, then horizon, then the weaker area first, then catalogue
    order, so the same answers always give the same plan; an action never comes before a
    prerequisite that is also in the plan. A content version without severity rules,
    prerequisites or a core size (2026.1) gets exactly its old order, all of it core.
    """
    ctx = Context(effective_answers(qn, answers, result.facts), result.facts, result.area_scores())
    found: dict[str, tuple[int, Action, bool]] = {}
    for index, rec in enumerate(qn.recommendations):
        if not evaluate(rec.when, ctx):
            continue
        tailoring = tuple(i for i, t in enumerate(rec.tailoring) if evaluate(t.when, ctx))
        level, why = _level(rec, ctx)
        later = rec.later or (rec.later_when is not None and evaluate(rec.later_when, ctx))
        found[rec.key] = (index, Action(rec, tailoring, level, why), later)
    replaced = {other for _, action, _ in found.values() for other in action.recommendation.replaces}
    found = {key: entry for key, entry in found.items() if key not in replaced}

    # A prerequisite is as urgent as the most urgent action that waits for it.
    levels = {key: action.level for key, (_, action, _) in found.items()}
    changed = True
    while changed:
        changed = False
        for key, (_, action, later) in found.items():
            if later:
                continue
            for prereq in action.recommendation.after:
                if prereq in levels and LEVELS.index(levels[key]) < LEVELS.index(levels[prereq]):
                    levels[prereq] = levels[key]
                    changed = True

    def order(key: str) -> tuple:
        index, action, _ = found[key]
        area_score = result.areas[action.recommendation.area].exact
        return (
            LEVELS.index(levels[key]),
            HORIZONS.index(action.recommendation.horizon),
            100.0 if area_score is None else area_score,
            index,
        )

    ranked = _after_prerequisites(sorted(found, key=order), found)
    core: list[Action] = []
    rest: list[Action] = []
    in_core: set[str] = set()
    for key in ranked:
        _, action, later = found[key]
        prereqs = tuple(p for p in action.recommendation.after if p in found)
        action = replace(action, level=levels[key], after=prereqs)
        if qn.core_max is None:
            core.append(action)
            continue
        fits = not later and levels[key] != "low" and len(core) < qn.core_max and all(p in in_core for p in prereqs)
        if fits:
            core.append(action)
            in_core.add(key)
        else:
            rest.append(replace(action, core=False))
    return core + rest


def _after_prerequisites(keys: list[str], found: Mapping[str, tuple[int, Action, bool]]) -> list[str]:
    """Keep the ranked order, but hold each action back until its prerequisites are placed."""
    placed: list[str] = []
    done: set[str] = set()
    pending = list(keys)
    while pending:
        for key in pending:
            needs = [p for p in found[key][1].recommendation.after if p in found]
            if all(p in done for p in needs):
                placed.append(key)
                done.add(key)
                pending.remove(key)
                break
        else:  # a loop the content check would have refused; keep the rank order
            placed.extend(pending)
            break
    return placed


def support_items(qn: Questionnaire, answers: Mapping[str, Any], result: ScoreResult) -> list[str]:
    """Keys of the "support to seek" items that fit this firm's gaps and profile."""
    ctx = Context(effective_answers(qn, answers, result.facts), result.facts, result.area_scores())
    return [item.key for item in qn.support if item.when is None or evaluate(item.when, ctx)]


def strengths(qn: Questionnaire, result: ScoreResult) -> list[str]:
    """Keys of questions answered with full marks, in questionnaire order."""
    return [q.key for s in qn.areas for q in s.questions if result.ratios.get(q.key, 0) >= STRENGTH_RATIO]
