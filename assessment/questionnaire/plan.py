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
    """triggered_actions(), given plan_context()."""
    return [Action(*entry) for entry in plan_entries(qn, ctx, result)]


# An action of the plan as plain data, the fields of Action in order: build_result turns them
# into PlannedAction directly (making an Action first costs as much as the rest of the plan).
PlanEntry = tuple[Recommendation, tuple[int, ...], str, int | None, tuple[str, ...], bool]


def plan_entries(qn: Questionnaire, ctx: Context, result: ScoreResult) -> list[PlanEntry]:
    """triggered_actions(), given plan_context(), as (recommendation, tailoring, level, why,
    after, core) tuples."""
    # Triggered recommendations by key: (rule, tailoring, why, later); their levels apart.
    found: dict[str, tuple[_Rule, tuple[int, ...], int | None, bool]] = {}
    levels: dict[str, str] = {}
    replaced: set[str] = set()
    for rule in _catalogue(qn).rules:
        if not rule.when(ctx):
            continue
        rec = rule.rec
        tailoring: tuple[int, ...] = ()
        if rule.tailoring:
            tailoring = tuple([i for i, holds in enumerate(rule.tailoring) if holds(ctx)])
        level, why = _level(rule, ctx) if rule.severity else (rec.priority, None)
        later = rec.later or (rule.later_when is not None and rule.later_when(ctx))
        found[rec.key] = (rule, tailoring, why, later)
        levels[rec.key] = level
        replaced.update(rec.replaces)
    if replaced:
        found = {key: entry for key, entry in found.items() if key not in replaced}
        levels = {key: level for key, level in levels.items() if key not in replaced}

    # A prerequisite is as urgent as the most urgent action that waits for it.
    waiting = [(key, after) for key, entry in found.items() if not entry[3] and (after := entry[0].rec.after)]
    changed = bool(waiting)
    while changed:
        changed = False
        for key, after in waiting:
            for prereq in after:
                if prereq in levels and RANK[levels[key]] < RANK[levels[prereq]]:
                    levels[prereq] = levels[key]
                    changed = True

    # Level, then horizon, then the weaker area first, then catalogue order (unique, so the
    # key at the end of each tuple is never compared).
    exact = {area: 100.0 if a.exact is None else a.exact for area, a in result.areas.items()}
    order = []
    needs: dict[str, tuple[str, ...]] = {}  # prerequisites in the plan
    for key, entry in found.items():
        rule = entry[0]
        order.append((RANK[levels[key]], rule.horizon, exact[rule.rec.area], rule.index, key))
        after = rule.rec.after
        needs[key] = tuple(p for p in after if p in found) if after else ()
    order.sort()
    ranked = [item[4] for item in order]
    if any(needs.values()):
        ranked = _after_prerequisites(ranked, needs)
    core: list[PlanEntry] = []
    rest: list[PlanEntry] = []
    in_core: set[str] = set()
    core_max = qn.core_max
    for key in ranked:
        rule, tailoring, why, later = found[key]
        prereqs = needs[key]
        level = levels[key]
        if core_max is None:
            core.append((rule.rec, tailoring, level, why, prereqs, True))
        elif not later and level != "low" and len(core) < core_max and in_core.issuperset(prereqs):
            core.append((rule.rec, tailoring, level, why, prereqs, True))
            in_core.add(key)
        else:
            rest.append((rule.rec, tailoring, level, why, prereqs, False))
    return core + rest


def _after_prerequisites(keys: list[str], needs: Mapping[str, tuple[str, ...]]) -> list[str]:
    """Keep the ranked order, but hold each action back until its prerequisites (those in
    the plan, `needs`) are placed: each time, the first pending action whose are all placed."""
    placed: list[str] = []
    done: set[str] = set()
    pending = list(keys)
    while pending:
        for i, key in enumerate(pending):
            if done.issuperset(needs[key]):
                placed.append(key)
                done.add(key)
                del pending[i]
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
