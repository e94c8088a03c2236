"""The questionnaire definition: parse a content file, validate it, expose it as data.

Pure Python, no ORM: the same objects serve the loader, the wizard, scoring and the
report. The file format is documented in docs/content-format.md.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

LANGS = ("zh-hans", "en")
AREAS = ("resilience", "financing", "innovation", "internationalization")
PROFILE = "profile"
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
        return self.section != PROFILE and self.type != "text"

    def option(self, key: str) -> Option | None:
        for option in self.options:
            if option.key == key:
                return option
        return None

    def best_points(self) -> float:
        """The most points an answer to this question can earn."""
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


def tr(text: Text | None, lang: str) -> str:
    """Pick the text of one language from a content text mapping."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or next(iter(text.values()))


def content_checksum(raw: dict[str, Any]) -> str:
    """Hash of the content itself, so reformatting or comments do not count as edits."""
    canonical = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# libyaml's loader (same safe subset) parses the 4,600-line content file ~6x faster than the
# pure-Python one; PyYAML wheels ship it, a source build may not.
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> dict[str, Any]:
    try:
        raw = yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader, C or Python
    except yaml.YAMLError as exc:
        raise ContentError([f"not valid YAML: {exc}"]) from None
    if not isinstance(raw, dict):
        raise ContentError(["the file must be a mapping at the top level"])
    return raw


def parse_questionnaire(raw: dict[str, Any]) -> Questionnaire:
    """Validate raw content and build the definition; raises ContentError listing every problem."""
    return _Parser(raw).parse()


