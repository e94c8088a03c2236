"""Parse and validate a content file into a Questionnaire; ContentError lists every bad entry.

The recommendation catalogue's rules (severity, prerequisites, support) are checked by the
mixin in plan_parser.py; this module reads the document, its sections, questions and options.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import yaml

from assessment.questionnaire.conditions import ConditionChecks
from assessment.questionnaire.definition import (
    AREA_PREFIX,
    AREAS,
    EXPORT_CHANNELS,
    FACT_VALUES,
    KEY_RE,
    LANGS,
    OPTION_FACTS,
    OPTION_KEY_RE,
    PAPERS,
    PROFILE,
    PROFILE_KEYS,
    QUESTION_TYPES,
    SIZE_MEASURES,
    Band,
    ContentError,
    NumberBand,
    Option,
    Question,
    Questionnaire,
    Section,
    Source,
    Text,
)
from assessment.questionnaire.plan_parser import PlanParser
from assessment.questionnaire.stress_parser import StressParser

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


class _Parser(PlanParser, StressParser, ConditionChecks):
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
            pairs = ", ".join(f"{code}: ..." for code in LANGS)
            self.problem(where, f"needs a text in each language ({{{pairs}}})")
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
        stress = self.parse_stress(raw.get("stress"), questions)
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
            stress=stress,
        )

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
        if keys[: len(expected)] != expected:
            self.problem("sections", f"must be, in this order: {', '.join(expected)} (found {keys})")
        # After the areas, a file may add sections that never score (2026.3: the stress test);
        # each says so with `scored: false`, so no one mistakes it for a fifth area.
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                continue
            extra = i >= len(expected) or item.get("key") not in expected
            if extra and item.get("scored") is not False:
                self.problem(f"sections[{i}] ({item.get('key')})", "a section after the areas needs scored: false")
            elif not extra and "scored" in item:
                self.problem(f"sections[{i}] ({item.get('key')})", "only a section after the areas takes scored")
            if extra and not KEY_RE.match(str(item.get("key"))):
                self.problem(f"sections[{i}]", f"bad key {item.get('key')!r}")
        self.check_unique([str(k) for k in keys], "sections", "section key")
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
        unscored_section = section != PROFILE and section not in AREAS
        if unscored_section and not key.startswith(f"{section}_"):
            self.problem(where, f"keys in {section} start with {section}_")
        if unscored_section and item.get("required"):
            self.problem(where, "questions of an unscored section are optional (no required: true)")
        qtype = item.get("type")
        if qtype not in QUESTION_TYPES:
            self.problem(where, f"unknown type {qtype!r}")
            return None
        scored = section in AREAS and qtype != "text"
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
            required=bool(item.get("required", qtype != "text" and not unscored_section)),
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

    def check_unique(self, keys: list[str], where: str, what: str) -> None:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                self.problem(where, f"duplicate {what} {key!r}")
            seen.add(key)
