"""The recommendation catalogue's part of the parser: base priority, severity rules,
prerequisites and replacements, readiness, support items. A mixin of parser._Parser."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from assessment.questionnaire.definition import (
    AREAS,
    HORIZONS,
    KEY_RE,
    LEVELS,
    PRIORITIES,
    SUPPORT_KINDS,
    Question,
    Readiness,
    Recommendation,
    Section,
    Severity,
    Source,
    SupportItem,
    Tailoring,
    Text,
)


class PlanParser:
    problems: list[str]

    if TYPE_CHECKING:
        # For the type checker only: parser._Parser and ConditionChecks supply these (real
        # methods here would shadow ConditionChecks' in the parser's MRO).
        def problem(self, where: str, message: str) -> None: ...
        def text(self, value: Any, where: str, required: bool = True) -> Text | None: ...
        def sources(self, value: Any, where: str, required: bool) -> tuple[Source, ...]: ...
        def key_list(self, value: Any, where: str) -> tuple[str, ...]: ...
        def check_unique(self, keys: list[str], where: str, what: str) -> None: ...
        def condition_or_none(self, value: Any, where: str, questions: dict[str, Question]) -> dict | None: ...
        def check_condition(self, cond: Any, where: str, questions: dict[str, Question], show_if: bool) -> None: ...

    def with_readiness(self, section: Section, raw: dict[str, Any], questions: dict[str, Question]) -> Section:
        """Attach the section's optional `readiness` framing (internationalization only)."""
        item = next((s for s in raw.get("sections") or [] if isinstance(s, dict) and s.get("key") == section.key), {})
        value = item.get("readiness")
        if value is None:
            return section
        where = f"section {section.key}.readiness"
        if section.key != "internationalization":
            self.problem(where, "only the internationalization section can be shown as readiness")
            return section
        if not isinstance(value, dict) or "when" not in value:
            self.problem(where, "needs when, title and note")
            return section
        self.check_condition(value["when"], f"{where}.when", questions, show_if=True)
        readiness = Readiness(
            when=value["when"],
            title=self.text(value.get("title"), f"{where}.title") or {},
            note=self.text(value.get("note"), f"{where}.note") or {},
        )
        return dataclasses.replace(section, readiness=readiness)

    def parse_plan(self, value: Any) -> int | None:
        if value is None:
            return None
        core_max = value.get("core_max") if isinstance(value, dict) else None
        if isinstance(core_max, bool) or not isinstance(core_max, int) or not 1 <= core_max <= 50:
            self.problem("plan.core_max", "must be a whole number between 1 and 50")
            return None
        return core_max

    def parse_support(self, value: Any, questions: dict[str, Question]) -> tuple[SupportItem, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem("support", "must be a list")
            return ()
        items = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.problem(f"support[{i}]", "must be a mapping")
                continue
            key = str(item.get("key"))
            where = f"support {key}"
            if not KEY_RE.match(key):
                self.problem(f"support[{i}]", f"bad key {key!r}")
            if item.get("kind") not in SUPPORT_KINDS:
                self.problem(where, f"kind must be one of {SUPPORT_KINDS}")
            when = item.get("when")
            if when is not None:
                self.check_condition(when, f"{where}.when", questions, show_if=False)
            items.append(
                SupportItem(
                    key=key,
                    kind=str(item.get("kind")),
                    title=self.text(item.get("title"), f"{where}.title") or {},
                    body=self.text(item.get("body"), f"{where}.body") or {},
                    when=when,
                    sources=self.sources(item.get("sources"), where, required=True),
                )
            )
        self.check_unique([s.key for s in items], "support", "support key")
        return tuple(items)

    def parse_severity(self, value: Any, where: str, questions: dict[str, Question]) -> tuple[Severity, ...]:
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(f"{where}.severity", "must be a list of {when, level, why}")
            return ()
        rules = []
        for j, item in enumerate(value):
            swhere = f"{where}.severity[{j}]"
            if not isinstance(item, dict) or "when" not in item:
                self.problem(swhere, "needs when, level and why")
                continue
            if item.get("level") not in LEVELS[:-1]:
                self.problem(swhere, f"level must be one of {LEVELS[:-1]}")
            self.check_condition(item["when"], f"{swhere}.when", questions, show_if=False)
            rules.append(
                Severity(item["when"], str(item.get("level")), self.text(item.get("why"), f"{swhere}.why") or {})
            )
        return tuple(rules)

    def check_plan_links(self, recs: tuple[Recommendation, ...]) -> None:
        """`after` and `replaces` name existing recommendations, and prerequisites never loop."""
        keys = {r.key for r in recs}
        for rec in recs:
            for attr in ("after", "replaces"):
                for other in getattr(rec, attr):
                    if other not in keys or other == rec.key:
                        self.problem(f"recommendation {rec.key}.{attr}", f"unknown recommendation {other!r}")
        after = {r.key: set(r.after) & keys for r in recs}
        visiting: set[str] = set()
        done: set[str] = set()

        def visit(key: str, path: tuple[str, ...]) -> None:
            if key in done:
                return
            if key in visiting:
                self.problem("recommendations", f"prerequisites form a loop: {' -> '.join((*path, key))}")
                return
            visiting.add(key)
            for other in sorted(after[key]):
                visit(other, (*path, key))
            visiting.discard(key)
            done.add(key)

        for key in sorted(after):
            visit(key, ())

    def parse_recommendations(self, value: Any, questions: dict[str, Question]) -> tuple[Recommendation, ...]:
        if not isinstance(value, list):
            self.problem("recommendations", "must be a list")
            return ()
        recs = []
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                self.problem(f"recommendations[{i}]", "must be a mapping")
                continue
            key = str(item.get("key"))
            where = f"recommendation {key}"
            if not KEY_RE.match(key):
                self.problem(f"recommendations[{i}]", f"bad key {key!r}")
            area = item.get("area")
            if area not in AREAS:
                self.problem(where, f"unknown area {area!r}")
            if item.get("priority") not in PRIORITIES:
                self.problem(where, f"priority must be one of {PRIORITIES}")
            if item.get("horizon") not in HORIZONS:
                self.problem(where, f"horizon must be one of {HORIZONS}")
            related = tuple(item.get("related_areas") or ())
            for other in related:
                if other not in AREAS or other == area:
                    self.problem(where, f"bad related area {other!r}")
            when = item.get("when")
            if when is None:
                self.problem(where, "needs a trigger rule (when)")
            else:
                self.check_condition(when, f"{where}.when", questions, show_if=False)
            tailoring = []
            for j, tailor in enumerate(item.get("tailoring") or []):
                twhere = f"{where}.tailoring[{j}]"
                if not isinstance(tailor, dict) or "when" not in tailor:
                    self.problem(twhere, "needs when and text")
                    continue
                self.check_condition(tailor["when"], f"{twhere}.when", questions, show_if=False)
                tailoring.append(Tailoring(tailor["when"], self.text(tailor.get("text"), f"{twhere}.text") or {}))
            recs.append(
                Recommendation(
                    key=key,
                    area=str(area),
                    title=self.text(item.get("title"), f"{where}.title") or {},
                    body=self.text(item.get("body"), f"{where}.body") or {},
                    rationale=self.text(item.get("rationale"), f"{where}.rationale") or {},
                    priority=str(item.get("priority")),
                    horizon=str(item.get("horizon")),
                    when=when or {},
                    sources=self.sources(item.get("sources"), where, required=True),
                    tailoring=tuple(tailoring),
                    related_areas=related,
                    severity=self.parse_severity(item.get("severity"), where, questions),
                    why=self.text(item.get("why"), f"{where}.why", required=False),
                    after=self.key_list(item.get("after"), f"{where}.after"),
                    replaces=self.key_list(item.get("replaces"), f"{where}.replaces"),
                    later=bool(item.get("later", False)),
                    later_when=self.condition_or_none(item.get("later_when"), f"{where}.later_when", questions),
                )
            )
        self.check_unique([r.key for r in recs], "recommendations", "recommendation key")
        return tuple(recs)
