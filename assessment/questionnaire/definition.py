"""The questionnaire definition as data: the content vocabulary (areas, levels, fact values)
and the frozen dataclasses a content file is parsed into (parser.py).

Pure Python, no ORM: the same objects serve the loader, the wizard, scoring and the
report. The file format is documented in docs/content-format.md.
"""

from __future__ import annotations

import hashlib
import json
import re
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from assessment.languages import CONTENT_LANGUAGES, FALLBACK

LANGS = CONTENT_LANGUAGES  # every text of a content file is given in each of them
AREAS = ("resilience", "financing", "innovation", "internationalization")
PROFILE = "profile"
# The optional stress-test section (2026.3 on): unscored, after the areas. Its answers feed
# questionnaire.runway and, through the fact below, the plan's severity rules.
STRESS = "stress"
STRESS_FIXED = ("stress_wages", "stress_social_insurance", "stress_rent", "stress_loan_payments", "stress_other_fixed")
STRESS_AMOUNTS = (*STRESS_FIXED, "stress_cash", "stress_credit", "stress_revenue")  # CNY 10,000
STRESS_SHARE = "stress_variable_share"  # percent of revenue
STRESS_DROP = "stress_drop"  # single choice: option keys are percents of revenue lost
STRESS_MONTHS = "stress_months"  # single choice: option keys are months
# What the report shows each lever adds to the runway; the content gives their texts and sources.
STRESS_LEVERS = ("defer_loans", "rent_relief", "social_insurance_relief", "draw_credit", "cut_variable_costs")
AREA_PREFIX = {"resilience": "res_", "financing": "fin_", "innovation": "inn_", "internationalization": "int_"}
QUESTION_TYPES = ("single", "multi", "scale", "number", "yesno", "text")
PRIORITIES = ("high", "medium", "low")  # a recommendation's base level
# Urgency levels of an action in the plan, most urgent first: severity rules can raise an
# action above its base priority, up to "critical".
LEVELS = ("critical", "high", "medium", "low")
SUPPORT_KINDS = ("domestic", "benchmark")  # benchmark: a foreign example, not a Chinese entitlement
HORIZONS = ("now", "3m", "12m")
PAPERS = ("000", "002")
FACT_VALUES = {
    "sector": ("primary", "secondary", "tertiary"),
    "region": ("eastern", "central", "western"),
    "size_class": ("micro", "small", "medium", "large"),
    "export_orientation": ("exporting", "planning", "domestic"),
    # Finer than export_orientation: who deals with the foreign buyer, and how far a plan is.
    "export_stage": ("domestic", "exploring", "planned", "indirect", "direct"),
    "legal_form": ("individual", "company", "cooperative", "other"),
    "ambition": ("steady", "grow", "lead"),
}
# Facts that are numbers, tested with lt/lte/gt/gte: the stress test's runway in months
# (None without the figures), capped at runway.HORIZON.
NUMBER_FACTS = ("stress_runway_months",)
# The facts shown with a firm, in this order: the report's header, the export columns and the
# cohort breakdowns.
SHOWN_FACTS = ("sector", "region", "size_class", "export_orientation")
# Profile questions whose option key is a fact of the same name (when the file defines them).
OPTION_FACTS = {"legal_form": "legal_form", "growth_ambition": "ambition"}
# The profile questions facts.py derives firm facts from; the file must define them.
PROFILE_KEYS = (
    "firm_name",
    "industry",
    "province",
    "employees",
    "revenue",
    "total_assets",
    "export_share",
    "export_plan",
)
EXPORT_PLANS = ("no_plan", "exploring", "planned", "already")
EXPORT_CHANNELS = ("none", "indirect", "direct", "both")  # who deals with the foreign buyer
SIZE_MEASURES = ("employees", "revenue", "total_assets")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*$")
OPTION_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")

Text = dict[str, str]