class _Parser:
    def __init__(self, raw: dict[str, Any]):
        self.raw = raw
        self.problems: list[str] = []
        self.section_ids: dict[str, set[str]] = {}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    # -- small typed readers ---------------------------------------------------------
    def text(self, value: Any, where: str, required: bool = True) -> Text | None:
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.problem(where, "needs a text in both languages ({zh-hans: ..., en: ...})")
            return None
        for lang in LANGS:
            if not isinstance(value.get(lang), str) or not value[lang].strip():
                self.problem(where, f"missing translation '{lang}'")
        extra = set(value) - set(LANGS)
        if extra:
            self.problem(where, f"unknown language(s) {sorted(extra)}")
        return {lang: str(value.get(lang, "")).strip() for lang in LANGS}

    def sources(self, value: Any, where: str, required: bool) -> tuple[Source, ...]:
        if not value:
            if required:
                self.problem(where, "missing source (list of {paper, section})")
            return ()
        result = []
        for i, item in enumerate(value if isinstance(value, list) else [value]):
            if not isinstance(item, dict):
                self.problem(f"{where}.sources[{i}]", "must be {paper: ..., section: ...}")
                continue
            paper, section = str(item.get("paper", "")), str(item.get("section", ""))
            if paper not in self.section_ids:
                self.problem(f"{where}.sources[{i}]", f"unknown paper {paper!r}")
            elif section not in self.section_ids[paper]:
                self.problem(f"{where}.sources[{i}]", f"unknown section {section!r} of paper {paper}")
            result.append(Source(paper, section))
        return tuple(result)

    def number(self, value: Any, where: str) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(where, f"must be a number, not {value!r}")
            return None
        return value

    # -- the file ---------------------------------------------------------------------
    def parse(self) -> Questionnaire:
        raw = self.raw
        if raw.get("format") != 1:
            self.problem("format", "must be 1")
        version = raw.get("version")
        if not isinstance(version, str) or not re.match(r"^[0-9A-Za-z.\-]{1,20}$", version):
            self.problem("version", "must be a short string such as '2026.1'")
            version = str(version)
        title = self.text(raw.get("title"), "title")
        papers = self.parse_papers(raw.get("papers"))
        bands = self.parse_bands(raw.get("bands"))
        size_standard = self.parse_size_standard(raw.get("size_standard"))
        sections = self.parse_sections(raw.get("sections"), size_standard)
        questions = {q.key: q for s in sections for q in s.questions}
        for section in sections:
            for q in section.questions:
                if q.show_if is not None:
                    self.check_condition(q.show_if, f"question {q.key}.show_if", questions, show_if=True)
        sections = tuple(self.with_readiness(s, raw, questions) for s in sections)
        recommendations = self.parse_recommendations(raw.get("recommendations"), questions)
        self.check_plan_links(recommendations)
        core_max = self.parse_plan(raw.get("plan"))
        support = self.parse_support(raw.get("support"), questions)
        if self.problems:
            raise ContentError(self.problems)
        return Questionnaire(
            version=version,
            title=title or {},
            papers=papers,
            bands=bands,
            size_standard=size_standard,
            sections=sections,
            recommendations=recommendations,
            raw=raw,
            core_max=core_max,
            support=support,
        )

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

    def parse_papers(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem("papers", "must list papers 000 and 002")
            return {}
        for paper in PAPERS:
            if paper not in value:
                self.problem("papers", f"paper {paper} is missing")
        for paper, data in value.items():
            where = f"papers.{paper}"
            if paper not in PAPERS:
                self.problem(where, "unknown paper (expected 000 or 002)")
                continue
            if not isinstance(data, dict):
                self.problem(where, "must be a mapping")
                continue
            self.text(data.get("title"), f"{where}.title")
            self.text(data.get("citation"), f"{where}.citation")
            sections = data.get("sections") or {}
            if not isinstance(sections, dict) or not sections:
                self.problem(f"{where}.sections", "must map section ids to titles")
                sections = {}
            for section_id, section_title in sections.items():
                self.text(section_title, f"{where}.sections.{section_id}")
            self.section_ids[str(paper)] = {str(s) for s in sections}
        return value

    def parse_bands(self, value: Any) -> tuple[Band, ...]:
        if not isinstance(value, list) or not value:
            self.problem("bands", "must be a non-empty list")
            return ()
        bands = []
        for i, item in enumerate(value):
            where = f"bands[{i}]"
            if not isinstance(item, dict):
                self.problem(where, "must be a mapping")
                continue
            key = item.get("key")
            minimum = self.number(item.get("min"), f"{where}.min")
            bands.append(
                Band(
                    key=str(key),
                    min=minimum or 0,
                    label=self.text(item.get("label"), f"{where}.label") or {},
                    description=self.text(item.get("description"), f"{where}.description", required=False),
                )
            )
        mins = [b.min for b in bands]
        if mins and (mins[0] != 0 or mins != sorted(set(mins))):
            self.problem("bands", "minimums must start at 0 and strictly increase")
        self.check_unique([b.key for b in bands], "bands", "band key")
        return tuple(bands)

    def parse_size_standard(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.problem("size_standard", "must be a mapping")
            return {"groups": {}}
        self.text(value.get("name"), "size_standard.name")
        self.text(value.get("note"), "size_standard.note")
        self.sources(value.get("sources"), "size_standard", required=True)
        groups = value.get("groups")
        if not isinstance(groups, dict) or not groups:
            self.problem("size_standard.groups", "must define at least one group")
            return {**value, "groups": {}}
        for name, group in groups.items():
            where = f"size_standard.groups.{name}"
            if not isinstance(group, dict):
                self.problem(where, "must be a mapping")
                continue
            self.text(group.get("label"), f"{where}.label")
            previous: dict[str, float] = {}
            for size in ("small", "medium", "large"):
                bounds = group.get(size)
                if not isinstance(bounds, dict) or not bounds:
                    self.problem(f"{where}.{size}", "must give lower bounds, e.g. {employees: 20}")
                    continue
                for measure, bound in bounds.items():
                    if measure not in SIZE_MEASURES:
                        self.problem(f"{where}.{size}", f"unknown measure {measure!r}")
                    elif self.number(bound, f"{where}.{size}.{measure}") is not None:
                        if bound < previous.get(measure, 0):
                            self.problem(f"{where}.{size}.{measure}", "bounds must grow with size")
                        previous[measure] = bound
        return value

    def parse_sections(self, value: Any, size_standard: dict) -> tuple[Section, ...]:
        if not isinstance(value, list):
            self.problem("sections", "must be a list")
            return ()
        keys = [s.get("key") if isinstance(s, dict) else None for s in value]
        expected = [PROFILE, *AREAS]
        if keys != expected:
            self.problem("sections", f"must be, in this order: {', '.join(expected)} (found {keys})")
        sections = []
        seen: set[str] = set()
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            key = str(item.get("key"))
            where = f"sections[{i}] ({key})"
            questions = []
            raw_questions = item.get("questions") or []
            for j, q in enumerate(raw_questions):
                question = self.parse_question(q, key, f"{where}.questions[{j}]", size_standard)
                if question is None:
                    continue
                if question.key in seen:
                    self.problem(f"question {question.key}", "duplicate key")
                seen.add(question.key)
                questions.append(question)
            sections.append(
                Section(
                    key=key,
                    title=self.text(item.get("title"), f"{where}.title") or {},
                    intro=self.text(item.get("intro"), f"{where}.intro", required=False),
                    questions=tuple(questions),
                )
            )
        profile_keys = {q.key for s in sections if s.key == PROFILE for q in s.questions}
        for key in PROFILE_KEYS:
            if key not in profile_keys:
                self.problem("sections[0] (profile)", f"question {key!r} is required")
        profile = {q.key: q for s in sections if s.key == PROFILE for q in s.questions}
        for key, fact in OPTION_FACTS.items():
            if key in profile:
                unknown = {o.key for o in profile[key].options} - set(FACT_VALUES[fact])
                if unknown:
                    self.problem(
                        f"question {key}", f"options must be among {FACT_VALUES[fact]} (found {sorted(unknown)})"
                    )
        if "export_channel" in profile:
            unknown = {o.key for o in profile["export_channel"].options} - set(EXPORT_CHANNELS)
            if unknown:
                self.problem("question export_channel", f"options must be among {EXPORT_CHANNELS}")
        return tuple(sections)

    def parse_question(self, item: Any, section: str, where: str, size_standard: dict) -> Question | None:
        if not isinstance(item, dict):
            self.problem(where, "must be a mapping")
            return None
        key = item.get("key")
        if not isinstance(key, str) or not KEY_RE.match(key):
            self.problem(where, f"bad key {key!r}")
            return None
        where = f"question {key}"
        if section in AREA_PREFIX and not key.startswith(AREA_PREFIX[section]):
            self.problem(where, f"keys in {section} start with {AREA_PREFIX[section]}")
        qtype = item.get("type")
        if qtype not in QUESTION_TYPES:
            self.problem(where, f"unknown type {qtype!r}")
            return None
        scored = section != PROFILE and qtype != "text"
        if section == PROFILE and item.get("show_if") is not None:
            self.problem(where, "profile questions are always shown (no show_if)")
        options = self.parse_options(item.get("options"), qtype, scored, where, size_standard)
        bands: list[NumberBand] = []
        if qtype == "number":
            if item.get("min") is None or item.get("max") is None:
                self.problem(where, "number questions need min and max")
            for i, band in enumerate(item.get("bands") or []):
                if not isinstance(band, dict):
                    self.problem(f"{where}.bands[{i}]", "must be {min, points}")
                    continue
                bands.append(
                    NumberBand(
                        self.number(band.get("min"), f"{where}.bands[{i}].min") or 0,
                        self.number(band.get("points"), f"{where}.bands[{i}].points") or 0,
                    )
                )
            if scored:
                self.check_bands(bands, item.get("min"), where)
        weight = item.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
            self.problem(where, "weight must be a positive number")
            weight = 1
        max_length = item.get("max_length")
        if qtype == "text" and (not isinstance(max_length, int) or not 1 <= max_length <= 2000):
            self.problem(where, "text questions need max_length between 1 and 2000")
        return Question(
            key=key,
            type=qtype,
            section=section,
            label=self.text(item.get("label"), f"{where}.label") or {},
            text=self.text(item.get("text"), f"{where}.text") or {},
            help=self.text(item.get("help"), f"{where}.help", required=False),
            sources=self.sources(item.get("sources"), where, required=scored),
            weight=weight,
            required=bool(item.get("required", qtype != "text")),
            show_if=item.get("show_if"),
            options=tuple(options),
            unit=self.text(item.get("unit"), f"{where}.unit", required=False),
            min=self.number(item.get("min"), f"{where}.min"),
            max=self.number(item.get("max"), f"{where}.max"),
            integer=bool(item.get("integer", False)),
            bands=tuple(bands),
            max_length=max_length if isinstance(max_length, int) else None,
            max_points=self.number(item.get("max_points"), f"{where}.max_points"),
        )

    def parse_options(self, value: Any, qtype: str, scored: bool, where: str, size_standard: dict) -> list[Option]:
        if qtype in ("number", "text"):
            if value:
                self.problem(where, f"{qtype} questions have no options")
            return []
        if not isinstance(value, list) or len(value) < 2:
            self.problem(where, "needs at least two options")
            return []
        options = []
        for i, item in enumerate(value):
            owhere = f"{where}.options[{i}]"
            if not isinstance(item, dict):
                self.problem(owhere, "must be a mapping")
                continue
            okey = str(item.get("key"))
            if not OPTION_KEY_RE.match(okey):
                self.problem(owhere, f"bad option key {okey!r}")
            owhere = f"{where} option {okey}"
            na = bool(item.get("na", False))
            points = item.get("points")
            if scored and not na:
                if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                    self.problem(owhere, "needs points (a number >= 0)")
                    points = None
            elif points is not None:
                self.problem(owhere, "has points but is not scored (profile or not-applicable option)")
                points = None
            if item.get("exclusive") and qtype != "multi":
                self.problem(owhere, "only multiple-choice options can be exclusive")
            sector, region = item.get("sector"), item.get("region")
            if sector is not None and sector not in FACT_VALUES["sector"]:
                self.problem(owhere, f"unknown sector {sector!r}")
            if region is not None and region not in FACT_VALUES["region"]:
                self.problem(owhere, f"unknown region {region!r}")
            size_group = item.get("size_group")
            if size_group is not None and size_group not in (size_standard.get("groups") or {}):
                self.problem(owhere, f"unknown size_group {size_group!r}")
            options.append(
                Option(
                    key=okey,
                    text=self.text(item.get("text"), f"{owhere}.text") or {},
                    points=points,
                    na=na,
                    exclusive=bool(item.get("exclusive", False)),
                    sector=sector,
                    size_group=size_group,
                    region=region,
                )
            )
        self.check_unique([o.key for o in options], where, "option key")
        if qtype == "yesno" and sorted(o.key for o in options) != ["no", "yes"]:
            self.problem(where, "yes/no questions have exactly the options 'yes' and 'no'")
        if qtype == "scale" and [o.key for o in options if not o.na] != ["1", "2", "3", "4", "5"]:
            self.problem(where, "scale questions have the options '1' to '5'")
        if scored:
            points = [o.points for o in options if o.points is not None]
            if points and min(points) != 0:
                self.problem(where, "the weakest answer must score 0 points")
            if points and max(points) <= 0:
                self.problem(where, "the best answer must score more than 0 points")
        return options

    def check_bands(self, bands: list[NumberBand], minimum: Any, where: str) -> None:
        if not bands:
            self.problem(where, "scored number questions need bands")
            return
        if bands[0].min != minimum or bands[0].points != 0:
            self.problem(where, "the first band starts at the question's min and scores 0")
        for before, after in itertools.pairwise(bands):
            if after.min <= before.min or after.points < before.points:
                self.problem(where, "bands need increasing min and non-decreasing points")

    def key_list(self, value: Any, where: str) -> tuple[str, ...]:
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.problem(where, "must be a list of recommendation keys")
            return ()
        return tuple(value)

    def condition_or_none(self, value: Any, where: str, questions: dict[str, Question]) -> dict | None:
        if value is None:
            return None
        self.check_condition(value, where, questions, show_if=False)
        return value if isinstance(value, dict) else None

    def check_unique(self, keys: list[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                self.problem(where, f"duplicate {what} {key!r}")
            seen.add(key)

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
