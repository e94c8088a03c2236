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
