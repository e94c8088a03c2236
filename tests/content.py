"""Test content: the shipped questionnaire, and a small one whose scores are easy to check by hand."""

from __future__ import annotations

import copy
from functools import cache

from assessment.content import content_files
from assessment.questionnaire.parser import load_yaml


def T(en: str, zh: str | None = None) -> dict[str, str]:
    return {"zh-hans": zh or f"中文：{en}", "en": en}


SRC = [{"paper": "002", "section": "3(1)"}]


@cache
def shipped_text() -> str:
    return content_files()[-1].read_text(encoding="utf-8")


@cache
def shipped_raw() -> dict:
    return load_yaml(shipped_text())


def _options(*points, na=False, multi=False):
    opts = [{"key": f"o{p}", "text": T(f"option {p}"), "points": p} for p in points]
    if na:
        opts.append({"key": "na", "text": T("not applicable"), "na": True})
    return opts


def mini_raw(version: str = "test-1") -> dict:
    """The shipped profile, papers, bands and size standard, with tiny hand-checkable areas.

    Each area has: a single-choice question (0/1/2 points, weight 2, with a not-applicable
    option), a yes/no question (0/1), a number question (bands 0->0, 5->1, 10->2); the
    internationalization area also has a question shown only to exporting/planning firms.
    """
    base = shipped_raw()
    raw = {k: copy.deepcopy(base[k]) for k in ("format", "title", "papers", "bands", "size_standard")}
    raw["version"] = version
    sections = [copy.deepcopy(base["sections"][0])]
    for area, prefix in (
        ("resilience", "res"),
        ("financing", "fin"),
        ("innovation", "inn"),
        ("internationalization", "int"),
    ):
        questions = [
            {
                "key": f"{prefix}_single",
                "type": "single",
                "label": T(f"{area} single"),
                "text": T(f"{area} single?"),
                "weight": 2,
                "sources": SRC,
                "options": _options(0, 1, 2, na=True),
            },
            {
                "key": f"{prefix}_yes",
                "type": "yesno",
                "label": T(f"{area} yes"),
                "text": T(f"{area} yes?"),
                "sources": SRC,
                "options": [{"key": "yes", "text": T("Yes"), "points": 1}, {"key": "no", "text": T("No"), "points": 0}],
            },
            {
                "key": f"{prefix}_number",
                "type": "number",
                "label": T(f"{area} number"),
                "text": T(f"{area} number?"),
                "sources": SRC,
                "min": 0,
                "max": 100,
                "integer": True,
                "bands": [{"min": 0, "points": 0}, {"min": 5, "points": 1}, {"min": 10, "points": 2}],
            },
            {
                "key": f"{prefix}_multi",
                "type": "multi",
                "label": T(f"{area} multi"),
                "text": T(f"{area} multi?"),
                "sources": SRC,
                "options": [
                    {"key": "a", "text": T("A"), "points": 1},
                    {"key": "b", "text": T("B"), "points": 1},
                    {"key": "none", "text": T("None of these"), "points": 0, "exclusive": True},
                ],
            },
            {
                "key": f"{prefix}_note",
                "type": "text",
                "label": T(f"{area} note"),
                "text": T(f"{area} note?"),
                "max_length": 200,
            },
        ]
        if area == "internationalization":
            questions.append(
                {
                    "key": "int_detail",
                    "type": "single",
                    "label": T("detail"),
                    "text": T("Export detail?"),
                    "sources": SRC,
                    "show_if": {"fact": "export_orientation", "in": ["exporting", "planning"]},
                    "options": _options(0, 3),
                }
            )
        sections.append({"key": area, "title": T(area.title()), "questions": questions})
    raw["sections"] = sections
    raw["recommendations"] = [
        {
            "key": "res_fix_single",
            "area": "resilience",
            "title": T("Fix resilience single"),
            "body": T("Do it."),
            "rationale": T("Because."),
            "priority": "high",
            "horizon": "now",
            "sources": SRC,
            "when": {"question": "res_single", "in": ["o0"]},
            "tailoring": [{"when": {"fact": "sector", "in": ["tertiary"]}, "text": T("Services twist.")}],
        },
        {
            "key": "fin_low_score",
            "area": "financing",
            "title": T("Raise financing"),
            "body": T("Do it."),
            "rationale": T("Because."),
            "priority": "medium",
            "horizon": "3m",
            "sources": SRC,
            "when": {"score": "financing", "lt": 50},
        },
        {
            "key": "int_export_gap",
            "area": "internationalization",
            "title": T("Close export gap"),
            "body": T("Do it."),
            "rationale": T("Because."),
            "priority": "high",
            "horizon": "3m",
            "sources": SRC,
            "related_areas": ["financing"],
            "when": {"question": "int_detail", "in": ["o0"]},
        },
        {
            "key": "inn_small",
            "area": "innovation",
            "title": T("Small firm innovation"),
            "body": T("Do it."),
            "rationale": T("Because."),
            "priority": "low",
            "horizon": "12m",
            "sources": SRC,
            "when": {"all": [{"fact": "size_class", "in": ["micro", "small"]}, {"question": "inn_yes", "in": ["no"]}]},
        },
    ]
    return raw


PROFILE = {
    "firm_name": "Test Trading Co.",
    "industry": "retail",
    "province": "sichuan",
    "employees": 30,
    "revenue": 800,
    "total_assets": 400,
    "export_share": 0,
    "export_plan": "no_plan",
    # Profile questions of 2026.2 on (ignored by versions that do not ask them).
    "legal_form": "company",
    "export_channel": "none",
    "growth_ambition": "grow",
}


def mini_answers(level: str, **profile) -> dict:
    """All area answers at their best ('best') or worst ('worst'), plus the profile."""
    best = level == "best"
    answers = {**PROFILE, **profile}
    for prefix in ("res", "fin", "inn", "int"):
        answers[f"{prefix}_single"] = "o2" if best else "o0"
        answers[f"{prefix}_yes"] = "yes" if best else "no"
        answers[f"{prefix}_number"] = 12 if best else 0
        answers[f"{prefix}_multi"] = ["a", "b"] if best else ["none"]
    answers["int_detail"] = "o3" if best else "o0"
    return answers
