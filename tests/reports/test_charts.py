"""The radar chart of the results page and the report: pure SVG, no database."""

from assessment.reports.charts import radar_svg, wrap_label


def test_it_draws_the_radar_with_escaped_labels_and_scores():
    svg = str(radar_svg([("<b>Risk</b>", 80), ("Financing and banking", 40), ("创新与转型", None), ("X", 0)], "T"))
    assert svg.startswith("<svg") and "<title" in svg
    assert "&lt;b&gt;Risk&lt;/b&gt;" in svg and "<b>" not in svg
    assert ">80</tspan>" in svg and ">–</tspan>" in svg


def test_it_wraps_long_axis_labels():
    assert wrap_label("Innovation and transformation") == ["Innovation and", "transformation"]
    assert wrap_label("融资与银企关系") == ["融资与银", "企关系"]
    assert wrap_label("Internationalization") == ["Internationalization"]


# --- The stress test's month-by-month cash -------------------------------------------------------

import re  # noqa: E402 - the runway chart's tests only

from assessment.reports.charts import nice_ticks, runway_svg  # noqa: E402

LABELS = {
    "title": "Cash <month> by month",
    "desc": "Runs out after 2.5 months",
    "x_axis": "Months from now",
    "unit": "CNY 10,000",
    "cash": "Cash at the end of the month",
    "credit": "With the unused credit drawn",
    "shock": "Shock months",
}


def test_it_picks_round_axis_values_that_cover_the_range_and_zero():
    assert nice_ticks(-4.8, 32) == [-10, 0, 10, 20, 30, 40]
    assert nice_ticks(3, 7) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 0) == [0, 0.5, 1.0]
    ticks = nice_ticks(-5e9, 1e9)
    assert ticks[0] <= -5e9 and ticks[-1] >= 1e9 and 0 in ticks


def test_it_draws_a_bar_per_month_red_below_zero_the_credit_line_and_the_shock_months():
    balances = [22, 13.1, 4.1, -4.8, -0.8, 3.3, 7.3, 11.4, 15.4, 19.5, 23.5, 27.6, 31.6]
    svg = str(runway_svg(balances, [b + 10 for b in balances], 3, LABELS, str))
    assert svg.startswith("<svg") and 'role="img"' in svg and 'aria-describedby="runway-desc"' in svg
    assert "Cash &lt;month&gt; by month" in svg and "<month>" not in svg
    bars = re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="(#0d6efd|#b02a37)"/>', svg)
    assert bars == ["#0d6efd"] * 3 + ["#b02a37"] * 2 + ["#0d6efd"] * 8
    assert svg.count("<polyline") == 1 and 'fill="#fff3cd"' in svg
    without = str(runway_svg(balances, None, 0, LABELS, str))
    assert "<polyline" not in without and "With the unused credit drawn" not in without and "#fff3cd" not in without


def test_it_wraps_a_long_legend_onto_a_second_row_and_makes_room_for_huge_amounts():
    one_row = str(runway_svg([1, 0], None, 1, {**LABELS, "cash": "Cash"}, str))
    two_rows = str(runway_svg([1, 0], [2, 1], 1, LABELS, str))
    height = [float(re.search(r'viewBox="0 0 560 ([\d.]+)"', s).group(1)) for s in (one_row, two_rows)]
    assert height[1] > height[0]
    huge = str(runway_svg([1e9, -5e9], None, 1, LABELS, lambda v: f"{v:,.0f}"))
    assert ">-6,000,000,000</text>" in huge  # the lowest axis value, a round number below the balance
    bars = [float(x) for x in re.findall(r'<rect x="([\d.]+)"[^>]+fill="#(?:0d6efd|b02a37)"/>', huge)]
    assert len(bars) >= 2 and min(bars) > 12 + 7.5 * len("-6,000,000,000")  # right of the longest label
