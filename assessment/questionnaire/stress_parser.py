"""The stress test's part of the parser (2026.3 on): the unscored `stress` section asks the
figures runway.py needs, and the top-level `stress` block gives the report's texts and each
lever's sources. A mixin of parser._Parser."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from assessment.questionnaire.definition import (
    STRESS,
    STRESS_AMOUNTS,
    STRESS_DROP,
    STRESS_LEVERS,
    STRESS_MONTHS,
    STRESS_SHARE,
    Question,
    Source,
    StressContent,
    StressLever,
    Text,
)
from assessment.questionnaire.runway import HORIZON


class StressParser:
    problems: list[str]

    if TYPE_CHECKING:
        # parser._Parser supplies these (see plan_parser.PlanParser for why only for mypy).
        def problem(self, where: str, message: str) -> None: ...
        def text(self, value: Any, where: str, required: bool = True) -> Text | None: ...
        def sources(self, value: Any, where: str, required: bool) -> tuple[Source, ...]: ...

    def parse_stress(self, value: Any, questions: dict[str, Question]) -> StressContent | None:
        asked = {k: q for k, q in questions.items() if q.section == STRESS}
        if value is None:
            if asked:
                self.problem("stress", "the stress section needs the stress block (note, sources, levers)")
            return None
        if not asked:
            self.problem("stress", "the stress block needs a section with key stress")
        self.check_stress_questions(asked)
        if not isinstance(value, dict):
            self.problem("stress", "must be a mapping with note, sources and levers")
            return None
        levers = []
        raw_levers = value.get("levers")
        if not isinstance(raw_levers, list):
            self.problem("stress.levers", "must be a list")
            raw_levers = []
        for i, item in enumerate(raw_levers):
            if not isinstance(item, dict):
                self.problem(f"stress.levers[{i}]", "must be a mapping")
                continue
            key = str(item.get("key"))
            where = f"stress lever {key}"
            levers.append(
                StressLever(
                    key=key,
                    title=self.text(item.get("title"), f"{where}.title") or {},
                    note=self.text(item.get("note"), f"{where}.note") or {},
                    sources=self.sources(item.get("sources"), where, required=True),
                )
            )
        found = [lever.key for lever in levers]
        if sorted(found) != sorted(STRESS_LEVERS):
            self.problem("stress.levers", f"must give each of {', '.join(STRESS_LEVERS)} once (found {found})")
        return StressContent(
            note=self.text(value.get("note"), "stress.note") or {},
            sources=self.sources(value.get("sources"), "stress", required=True),
            levers=tuple(levers),
        )

    def check_stress_questions(self, asked: dict[str, Question]) -> None:
        """The stress section asks exactly what runway.py reads, in a form it can use."""
        wanted = {*STRESS_AMOUNTS, STRESS_SHARE, STRESS_DROP, STRESS_MONTHS}
        for key in sorted(set(asked) - wanted):
            self.problem(f"question {key}", f"the stress section asks only {', '.join(sorted(wanted))}")
        for key in sorted(wanted - set(asked)):
            if asked:
                self.problem("section stress", f"question {key!r} is required")
        for key, q in asked.items():
            where = f"question {key}"
            if key in (*STRESS_AMOUNTS, STRESS_SHARE):
                if q.type != "number" or q.min is None or q.min < 0:
                    self.problem(where, "must be a number question with min 0 or more")
                if key == STRESS_SHARE and (q.max is None or q.max > 100):
                    self.problem(where, "a share of revenue has max 100 or less")
            elif key in (STRESS_DROP, STRESS_MONTHS):
                top = 100 if key == STRESS_DROP else HORIZON
                if q.type != "single":
                    self.problem(where, "must be a single-choice question")
                for option in q.options:
                    if not option.key.isdigit() or not 1 <= int(option.key) <= top:
                        self.problem(f"{where} option {option.key}", f"option keys are whole numbers 1 to {top}")
