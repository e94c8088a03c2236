from assessment.questionnaire.result import Result
from assessment.reports.progress import compare


def snapshot(scores, overall, actions):
    return Result.from_json(
        {
            "scores": {area: {"score": score} for area, score in scores.items()},
            "overall": overall,
            "actions": [{"key": key, "tailoring": []} for key in actions],
        }
    )


def test_it_reports_change_per_area_and_resolved_recommendations():
    before = snapshot(
        {"resilience": 40, "financing": 55, "innovation": 30, "internationalization": None}, 42, ["a", "b", "c"]
    )
    after = snapshot({"resilience": 65, "financing": 50, "innovation": 30, "internationalization": 20}, 41, ["b", "d"])
    progress = compare(before, after)
    assert [(c.area, c.delta) for c in progress.areas] == [
        ("resilience", 25),
        ("financing", -5),
        ("innovation", 0),
        ("internationalization", None),
    ]
    assert progress.overall.delta == -1
    assert progress.resolved == ["a", "c"]
    assert progress.open == ["b"]
    assert progress.new == ["d"]
