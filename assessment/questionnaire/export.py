"""The questionnaire as JSON-ready data (manage.py export_questionnaire): questions, options,
recommendations and their sources, for reviewers and other tools."""

from __future__ import annotations

from typing import Any

from assessment.questionnaire.definition import PROFILE, Question, Questionnaire, Recommendation


def _sources(sources) -> list[dict[str, str]]:
    return [{"paper": s.paper, "section": s.section} for s in sources]


def question_data(q: Question) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": q.key,
        "type": q.type,
        "label": q.label,
        "text": q.text,
        "help": q.help,
        "required": q.required,
        "scored": q.scored,
        "sources": _sources(q.sources),
        "options": [],
    }
    for o in q.options:
        option: dict[str, Any] = {"key": o.key, "text": o.text}
        if o.points is not None:
            option["points"] = o.points
        if o.na:
            option["not_applicable"] = True
        if o.exclusive:
            option["exclusive"] = True
        for attr in ("sector", "size_group", "region"):
            if getattr(o, attr):
                option[attr] = getattr(o, attr)
        data["options"].append(option)
    if q.scored:
        data["weight"] = q.weight
    if q.type == "multi" and q.scored:
        data["max_points"] = q.best_points()
    if q.show_if is not None:
        data["show_if"] = q.show_if
    if q.type == "number":
        data.update({"unit": q.unit, "min": q.min, "max": q.max, "integer": q.integer})
        if q.bands:
            data["bands"] = [{"min": b.min, "points": b.points} for b in q.bands]
    if q.type == "text":
        data["max_length"] = q.max_length
    return data


def recommendation_data(r: Recommendation) -> dict[str, Any]:
    return {
        "key": r.key,
        "area": r.area,
        "title": r.title,
        "body": r.body,
        "rationale": r.rationale,
        "priority": r.priority,
        "horizon": r.horizon,
        "when": r.when,
        "tailoring": [{"when": t.when, "text": t.text} for t in r.tailoring],
        "related_areas": list(r.related_areas),
        "sources": _sources(r.sources),
        "severity": [{"when": v.when, "level": v.level, "why": v.why} for v in r.severity],
        "why": r.why,
        "after": list(r.after),
        "replaces": list(r.replaces),
        "later": r.later,
        "later_when": r.later_when,
    }


def questionnaire_data(qn: Questionnaire) -> dict[str, Any]:
    profile = qn.section(PROFILE)
    return {
        "version": qn.version,
        "title": qn.title,
        "profile": {
            "key": profile.key,
            "title": profile.title,
            "intro": profile.intro,
            "questions": [question_data(q) for q in profile.questions],
        },
        "areas": [
            {
                "key": s.key,
                "title": s.title,
                "intro": s.intro,
                "questions": [question_data(q) for q in s.questions],
                "readiness": (
                    {"when": s.readiness.when, "title": s.readiness.title, "note": s.readiness.note}
                    if s.readiness
                    else None
                ),
            }
            for s in qn.areas
        ],
        "core_max": qn.core_max,
        "support": [
            {
                "key": i.key,
                "kind": i.kind,
                "title": i.title,
                "body": i.body,
                "when": i.when,
                "sources": _sources(i.sources),
            }
            for i in qn.support
        ],
        "recommendations": [recommendation_data(r) for r in qn.recommendations],
        "bands": [{"key": b.key, "min": b.min, "label": b.label, "description": b.description} for b in qn.bands],
        "size_standard": qn.size_standard,
        "papers": qn.papers,
    }
