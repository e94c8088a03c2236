"""Search for answers that fire a recommendation (to prove none is dead content)."""

from __future__ import annotations

import itertools

from assessment.questionnaire.definition import Questionnaire, Recommendation
from assessment.questionnaire.plan import triggered_actions
from assessment.questionnaire.samples import sample_answers
from assessment.questionnaire.scoring import score
from tests.content import PROFILE

PROFILES = [
    dict(PROFILE),
    dict(
        PROFILE,
        industry="mfg_textiles",
        province="zhejiang",
        employees=120,
        revenue=5000,
        export_share=40,
        export_plan="already",
        export_channel="direct",
        growth_ambition="lead",
    ),
    dict(
        PROFILE,
        industry="crop_farming",
        province="henan",
        employees=8,
        revenue=40,
        export_plan="exploring",
        legal_form="cooperative",
        growth_ambition="steady",
    ),
    dict(
        PROFILE,
        industry="software_it",
        province="guangdong",
        employees=150,
        revenue=3000,
        export_plan="planned",
        growth_ambition="lead",
    ),
    dict(
        PROFILE,
        industry="hospitality",
        province="gansu",
        employees=5,
        revenue=60,
        total_assets=30,
        legal_form="individual",
        growth_ambition="steady",
    ),
    dict(
        PROFILE,
        industry="mfg_machinery",
        province="jiangsu",
        employees=600,
        revenue=30000,
        total_assets=20000,
        export_share=10,
        export_plan="already",
        export_channel="indirect",
        growth_ambition="lead",
    ),
]


def firing_answers(qn: Questionnaire, rec: Recommendation) -> dict | None:
    for profile, quality, seed in itertools.product(PROFILES, (0.0, 0.15, 0.35, 0.6), range(12)):
        answers = sample_answers(qn, profile, quality, seed)
        result = score(qn, answers)
        if any(a.recommendation.key == rec.key for a in triggered_actions(qn, answers, result)):
            return answers
    return None
