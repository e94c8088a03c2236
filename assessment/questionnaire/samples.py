"""Plausible answer sets generated from the questionnaire, for demo data and benchmarks.

`quality` runs from 0 (weakest answers) to 1 (best answers); `seed` makes it repeatable.
"""

from __future__ import annotations

import random
from typing import Any

from assessment.questionnaire.definition import Question, Questionnaire
from assessment.questionnaire.facts import derive_facts
from assessment.questionnaire.rules import visible_questions


def sample_answer(q: Question, quality: float, rng: random.Random) -> Any:
    jitter = rng.choice((-1, 0, 0, 1))
    if q.type == "number":
        bands = q.bands
        i = max(0, min(len(bands) - 1, round(quality * (len(bands) - 1)) + jitter))
        low = bands[i].min
        # Stay near the band's start: the open top band would otherwise give absurd values.
        high = bands[i + 1].min if i + 1 < len(bands) else low + max(1, low * 0.5)
        value = low + (high - low) * rng.random() * 0.9
        return int(value) if q.integer else round(value, 1)
    scored = sorted((o for o in q.options if not o.na), key=lambda o: o.points or 0)
    if q.type == "multi":
        chosen = [o.key for o in scored if (o.points or 0) > 0 and rng.random() < quality]
        return chosen or [scored[0].key]
    i = max(0, min(len(scored) - 1, round(quality * (len(scored) - 1)) + jitter))
    return scored[i].key


def sample_answers(qn: Questionnaire, profile: dict[str, Any], quality: float, seed: int = 0) -> dict[str, Any]:
    """Answers to every question that applies to a firm with this profile."""
    rng = random.Random(seed)
    answers = {k: v for k, v in profile.items() if k in qn.questions}
    # Versions differ in their profile: fill the required choices this profile does not give
    # (legal form, ambition, export channel in 2026.2; years operating in 2026.1) so the answers can be submitted.
    for q in qn.section("profile").questions:
        if q.key in answers or not q.required:
            continue
        if q.options:
            answers[q.key] = _profile_default(q.key, answers, rng.choice(q.options).key)
        elif q.type == "number":  # years operating in 2026.1
            answers[q.key] = max(q.min or 0, min(q.max or 5, 5))
    facts = derive_facts(qn, answers)
    for q in visible_questions(qn, answers, facts):
        if q.key in answers or not q.scored:
            continue
        answers[q.key] = sample_answer(q, quality, rng)
    return answers


def _profile_default(key: str, answers: dict[str, Any], chosen: str) -> str:
    """A generated profile choice that agrees with the rest of the profile."""
    if key == "export_channel":
        exports = bool(answers.get("export_share")) or answers.get("export_plan") == "already"
        return ("direct" if chosen == "none" else chosen) if exports else "none"
    return chosen


INDUSTRIES = ("mfg_food", "retail", "software_it", "logistics", "crop_farming", "hospitality", "mfg_textiles")
PROVINCES = ("hubei", "zhejiang", "sichuan", "guangdong", "henan")


def sample_firm(qn: Questionnaire, n: int) -> dict[str, Any]:
    """The n-th firm of a generated cohort: varied industry, region, size and answers."""
    rng = random.Random(n)
    employees = rng.choice((8, 25, 60, 150, 280))
    profile = {
        "firm_name": f"Firm {n:05d}",
        "industry": INDUSTRIES[n % len(INDUSTRIES)],
        "province": PROVINCES[(n // 3) % len(PROVINCES)],
        "employees": employees,
        "revenue": employees * rng.choice((20, 40, 80)),
        "total_assets": employees * rng.choice((15, 30, 60)),
        "years_operating": rng.randint(1, 30),
        "export_share": rng.choice((0, 0, 5, 30)),
        "export_plan": rng.choice(("no_plan", "exploring", "planned", "already")),
    }
    return sample_answers(qn, profile, quality=(n % 10) / 10, seed=n)
