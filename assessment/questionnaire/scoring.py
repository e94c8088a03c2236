"""Scores: pure functions from (questionnaire, answers) to area and overall scores.

See docs/scoring.md. No ORM here: this runs in tests without a database and in bulk
imports without a query per firm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.questionnaire.definition import AREAS, Question, Questionnaire, Section, per_questionnaire
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.rules import Context, Predicate, compile_condition, effective_answers


@dataclass(frozen=True)
class AreaScore:
    key: str
    score: int | None  # 0-100, None when no scored question of the area was answered
    band: str | None
    counted: int  # questions that entered the score
    exact: float | None  # unrounded score, for ordering and statistics
    readiness: bool = False  # shown as readiness and left out of the overall score


@dataclass(frozen=True)
class ScoreResult:
    areas: dict[str, AreaScore]
    overall: int | None
    overall_band: str | None
    ratios: dict[str, float]  # question key -> share of its best points earned (0..1)
    facts: dict[str, Any]

    def area_scores(self) -> dict[str, float | None]:
        return {k: a.exact for k, a in self.areas.items()}


def question_ratio(question: Question, value: Any) -> float:
    """Share (0..1) of the question's best points that this answer earns."""
    best = question.best_points()
    earned: float = 0.0
    if question.type == "number":
        for band in question.bands:
            if value >= band.min:
                earned = band.points
    elif question.type == "multi":
        chosen = [question.option(k) for k in value]
        earned = sum(option.points or 0 for option in chosen if option)
    else:
        option = question.option(str(value))
        assert option is not None, "answers are checked against the options before scoring"
        earned = option.points or 0
    return min(earned, best) / best


def score(qn: Questionnaire, answers: Mapping[str, Any]) -> ScoreResult:
    facts = derive_facts(qn, answers)
    return score_counted(qn, answers, facts, effective_answers(qn, answers, facts))


@dataclass(frozen=True)
class _Scored:
    """A scored question and the ratios question_ratio() gave for answers seen so far.

    An import asks the same few answers of 10,000 firms. Remembered only where equal keys
    mean an equal ratio: option keys (str) of a choice, lists of keys (non-str items match no
    option, whatever their value), numbers (compared with the bands as numbers).
    """

    question: Question
    memo: dict[Any, float] = field(default_factory=dict)


MEMO_SIZE = 4096  # ratios remembered per question


def _ratio(entry: _Scored, value: Any) -> float:
    q, kind = entry.question, type(value)
    if q.type == "number":
        key = value if kind is int or kind is float else None
    elif q.type == "multi":
        key = tuple(value) if kind is list else None
    else:
        key = value if kind is str else None
    if key is None:
        return question_ratio(q, value)
    try:
        return entry.memo[key]
    except KeyError:
        ratio = question_ratio(q, value)
        if len(entry.memo) < MEMO_SIZE:
            entry.memo[key] = ratio
        return ratio
    except TypeError:  # a list holding a list
        return question_ratio(q, value)


@per_questionnaire
def _areas(qn: Questionnaire) -> tuple[tuple[Section, tuple[_Scored, ...], Predicate | None], ...]:
    """Each area with its scored questions and its compiled readiness condition."""
    return tuple(
        (
            section,
            tuple(_Scored(q) for q in section.questions if q.scored),
            None if section.readiness is None else compile_condition(section.readiness.when),
        )
        for section in qn.areas
    )


def score_counted(
    qn: Questionnaire, answers: Mapping[str, Any], facts: dict[str, Any], counted: Mapping[str, Any]
) -> ScoreResult:
    """score(), given the firm's facts and its effective answers (build_result needs them again)."""
    ratios: dict[str, float] = {}
    areas: dict[str, AreaScore] = {}
    ready = Context(answers, facts)
    for section, scored, readiness in _areas(qn):
        earned = possible = 0.0
        n = 0
        for entry in scored:
            q = entry.question
            if q.key not in counted:
                continue
            ratio = _ratio(entry, counted[q.key])
            ratios[q.key] = ratio
            earned += q.weight * ratio
            possible += q.weight
            n += 1
        exact = 100 * earned / possible if possible else None
        areas[section.key] = AreaScore(
            key=section.key,
            score=None if exact is None else round(exact),
            band=None if exact is None else qn.band_for(round(exact)).key,
            counted=n,
            exact=exact,
            readiness=readiness is not None and readiness(ready),
        )
    # A firm with no export ambition is not marked down for not exporting: a readiness area
    # keeps its own score but stays out of the overall one.
    exacts = [areas[a].exact for a in AREAS if not areas[a].readiness]
    present = [exact for exact in exacts if exact is not None]
    overall_exact = sum(present) / len(present) if present else None
    overall = None if overall_exact is None else round(overall_exact)
    return ScoreResult(
        areas=areas,
        overall=overall,
        overall_band=None if overall is None else qn.band_for(overall).key,
        ratios=ratios,
        facts=facts,
    )
