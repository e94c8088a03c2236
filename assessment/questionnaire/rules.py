"""Evaluate content conditions (show_if, recommendation triggers) over plain data.

An answer map holds what the owner gave: option key (single, scale, yes/no), list of
option keys (multi), number, or text. Conditions are the small grammar documented in
docs/content-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assessment.questionnaire.definition import PROFILE, Question, Questionnaire


@dataclass(frozen=True)
class Context:
    answers: Mapping[str, Any]
    facts: Mapping[str, Any]
    scores: Mapping[str, float | None] = field(default_factory=dict)


def evaluate(cond: dict, ctx: Context) -> bool:
    if "all" in cond:
        return all(evaluate(sub, ctx) for sub in cond["all"])
    if "any" in cond:
        return any(evaluate(sub, ctx) for sub in cond["any"])
    if "not" in cond:
        return not evaluate(cond["not"], ctx)
    if "question" in cond:
        return _test(cond, ctx.answers.get(cond["question"]))
    if "fact" in cond:
        return _test(cond, ctx.facts.get(cond["fact"]))
    return _test(cond, ctx.scores.get(cond["score"]))


def _test(cond: dict, value: Any) -> bool:
    if "answered" in cond:
        return (value is not None) == cond["answered"]
    if value is None:
        return False
    if "in" in cond or "not_in" in cond:
        wanted = {str(v) for v in (cond["in"] if "in" in cond else cond["not_in"])}
        chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
        hit = bool(chosen & wanted)
        return hit if "in" in cond else not hit
    if not isinstance(value, (int, float)):
        return False
    if "lt" in cond:
        return value < cond["lt"]
    if "lte" in cond:
        return value <= cond["lte"]
    if "gt" in cond:
        return value > cond["gt"]
    return value >= cond["gte"]


def is_visible(question: Question, profile_answers: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    if question.show_if is None:
        return True
    return evaluate(question.show_if, Context(profile_answers, facts))


def visible_questions(qn: Questionnaire, answers: Mapping[str, Any], facts: Mapping[str, Any]) -> list[Question]:
    """Every question the owner is asked, given the profile answered so far."""
    profile = {k: v for k, v in answers.items() if k in qn.questions and qn.questions[k].section == PROFILE}
    return [q for s in qn.sections for q in s.questions if is_visible(q, profile, facts)]


def effective_answers(qn: Questionnaire, answers: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """Answers that count: visible questions only, with "not applicable" treated as no answer."""
    result = {}
    for q in visible_questions(qn, answers, facts):
        value = answers.get(q.key)
        if not is_answered(value):
            continue
        if q.options and isinstance(value, list):
            value = [k for k in value if (o := q.option(str(k))) is not None and not o.na]
            if not value:
                continue
        elif q.options:
            option = q.option(str(value))
            if option is None or option.na:
                continue
        result[q.key] = value
    return result


def is_answered(value: Any) -> bool:
    return value not in (None, "", [])


def missing_questions(qn: Questionnaire, answers: Mapping[str, Any], facts: Mapping[str, Any]) -> list[Question]:
    """Visible required questions still without an answer ("not applicable" is an answer)."""
    return [q for q in visible_questions(qn, answers, facts) if q.required and not is_answered(answers.get(q.key))]
