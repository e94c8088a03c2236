"""The action plan: which recommendations a firm's answers trigger, in what order.

Pure functions over the questionnaire, answers and scores, like scoring.py. See
docs/scoring.md ("Action plan") for the rules: severity, prerequisites, core plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.questionnaire.definition import HORIZONS, LEVELS, Questionnaire, Recommendation, per_questionnaire
from assessment.questionnaire.rules import Context, Predicate, compile_condition, effective_answers
from assessment.questionnaire.scoring import ScoreResult

STRENGTH_RATIO = 1.0  # a question answered with full marks counts as a strength
RANK = {level: i for i, level in enumerate(LEVELS)}  # LEVELS.index, as a lookup


@dataclass(frozen=True)
class Action:
    recommendation: Recommendation
    tailoring: tuple[int, ...]  # indexes of the tailoring texts that apply to this firm
    level: str = ""  # critical / high / medium / low: the base priority, raised by severity rules
    why: int | None = None  # index of the severity rule that set the level; None: not raised
    after: tuple[str, ...] = ()  # prerequisites that are in this plan (they come first)
    core: bool = True  # in the core plan; False: "later / more ideas"


@dataclass(frozen=True)
class _Rule:
    """A recommendation with its conditions compiled, made once per questionnaire."""

    index: int  # catalogue order
    rec: Recommendation
    when: Predicate
    tailoring: tuple[Predicate, ...]
    severity: tuple[tuple[int, str, Predicate], ...]  # (rank of its level, level, condition)
    later_when: Predicate | None
    horizon: int  # HORIZONS.index


@dataclass(frozen=True)
class _Catalogue:
    rules: tuple[_Rule, ...]
    support: tuple[tuple[str, Predicate | None], ...]  # support item key, compiled condition


@per_questionnaire
def _catalogue(qn: Questionnaire) -> _Catalogue:
    return _Catalogue(
        rules=tuple(
            _Rule(
                index=index,
                rec=rec,
                when=compile_condition(rec.when),
                tailoring=tuple(compile_condition(t.when) for t in rec.tailoring),
                severity=tuple((LEVELS.index(r.level), r.level, compile_condition(r.when)) for r in rec.severity),
                later_when=None if rec.later_when is None else compile_condition(rec.later_when),
                horizon=HORIZONS.index(rec.horizon),
            )
            for index, rec in enumerate(qn.recommendations)
        ),
        support=tuple((item.key, None if item.when is None else compile_condition(item.when)) for item in qn.support),
    )


def _level(rule: _Rule, ctx: Context) -> tuple[str, int | None]:
    """The most urgent level any holding severity rule gives, and which rule gave it."""
    level, why = rule.rec.priority, None
    if not rule.severity:
        return level, why
    rank = LEVELS.index(level)
    for i, (rule_rank, rule_level, holds) in enumerate(rule.severity):
        if rule_rank < rank and holds(ctx):
            level, why, rank = rule_level, i, rule_rank
    return level, why


def plan_context(qn: Questionnaire, answers: Mapping[str, Any], result: ScoreResult) -> Context:
    """What the plan's conditions read: the effective answers, the facts and the area scores."""
    return Context(effective_answers(qn, answers, result.facts), result.facts, result.area_scores())


def triggered_actions(qn: Questionnaire, answers: Mapping[str, Any], result: ScoreResult) -> list[Action]:
    """Recommendations whose trigger holds: the core plan first, most urgent first, then the rest.

    Order within each part: level, then horizon, then the weaker area first, then catalogue
    order, so the same answers always give the same plan; an action never comes before a
    prerequisite that is also in the plan. A content version without severity rules,
    prerequisites or a core size (2026.1) gets exactly its old order, all of it core.
    """
    return planned_actions(qn, plan_context(qn, answers, result), result)


def planned_actions(qn: Questionnaire, ctx: Context, result: ScoreResult) -> list[Action]:
    """triggered_actions(), given plan_context() (build_result shares it with support_items)."""
    # Triggered recommendations by key: (rule, tailoring, level, why, later). Actions are made
    # once, at the end, with their final level (an import plans 10,000 firms).
    found: dict[str, tuple[_Rule, tuple[int, ...], str, int | None, bool]] = {}
    for rule in _catalogue(qn).rules:
        if not rule.when(ctx):
            continue
        rec = rule.rec
        tailoring = tuple(i for i, holds in enumerate(rule.tailoring) if holds(ctx)) if rule.tailoring else ()
        level, why = _level(rule, ctx)
        later = rec.later or (rule.later_when is not None and rule.later_when(ctx))
        found[rec.key] = (rule, tailoring, level, why, later)
    replaced = {other for rule, *_ in found.values() for other in rule.rec.replaces}
    if replaced:
        found = {key: entry for key, entry in found.items() if key not in replaced}

    # A prerequisite is as urgent as the most urgent action that waits for it.
    levels = {key: entry[2] for key, entry in found.items()}
    waiting = [(key, rule.rec.after) for key, (rule, *_, later) in found.items() if not later and rule.rec.after]
    changed = bool(waiting)
    while changed:
        changed = False
        for key, after in waiting:
            for prereq in after:
                if prereq in levels and RANK[levels[key]] < RANK[levels[prereq]]:
                    levels[prereq] = levels[key]
                    changed = True

    def order(key: str) -> tuple:
        rule = found[key][0]
        area_score = result.areas[rule.rec.area].exact
        return (RANK[levels[key]], rule.horizon, 100.0 if area_score is None else area_score, rule.index)

    ranked = sorted(found, key=order)
    needs = {key: tuple(p for p in entry[0].rec.after if p in found) for key, entry in found.items()}
    if any(needs.values()):
        ranked = _after_prerequisites(ranked, needs)
    core: list[Action] = []
    rest: list[Action] = []
    in_core: set[str] = set()
    for key in ranked:
        rule, tailoring, _level_before, why, later = found[key]
        prereqs = needs[key]
        if qn.core_max is None:
            core.append(Action(rule.rec, tailoring, levels[key], why, prereqs))
            continue
        fits = not later and levels[key] != "low" and len(core) < qn.core_max and all(p in in_core for p in prereqs)
        if fits:
            core.append(Action(rule.rec, tailoring, levels[key], why, prereqs))
            in_core.add(key)
        else:
            rest.append(Action(rule.rec, tailoring, levels[key], why, prereqs, core=False))
    return core + rest


def _after_prerequisites(keys: list[str], needs: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Keep the ranked order, but hold each action back until its prerequisites (those in
    the plan, `needs`) are placed."""
    placed: list[str] = []
    done: set[str] = set()
    pending = list(keys)
    while pending:
        for key in pending:
            if all(p in done for p in needs[key]):
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
    return support_for(qn, plan_context(qn, answers, result))


def support_for(qn: Questionnaire, ctx: Context) -> list[str]:
    """support_items(), given plan_context()."""
    return [key for key, holds in _catalogue(qn).support if holds is None or holds(ctx)]


def strengths(qn: Questionnaire, result: ScoreResult) -> list[str]:
    """Keys of questions answered with full marks, in questionnaire order."""
    return [q.key for s in qn.areas for q in s.questions if result.ratios.get(q.key, 0) >= STRENGTH_RATIO]
