"""Validation of the condition grammar (show_if, triggers, severity rules); rules.py evaluates
conditions. A mixin of parser._Parser, which supplies problem() and number()."""

from __future__ import annotations

from typing import Any

from assessment.questionnaire.definition import AREAS, FACT_VALUES, NUMBER_FACTS, PROFILE, Question


class ConditionChecks:
    def problem(self, where: str, message: str) -> None:
        raise NotImplementedError

    def number(self, value: Any, where: str) -> float | None:
        raise NotImplementedError

    def condition_or_none(self, value: Any, where: str, questions: dict[str, Question]) -> dict | None:
        if value is None:
            return None
        self.check_condition(value, where, questions, show_if=False)
        return value if isinstance(value, dict) else None

    def check_condition(self, cond: Any, where: str, questions: dict[str, Question], show_if: bool) -> None:
        if not isinstance(cond, dict) or len(cond) == 0:
            self.problem(where, "a condition must be a mapping")
            return
        if "all" in cond or "any" in cond:
            op = "all" if "all" in cond else "any"
            if len(cond) != 1 or not isinstance(cond[op], list) or not cond[op]:
                self.problem(where, f"'{op}' takes a non-empty list and nothing else")
                return
            for i, sub in enumerate(cond[op]):
                self.check_condition(sub, f"{where}.{op}[{i}]", questions, show_if)
            return
        if "not" in cond:
            if len(cond) != 1:
                self.problem(where, "'not' takes one condition and nothing else")
                return
            self.check_condition(cond["not"], f"{where}.not", questions, show_if)
            return
        tests = set(cond) - {"question", "fact", "score"}
        allowed = {"in", "not_in", "lt", "lte", "gt", "gte", "answered"}
        if len(tests) != 1 or not tests <= allowed:
            self.problem(where, f"needs exactly one test of {sorted(allowed)}")
            return
        test = tests.pop()
        subjects = [s for s in ("question", "fact", "score") if s in cond]
        if len(subjects) != 1:
            self.problem(where, "names exactly one of question, fact or score")
            return
        subject = subjects[0]
        if subject == "question":
            q = questions.get(cond["question"])
            if q is None:
                self.problem(where, f"unknown question {cond['question']!r}")
                return
            if show_if and q.section != PROFILE:
                self.problem(where, "show_if may only use profile answers and facts")
            if test in ("in", "not_in"):
                values = cond[test]
                if not isinstance(values, list) or not values:
                    self.problem(where, f"'{test}' takes a non-empty list")
                    return
                for v in values:
                    if q.option(str(v)) is None:
                        self.problem(where, f"question {q.key} has no option {v!r}")
            elif test == "answered":
                if not isinstance(cond[test], bool):
                    self.problem(where, "'answered' takes true or false")
            elif q.type != "number":
                self.problem(where, f"'{test}' only works on number questions")
            elif self.number(cond[test], f"{where}.{test}") is None:
                pass
        elif subject == "fact":
            fact = cond["fact"]
            if fact in NUMBER_FACTS:
                if show_if:
                    self.problem(where, f"show_if cannot use the fact {fact}")
                if test not in ("lt", "lte", "gt", "gte"):
                    self.problem(where, f"fact {fact} is a number, tested with lt, lte, gt or gte")
                else:
                    self.number(cond[test], f"{where}.{test}")
                return
            if fact == "industry":
                allowed_values = {o.key for o in questions["industry"].options} if "industry" in questions else set()
            elif fact in FACT_VALUES:
                allowed_values = set(FACT_VALUES[fact])
            else:
                self.problem(where, f"unknown fact {fact!r}")
                return
            if test not in ("in", "not_in") or not isinstance(cond[test], list):
                self.problem(where, "facts are tested with in / not_in and a list")
                return
            for v in cond[test]:
                if v not in allowed_values:
                    self.problem(where, f"fact {fact} has no value {v!r}")
        else:
            if show_if:
                self.problem(where, "show_if cannot use scores")
            if cond["score"] not in AREAS:
                self.problem(where, f"unknown area {cond['score']!r}")
            if test not in ("lt", "lte", "gt", "gte"):
                self.problem(where, "scores are tested with lt, lte, gt or gte")
            else:
                self.number(cond[test], f"{where}.{test}")
