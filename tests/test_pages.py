"""Page-level behaviour outside the questionnaire itself: language, chart, static assets."""

from pathlib import Path

from django.conf import settings

from assessment.charts import radar_svg, wrap_label


def test_it_redirects_the_root_to_the_browsers_language(client):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")["Location"] == "/en/"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")["Location"] == "/zh-hans/"


def test_it_switches_language_and_stays_on_the_same_page(client, version):
    page = client.get("/en/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert 'name="next" type="hidden" value="/zh-hans/"' in page
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/zh-hans/"})
    assert response["Location"] == "/zh-hans/"
    page = client.get("/zh-hans/").content.decode()
    assert "开始新的评估" in page
    assert ">English</button>" in page and ">简体中文</button>" in page


def test_it_draws_the_radar_with_escaped_labels_and_scores():
    svg = str(radar_svg([("<b>Risk</b>", 80), ("Financing and banking", 40), ("创新与转型", None), ("X", 0)], "T"))
    assert svg.startswith("<svg") and "<title" in svg
    assert "&lt;b&gt;Risk&lt;/b&gt;" in svg and "<b>" not in svg
    assert ">80</tspan>" in svg and ">–</tspan>" in svg


def test_it_wraps_long_axis_labels():
    assert wrap_label("Innovation and transformation") == ["Innovation and", "transformation"]
    assert wrap_label("融资与银企关系") == ["融资与银", "企关系"]
    assert wrap_label("Internationalization") == ["Internationalization"]


def test_it_vendors_every_front_end_asset():
    templates = "".join(p.read_text() for p in Path(settings.BASE_DIR, "templates").rglob("*.html"))
    assert "cdn" not in templates.lower() and "https://" not in templates
    assert Path(settings.BASE_DIR, "static/vendor/bootstrap/bootstrap.min.css").exists()


def test_it_sends_a_strict_content_security_policy(client, db):
    response = client.get("/en/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
