"""Evaluate content conditions (show_if, recommendation triggers) over plain data.

An answer map holds what the owner gave: option key (single, scale, yes/no), list of
option keys (multi), number, or text. Conditions are the small grammar documented in
docs/content-format.md.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from assessment.questionnaire.definition import PROFILE, Question, Questionnaire, per_questionnaire


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


Predicate = Callable[[Context], bool]


def compile_condition(cond: dict) -> Predicate:
    """The condition as a function of the context, giving what evaluate(cond, ctx) gives.

    evaluate() reads the mapping again on every call; an import of 10,000 rows evaluates
    each condition of the content for every row. Content conditions never change once
    parsed. A shape the parser would have refused is left to evaluate(), so it fails (or not)
    exactly as before.
    """
    try:
        return _compile(cond)
    except (KeyError, TypeError, AttributeError):
        return lambda ctx: evaluate(cond, ctx)


def _compile(cond: dict) -> Predicate:
    # The same order of tests as evaluate() and _test(): the first key found decides.
    if "all" in cond:
        every = tuple(_compile(sub) for sub in cond["all"])

        def all_hold(ctx: Context) -> bool:
            # A loop, not all(...): no generator per call (evaluated millions of times in an import).
            for holds in every:  # noqa: SIM110
                if not holds(ctx):
                    return False
            return True

        return all_hold
    if "any" in cond:
        some = tuple(_compile(sub) for sub in cond["any"])

        def any_holds(ctx: Context) -> bool:
            for holds in some:  # noqa: SIM110 (as all_hold)
                if holds(ctx):
                    return True
            return False

        return any_holds
    if "not" in cond:
        inner = _compile(cond["not"])
        return lambda ctx: not inner(ctx)
    return _compile_test(cond)


# The mapping a condition's subject is read from, as evaluate() picks it.
_SUBJECT = (("question", attrgetter("answers")), ("fact", attrgetter("facts")))
_SCORES = attrgetter("scores")
_COMPARE = (("lt", operator.lt), ("lte", operator.le), ("gt", operator.gt), ("gte", operator.ge))


def _compile_test(cond: dict) -> Predicate:
    """One subject and its test (_test), as one function: no call per level."""
    pick, key = next(((get, cond[name]) for name, get in _SUBJECT if name in cond), (_SCORES, None))
    if key is None:
        key = cond["score"]
    if "answered" in cond:
        answered = cond["answered"]
        return lambda ctx: (pick(ctx).get(key) is not None) == answered
    if "in" in cond or "not_in" in cond:
        positive = "in" in cond
        wanted = frozenset(str(v) for v in (cond["in"] if positive else cond["not_in"]))

        def chosen(ctx: Context) -> bool:
            value = pick(ctx).get(key)
            if value is None:
                return False
            # isdisjoint(map(str, ...)): any(str(v) in wanted for v in value), without a generator
            hit = not wanted.isdisjoint(map(str, value)) if isinstance(value, list) else str(value) in wanted
            return hit if positive else not hit

        return chosen
    number = (int, float)
    for op, compare in _COMPARE:
        if op in cond or op == "gte":
            bound = cond[op]  # no test at all: the KeyError _test() raises, when it gets that far
            return lambda ctx: isinstance(value := pick(ctx).get(key), number) and compare(value, bound)
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class _Shown:
    """Which answers are profile answers, and each question with its compiled show_if and,
    for a question with options, whether each option key counts (False: not applicable)."""

    profile_keys: frozenset[str]
    questions: tuple[tuple[Question, Predicate | None, dict[str, bool] | None], ...]


@per_questionnaire
def _shown(qn: Questionnaire) -> _Shown:
    return _Shown(
        profile_keys=frozenset(k for k, q in qn.questions.items() if q.section == PROFILE),
        questions=tuple(
            (
                q,
                None if q.show_if is None else compile_condition(q.show_if),
                # q.option(key) is the first option of that key
                {o.key: not o.na for o in reversed(q.options)} if q.options else None,
            )
            for s in qn.sections
            for q in s.questions
        ),
    )


def is_visible(question: Question, profile_answers: Mapping[str, Any], facts: Mapping[str, Any]) -> bool:
    if question.show_if is None:
        return True
    return evaluate(question.show_if, Context(profile_answers, facts))


def visible_questions(qn: Questionnaire, answers: Mapping[str, Any], facts: Mapping[str, Any]) -> list[Question]:
    """Every question the owner is asked, given the profile answered so far."""
    shown = _shown(qn)
    ctx = Context({k: v for k, v in answers.items() if k in shown.profile_keys}, facts)
    return [q for q, show_if, _counts in shown.questions if show_if is None or show_if(ctx)]


def effective_answers(qn: Questionnaire, answers: Mapping[str, Any], facts: Mapping[str, Any]) -> dict[str, Any]:
    """Answers that count: visible questions only, with "not applicable" treated as no answer."""
    shown = _shown(qn)
    ctx = Context({k: v for k, v in answers.items() if k in shown.profile_keys}, facts)
    result = {}
    for q, show_if, counts in shown.questions:
        if show_if is not None and not show_if(ctx):
            continue
        value = answers.get(q.key)
        if value in (None, "", []):  # not is_answered(value)
            continue
        if counts is not None and isinstance(value, list):
            value = [k for k in value if counts.get(str(k), False)]
            if not value:
                continue
        elif counts is not None and not counts.get(str(value), False):
            continue
        result[q.key] = value
    return result


def is_answered(value: Any) -> bool:
    return value not in (None, "", [])


def missing_questions(qn: Questionnaire, answers: Mapping[str, Any], facts: Mapping[str, Any]) -> list[Question]:
    """Visible required questions still without an answer ("not applicable" is an answer)."""
    return [q for q in visible_questions(qn, answers, facts) if q.required and not is_answered(answers.get(q.key))]
