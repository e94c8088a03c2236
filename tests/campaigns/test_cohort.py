"""Cohort statistics and charts (assessment/campaigns/cohort.py): pure functions, no database.

Every expected number is worked out by hand in the comments next to it.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from assessment.campaigns import cohort
from assessment.campaigns.cohort import MIN_GROUP, CohortMember, Group, bars_svg, histogram_svg, percentile
from assessment.questionnaire.result import Result

AREAS = ["resilience", "financing", "innovation", "internationalization"]
SVG = "{http://www.w3.org/2000/svg}"
HIDDEN = Group(None, None, None, True)


def summarise(snapshots, areas):
    """cohort.summarise over snapshots written as stored, with the member's consent in "shared"
    (what the campaign selector hands over: a typed result and whether the member shares)."""
    members = [CohortMember(Result.from_json(s), bool(s.get("shared"))) if s else None for s in snapshots]
    return cohort.summarise(members, areas)


def snapshot(scores=(None, None, None, None), overall=None, actions=(), shared=True, **facts):
    """A result snapshot shaped like the stored one; scores in AREAS order, None = not scored.
    shared: the member shares its results (the campaign selector reads it)."""
    return {
        "shared": shared,
        "scores": {
            area: {"score": s, "band": None if s is None else "developing", "counted": 0 if s is None else 10}
            for area, s in zip(AREAS, scores, strict=True)
        },
        "overall": overall,
        "overall_band": None,
        "facts": facts,
        "actions": [{"key": key, "tailoring": []} for key in actions],
        "strengths": [],
    }


# Six firms. Innovation is scored by five of them and internationalization by three.
SIX = [
    snapshot((45, 30, 50, None), 43, ["fin_separate", "res_backup"], sector="secondary"),
    snapshot((80, 10, 55, 70), 54, ["fin_separate"], sector="secondary"),
    snapshot((100, 25, 60, None), 62, ["fin_separate", "inn_budget"], sector="secondary"),
    snapshot((19, 40, 65, 20), 36, ["res_backup", "inn_budget"], sector="secondary"),
    snapshot((60, 35, 20, None), 38, ["fin_separate"], sector="secondary"),
    snapshot((20, 0, None, 90), 37, ["int_partner"], sector="tertiary"),
]


def test_it_computes_area_means_and_distributions_by_hand():
    stats = summarise(SIX, AREAS)
    assert stats.count == 6
    # resilience: 45+80+100+19+60+20 = 324, /6 = 54
    # financing: 30+10+25+40+35+0 = 140, /6 = 23.3 -> 23
    # innovation: 50+55+60+65+20 = 250 over the 5 firms that scored it = 50
    assert stats.area_means == {"resilience": 54, "financing": 23, "innovation": 50, "internationalization": None}
    # resilience buckets: 19 | 20 | 45 | 60 | 80, 100 (100 belongs to 80-100)
    assert stats.distributions["resilience"] == [1, 1, 1, 1, 2]
    # financing: 10, 0 | 30, 25, 35 | 40
    assert stats.distributions["financing"] == [2, 3, 1, 0, 0]
    # innovation: 20 | 50, 55 | 60, 65
    assert stats.distributions["innovation"] == [0, 1, 2, 2, 0]
    assert stats.distributions["internationalization"] is None
    assert stats.weakest == [("financing", 23), ("innovation", 50), ("resilience", 54)]


def test_it_ignores_unscored_areas_per_area():
    # Five firms scored innovation, one did not and one lacks the area altogether.
    results = [snapshot((50, 50, s, None), 50) for s in (10, 20, 30, 40, 50, None)]
    results.append({"scores": {"resilience": {"score": 50}}, "overall": 50, "facts": {}, "shared": True})
    stats = summarise(results, AREAS)
    assert stats.count == 7
    assert stats.area_means["innovation"] == 30  # (10+20+30+40+50)/5, not /7
    assert stats.distributions["innovation"] == [1, 2, 2, 0, 0]  # 10 | 20, 30 | 40, 50
    assert stats.area_means["internationalization"] is None
    assert stats.area_means["financing"] == 50  # six firms scored it, the seventh is left out
    assert [area for area, _ in stats.weakest] == ["innovation", "financing", "resilience"]


def test_it_hides_everything_with_four_firms():
    stats = summarise(SIX[:4], AREAS)
    assert stats.count == 4
    assert stats.area_means == dict.fromkeys(AREAS)
    assert stats.distributions == dict.fromkeys(AREAS)
    assert stats.weakest == []
    assert stats.top_actions == []
    assert stats.breakdowns == {fact: [HIDDEN] for fact in ("sector", "size_class", "region", "export_orientation")}


def test_it_leaves_out_missing_snapshots():
    assert summarise([*SIX[:4], None, {}], AREAS).count == 4


def test_it_counts_top_actions_most_frequent_first_ties_by_key():
    stats = summarise(SIX, AREAS)
    # fin_separate: firms 1, 2, 3, 5; res_backup: 1, 4; inn_budget: 3, 4; int_partner: 6
    assert stats.top_actions == [("fin_separate", 4), ("inn_budget", 2), ("res_backup", 2), ("int_partner", 1)]


def test_it_counts_an_action_once_per_firm_and_keeps_ten():
    results = [snapshot(overall=50, actions=[f"k{i:02}" for i in range(12)] + ["k00"]) for _ in range(5)]
    stats = summarise(results, AREAS)
    assert stats.top_actions == [(f"k{i:02}", 5) for i in range(10)]


# Sixteen firms: (overall, region, sector, size_class or None, export_orientation)
ROWS = [
    (40, "eastern", "secondary", "small", "exporting"),
    (50, "eastern", "secondary", "small", "exporting"),
    (60, "eastern", "secondary", "small", "exporting"),
    (40, "eastern", "secondary", "small", "exporting"),
    (50, "eastern", "secondary", "small", "exporting"),
    (60, "eastern", "secondary", "small", "exporting"),
    (10, "western", "secondary", "small", "exporting"),
    (20, "western", "secondary", "small", "exporting"),
    (30, "western", "secondary", "small", "exporting"),
    (40, "western", "secondary", "small", "exporting"),
    (50, "western", "tertiary", "small", "exporting"),
    (90, "northern", "tertiary", None, "exporting"),
    (90, "northern", "tertiary", None, "domestic"),
    (90, "northern", "tertiary", None, "domestic"),
    (5, "southern", "primary", None, "domestic"),
    (5, "southern", "primary", None, "domestic"),
]


def sixteen():
    results = []
    for overall, region, sector, size, export in ROWS:
        facts = {"region": region, "sector": sector, "export_orientation": export}
        if size:
            facts["size_class"] = size
        results.append(snapshot(overall=overall, **facts))
    return results


def test_it_collapses_small_groups_into_one_hidden_entry():
    breakdowns = summarise(sixteen(), AREAS).breakdowns
    # eastern 40+50+60+40+50+60 = 300 /6 = 50; western 10+20+30+40+50 = 150 /5 = 30;
    # northern (3) and southern (2) are both small: one hidden row for the two.
    assert breakdowns["region"] == [Group("eastern", 6, 50, False), Group("western", 5, 30, False), HIDDEN]
    # secondary: 300 + 10+20+30+40 = 400 /10 = 40; tertiary (4) and primary (2) hidden together.
    assert breakdowns["sector"] == [Group("secondary", 10, 40, False), HIDDEN]


def test_it_lists_firms_without_the_fact_as_not_known():
    # small: 400 + 50 = 450 /11 = 40.9 -> 41; not known: 90*3 + 5*2 = 280 /5 = 56
    assert summarise(sixteen(), AREAS).breakdowns["size_class"] == [
        Group("small", 11, 41, False),
        Group(None, 5, 56, False),
    ]


def test_it_never_reveals_the_size_of_a_hidden_group():
    stats = summarise(sixteen(), AREAS)
    # exporting has 12 firms and domestic 4: showing exporting would give domestic away as
    # 16 - 12 = 4, so exporting is hidden with it.
    assert stats.breakdowns["export_orientation"] == [HIDDEN]
    for groups in stats.breakdowns.values():
        remainder = stats.count - sum(g.n for g in groups if not g.hidden)
        assert remainder == 0 or remainder >= MIN_GROUP
        assert all(g == HIDDEN for g in groups if g.hidden)
        assert sum(g.hidden for g in groups) <= 1


def test_it_hides_a_group_mean_when_few_of_its_firms_have_an_overall():
    results = [snapshot(overall=o, region="eastern") for o in (50, 60, 70, 80, None)]
    assert summarise(results, AREAS).breakdowns["region"] == [Group("eastern", 5, None, False)]


def test_it_computes_mid_rank_percentiles():
    cohort = [10, 20, 20, 30, 40]
    assert percentile(20, cohort) == 40  # (1 below + 0.5 * 2 equal) / 5
    assert percentile(10, cohort) == 10  # (0 + 0.5) / 5
    assert percentile(40, cohort) == 90  # (4 + 0.5) / 5
    assert percentile(25, cohort) == 60  # 3 below, none equal
    assert percentile(0, cohort) == 0
    assert percentile(100, cohort) == 100
    assert percentile(20, [*cohort, None, None]) == 40  # unscored firms are left out
    assert percentile(1, [1, 2, 3, 4, 5, 6]) == 8  # 0.5 / 6 = 8.3


def test_it_gives_no_percentile_without_a_score_or_under_five_firms():
    assert percentile(None, [10, 20, 30, 40, 50]) is None
    assert percentile(20, [10, 20, 30, 40]) is None
    assert percentile(20, [10, 20, 30, 40, None]) is None


@given(
    scored=st.lists(st.integers(0, 100), min_size=MIN_GROUP, max_size=40),
    unscored=st.integers(0, 3),
)
def test_it_keeps_percentiles_in_range_and_monotone(scored, unscored):
    cohort = scored + [None] * unscored
    ranks = [percentile(score, cohort) for score in range(-1, 102)]
    assert all(0 <= r <= 100 for r in ranks)
    assert ranks == sorted(ranks)


TRICKY = '<b>&"'


def parse(svg):
    # The SVG is our own output, not untrusted input; parsing it proves it is well-formed XML.
    return ET.fromstring(svg)  # noqa: S314


def assert_safe_svg(svg):
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("viewBox")
    assert root.find(f"{SVG}title").text == TRICKY
    assert "&lt;b&gt;&amp;&quot;" in svg
    assert "<script" not in svg.lower()
    assert "style=" not in svg.lower()
    assert not re.search(r"\son\w*=", svg, re.IGNORECASE)
    return root


def test_it_draws_a_safe_histogram_with_proportional_bars():
    counts, labels = [2, 0, 4, 1, 8], ["0–19", "20–39", "40–59", "60–79", "<80>"]
    root = assert_safe_svg(histogram_svg(counts, labels, title=TRICKY))
    heights = [float(r.get("height")) for r in root.iter(f"{SVG}rect")]
    assert len(heights) == 5
    assert heights[1] == 0
    per_firm = heights[4] / 8
    assert per_firm > 0
    for n, h in zip(counts, heights, strict=True):
        assert abs(h - n * per_firm) < 0.11  # drawn to one decimal
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["2", "0–19", "0", "20–39", "4", "40–59", "1", "60–79", "8", "<80>"]


def test_it_draws_a_histogram_of_zeros_or_nothing():
    root = assert_safe_svg(histogram_svg([0, 0], ["a", "b"], title=TRICKY))
    assert [float(r.get("height")) for r in root.iter(f"{SVG}rect")] == [0, 0]
    assert list(assert_safe_svg(histogram_svg([], [], title=TRICKY)).iter(f"{SVG}rect")) == []


def test_it_draws_safe_horizontal_bars_scaled_to_the_maximum():
    rows = [("Resilience", 50), ('Fin<ance> & "co"', 25), ("Over", 150), ("Under", -5)]
    svg = bars_svg(rows, title=TRICKY)
    root = assert_safe_svg(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert len(widths) == 4
    assert widths[0] == 2 * widths[1] > 0  # 50 is twice 25
    assert widths[2] == 2 * widths[0]  # clamped to the maximum, 100
    assert widths[3] == 0
    assert "Fin&lt;ance&gt; &amp; &quot;co&quot;" in svg
    full = parse(bars_svg([("a", 50)], title="t", maximum=50)).find(f"{SVG}rect")
    assert float(full.get("width")) == widths[2]  # 50 out of 50 is a full bar


def test_it_leaves_private_firms_out_of_every_figure_whatever_their_number():
    shared = [
        {"scores": {"a": {"score": 10 * n}}, "overall": 10 * n, "facts": {}, "actions": [], "shared": True}
        for n in range(1, 8)
    ]
    private = [{"scores": {"a": {"score": 99}}, "overall": 99, "facts": {}, "actions": []} for _ in range(2)]
    stats = summarise(shared + private, ["a"])
    # The two private firms would be recoverable from any total that includes them.
    assert stats.left_out == 2 and stats.count == 7
    assert stats.area_means["a"] == 40  # (10+20+...+70) / 7
    # Six private firms (until issue 15 this let them all count): still left out, because the
    # figure read before and after one more of them would give that one away.
    stats = summarise(shared + private * 3, ["a"])
    assert stats.left_out == 6 and stats.count == 7 and stats.area_means["a"] == 40
    # Private firms only: no figure at all.
    assert summarise(private * 5, ["a"]).area_means == {"a": None}


firm = st.builds(
    snapshot,
    scores=st.tuples(*[st.one_of(st.none(), st.integers(0, 100))] * 4),
    overall=st.integers(0, 100),
    actions=st.lists(st.sampled_from(["fin_separate", "res_backup", "inn_budget"]), max_size=3),
    sector=st.sampled_from(["primary", "secondary", "tertiary"]),
    region=st.sampled_from(["eastern", "western"]),
)


@given(shared=st.lists(firm, max_size=15), private=st.lists(firm, max_size=15))
def test_it_gives_the_same_figures_whatever_the_private_firms_answered(shared, private):
    # The differencing attack in one line: adding or changing private firms moves no figure.
    private = [{**p, "shared": False} for p in private]
    alone = summarise(shared, AREAS)
    assert summarise([*shared, *private], AREAS) == replace(alone, left_out=len(private))


def test_it_gives_long_area_names_room_before_their_bars():
    # "Innovation and transformation" ran under its bar at a fixed 150 px label column.
    for label in ("Innovation and transformation", "国际化经营与跨境合作准备"):
        root = parse(bars_svg([(label, 60), ("Short", 40)], title="t"))
        bar_x = float(root.find(f"{SVG}rect").get("x"))
        assert bar_x >= cohort.text_width(label, 11)


# --- The stress test's runway (2026.3) -------------------------------------------------------------


def test_it_gives_the_share_of_members_under_one_three_and_six_months_of_runway():
    # Runways 0.5, 2, 2.9, 4, 12 and one member without figures: five gave them.
    runways = [0.5, 2, 2.9, 4, 12]
    firms = [snapshot(overall=50, stress_runway_months=m) for m in runways] + [snapshot(overall=50)]
    stats = summarise(firms, AREAS)
    assert stats.runway is not None and stats.runway.n == 5
    # under 1: 1 of 5 = 20 %; under 3: 3 of 5 = 60 %; under 6: 4 of 5 = 80 %.
    assert stats.runway.under == {1: 20, 3: 60, 6: 80}


def test_it_hides_the_runway_shares_under_five_members_with_figures_and_leaves_private_ones_out():
    four = [snapshot(overall=50, stress_runway_months=m) for m in (0.5, 2, 4, 12)]
    assert summarise([*four, snapshot(overall=50), snapshot(overall=50)], AREAS).runway is None
    private = snapshot(overall=50, shared=False, stress_runway_months=0.1)
    assert summarise([*four, private], AREAS).runway is None  # a private member is in no figure
    stats = summarise([*four, snapshot(overall=50, stress_runway_months=5), private], AREAS)
    assert stats.runway.n == 5 and stats.runway.under == {1: 20, 3: 40, 6: 80}  # 0.5; 0.5, 2; 0.5, 2, 4, 5