class ContentError(Exception):
    """The content file is invalid; `problems` names every bad entry."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Source:
    paper: str
    section: str


@dataclass(frozen=True)
class Option:
    key: str
    text: Text
    points: float | None = None
    na: bool = False
    exclusive: bool = False
    sector: str | None = None
    size_group: str | None = None
    region: str | None = None


@dataclass(frozen=True)
class NumberBand:
    min: float
    points: float


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    section: str
    label: Text
    text: Text
    help: Text | None
    sources: tuple[Source, ...]
    weight: float
    required: bool
    show_if: dict | None
    options: tuple[Option, ...] = ()
    unit: Text | None = None
    min: float | None = None
    max: float | None = None
    integer: bool = False
    bands: tuple[NumberBand, ...] = ()
    max_length: int | None = None
    max_points: float | None = None

    @property
    def scored(self) -> bool:
        # Only the four areas score; the profile and an unscored section (stress) never do.
        return self.section in AREAS and self.type != "text"

    def option(self, key: str) -> Option | None:
        try:
            return self._options_by_key.get(key)
        except TypeError:  # an unhashable value (a list in a list) is no option's key
            return None

    # Looked up ~10 times per question of every imported row: a mapping, made once. A
    # cached_property writes the instance's __dict__, which a frozen dataclass allows.
    @cached_property
    def _options_by_key(self) -> dict[str, Option]:
        by_key: dict[str, Option] = {}
        for option in self.options:
            by_key.setdefault(option.key, option)  # the first of equal keys, as a scan finds
        return by_key

    def best_points(self) -> float:
        """The most points an answer to this question can earn."""
        return self._best_points

    @cached_property
    def _best_points(self) -> float:
        if self.type == "number":
            return max(band.points for band in self.bands)
        scored = [o.points for o in self.options if o.points is not None]
        if self.type == "multi":
            return self.max_points if self.max_points is not None else sum(p for p in scored if p > 0)
        return max(scored)


@dataclass(frozen=True)
class Readiness:
    """When `when` holds, the area is shown as readiness and left out of the overall score."""

    when: dict
    title: Text
    note: Text


@dataclass(frozen=True)
class Section:
    key: str
    title: Text
    intro: Text | None
    questions: tuple[Question, ...]
    readiness: Readiness | None = None

    @property
    def is_area(self) -> bool:
        return self.key in AREAS


@dataclass(frozen=True)
class Tailoring:
    when: dict
    text: Text


@dataclass(frozen=True)
class Severity:
    """A rule that raises an action's level for this firm; `why` says which answer made it urgent."""

    when: dict
    level: str
    why: Text


@dataclass(frozen=True)
class SupportItem:
    key: str
    kind: str
    title: Text
    body: Text
    when: dict | None
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Recommendation:
    key: str
    area: str
    title: Text
    body: Text
    rationale: Text
    priority: str
    horizon: str
    when: dict
    sources: tuple[Source, ...]
    tailoring: tuple[Tailoring, ...] = ()
    related_areas: tuple[str, ...] = ()
    severity: tuple[Severity, ...] = ()
    why: Text | None = None  # default "why first" sentence when no severity rule holds
    after: tuple[str, ...] = ()  # prerequisites: placed before this one when both are in the plan
    replaces: tuple[str, ...] = ()  # overlapping advice dropped when this one triggers
    later: bool = False  # always in the "later / more ideas" part
    later_when: dict | None = None  # in "later" when this holds


@dataclass(frozen=True)
class StressLever:
    """The words and sources of one lever; runway.py computes what it adds."""

    key: str
    title: Text
    note: Text
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class StressContent:
    """The stress test's texts: the report's note on the method, and one entry per lever."""

    note: Text
    sources: tuple[Source, ...]
    levers: tuple[StressLever, ...]

    def lever(self, key: str) -> StressLever | None:
        return next((lever for lever in self.levers if lever.key == key), None)


@dataclass(frozen=True)
class Band:
    key: str
    min: float
    label: Text
    description: Text | None


@dataclass(frozen=True)
class Questionnaire:
    version: str
    title: Text
    papers: dict[str, Any]
    bands: tuple[Band, ...]
    size_standard: dict[str, Any]
    sections: tuple[Section, ...]
    recommendations: tuple[Recommendation, ...]
    raw: dict[str, Any] = field(repr=False, compare=False)
    core_max: int | None = None  # size of the core plan; None: every action is core (2026.1)
    support: tuple[SupportItem, ...] = ()
    stress: StressContent | None = None  # the stress test's texts (2026.3 on)
    questions: dict[str, Question] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        questions = {q.key: q for s in self.sections for q in s.questions}
        object.__setattr__(self, "questions", questions)

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def areas(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.is_area)

    def recommendation(self, key: str) -> Recommendation:
        for rec in self.recommendations:
            if rec.key == key:
                return rec
        raise KeyError(key)

    def band_for(self, score: float) -> Band:
        chosen = self.bands[0]
        for band in self.bands:
            if score >= band.min:
                chosen = band
        return chosen

    def checksum(self) -> str:
        return content_checksum(self.raw)


def per_questionnaire[T](build: Callable[[Questionnaire], T]) -> Callable[[Questionnaire], T]:
    """`build(qn)`, made once per Questionnaire object and dropped with it.

    A Questionnaire never changes, so what is derived from it (indexes, compiled conditions)
    never goes stale; the bulk import scores 10,000 rows against one. Keyed by identity: the
    dataclass compares by value and is not hashable. What `build` returns must not refer to
    the Questionnaire itself (its sections, questions and rules are fine), or it is never freed.
    """
    made: dict[int, tuple[weakref.ref[Questionnaire], T]] = {}

    def get(qn: Questionnaire) -> T:
        entry = made.get(id(qn))
        if entry is not None and entry[0]() is qn:
            return entry[1]
        value = build(qn)
        key = id(qn)
        made[key] = (weakref.ref(qn, lambda _ref: made.pop(key, None)), value)
        return value

    return get


def tr(text: Text | None, lang: str) -> str:
    """Pick the text of one language from a content text mapping."""
    if not text:
        return ""
    return text.get(lang) or text.get(FALLBACK) or next(iter(text.values()))


def content_checksum(raw: dict[str, Any]) -> str:
    """Hash of the content itself, so reformatting or comments do not count as edits."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()
