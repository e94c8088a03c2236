"""Golden results: the engine and the import check give exactly what they gave before (issue 16 §3).

The scoring, plan and import code is tuned for speed; none of that may change a stored
result. `golden_results.json` holds inputs (import tables as people fill them, with codes,
option texts in both languages and odd separators; firms' answers, the plan firms of
test_plan_firms.py and the mini questionnaire's) and what the code gave for them when they
were recorded: the checked rows, the errors of a bad table, and `build_result(...).to_json()`.
Compared as JSON text, so key order and int/float are part of "the same".

When a content file or the scoring rules change on purpose, record the outputs again from the
stored inputs and review the diff:

    .venv/bin/python -m tests.questionnaire.test_golden_results --write
"""

from __future__ import annotations

import json
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from assessment.bulk.importing import check_rows
from assessment.content import CONTENT_DIR
from assessment.questionnaire.definition import Questionnaire
from assessment.questionnaire.parser import load_yaml, parse_questionnaire
from assessment.questionnaire.result import build_result
from assessment.questionnaire.rules import Context, compile_condition, effective_answers, evaluate
from assessment.questionnaire.scoring import score
from tests.content import mini_raw

GOLDEN = Path(__file__).with_name("golden_results.json")
VERSIONS = ("2026.1", "2026.2")


@cache
def golden() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@cache
def questionnaire(name: str) -> Questionnaire:
    if name == "mini":
        return parse_questionnaire(mini_raw())
    return parse_questionnaire(load_yaml((CONTENT_DIR / f"questionnaire-{name}.yaml").read_text(encoding="utf-8")))


def as_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def checked(qn: Questionnaire, table: list[list[str]]) -> tuple[list[dict], list[list]]:
    with translation.override("en"):
        rows, errors = check_rows(qn, table, "en")
    return (
        [{"row": r.row, "answers": r.answers, "share": r.share, "email": r.email} for r in rows],
        [[e.row, e.column, e.value, e.message] for e in errors],
    )


def result_of(qn: Questionnaire, answers: dict[str, Any]) -> dict[str, Any]:
    return build_result(qn, answers).to_json()


@pytest.mark.parametrize("name", VERSIONS)
def test_it_checks_the_golden_table_to_the_same_rows(name):
    case = golden()[name]
    rows, errors = checked(questionnaire(name), case["table"])
    assert errors == []
    assert len(rows) == len(case["rows"])
    for got, want in zip(rows, case["rows"], strict=True):
        assert as_json(got) == as_json(want), f"row {want['row']}"


@pytest.mark.parametrize("name", VERSIONS)
def test_it_scores_every_imported_row_to_the_same_result(name):
    case = golden()[name]
    qn = questionnaire(name)
    assert len(case["results"]) == len(case["rows"]) > 0
    for row, want in zip(case["rows"], case["results"], strict=True):
        assert as_json(result_of(qn, row["answers"])) == as_json(want), f"row {row['row']}"


@pytest.mark.parametrize("name", VERSIONS)
def test_it_reports_the_same_problems_for_a_bad_table(name):
    case = golden()[name]
    rows, errors = checked(questionnaire(name), case["bad_table"])
    assert errors == case["errors"]
    assert as_json(rows) == as_json(case["bad_rows"])  # the good rows are still checked, though unused


@pytest.mark.parametrize("name", [*VERSIONS, "mini"])
def test_it_scores_every_golden_firm_to_the_same_result(name):
    firms = golden()[name]["firms"]
    qn = questionnaire(name)
    assert firms
    for firm, case in firms.items():
        assert as_json(result_of(qn, case["answers"])) == as_json(case["result"]), firm


def conditions(qn: Questionnaire) -> list[dict]:
    found = [q.show_if for q in qn.questions.values() if q.show_if is not None]
    found += [s.readiness.when for s in qn.sections if s.readiness is not None]
    for rec in qn.recommendations:
        found += [rec.when, *(t.when for t in rec.tailoring), *(r.when for r in rec.severity)]
        found += [rec.later_when] if rec.later_when is not None else []
    return found + [item.when for item in qn.support if item.when is not None]


@pytest.mark.parametrize("name", [*VERSIONS, "mini"])
def test_it_evaluates_compiled_conditions_as_the_interpreter_does(name):
    qn = questionnaire(name)
    case = golden()[name]
    answer_sets = [firm["answers"] for firm in case["firms"].values()]
    answer_sets += [row["answers"] for row in case.get("rows", [])]
    contexts = [Context({}, {}, {})]
    for answers in answer_sets:
        scored = score(qn, answers)
        counted = effective_answers(qn, answers, scored.facts)
        contexts += [Context(answers, scored.facts), Context(counted, scored.facts, scored.area_scores())]
    # Odd values the wizard never stores: numbers as text, a lone key where a list is expected.
    contexts.append(Context({k: str(v) for k, v in answer_sets[0].items()}, {}, {"resilience": None}))
    contexts.append(Context({k: v[0] if isinstance(v, list) else [v] for k, v in answer_sets[0].items()}, {}, {}))
    checked = 0
    for cond in conditions(qn):
        holds = compile_condition(cond)
        for ctx in contexts:
            assert holds(ctx) is evaluate(cond, ctx), cond
            checked += 1
    assert checked > 100


def record() -> None:
    """Compute every output again from the stored inputs and write the file."""
    data = golden()
    for name in [*VERSIONS, "mini"]:
        case, qn = data[name], questionnaire(name)
        if "table" in case:
            case["rows"], errors = checked(qn, case["table"])
            assert not errors, errors
            case["results"] = [result_of(qn, row["answers"]) for row in case["rows"]]
            case["bad_rows"], case["errors"] = checked(qn, case["bad_table"])
        for firm in case["firms"].values():
            firm["result"] = result_of(qn, firm["answers"])
    GOLDEN.write_text(_dump(data) + "\n", encoding="utf-8")


def _dump(value: Any, depth: int = 0) -> str:
    """Readable diffs: the outer levels one entry a line, each case compact on its line."""
    pad = " " * (depth + 1)
    if depth < 3 and isinstance(value, dict) and value:
        items = ",\n".join(f"{pad}{as_json(k)}: {_dump(v, depth + 1)}" for k, v in value.items())
        return "{\n" + items + "\n" + " " * depth + "}"
    if depth < 3 and isinstance(value, list) and value:
        return "[\n" + ",\n".join(pad + as_json(v) for v in value) + "\n" + " " * depth + "]"
    return as_json(value)


if __name__ == "__main__" and "--write" in sys.argv:
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    record()
