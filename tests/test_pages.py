"""Page-level behaviour outside the questionnaire itself: language, static assets, security headers."""

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings


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


class _References(HTMLParser):
    """Every address a page makes the browser load or go to: src, href, action, srcset, CSS url()."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "formaction", "poster", "data") and value:
                self.found.append(value)
            elif name == "srcset" and value:
                self.found += [part.split()[0] for part in value.split(",") if part.strip()]
            elif name == "style" and value:
                self.found += re.findall(r"url\(['\"]?([^'\")]+)", value)


def external(address: str) -> bool:
    parts = urlsplit(address.strip())
    return bool(parts.netloc) or parts.scheme not in ("", "data", "mailto")


def test_it_makes_the_rendered_pages_load_nothing_from_elsewhere(main_pages):
    pages = main_pages
    seen = 0
    for name, html in pages.items():
        parser = _References()
        parser.feed(html.decode())
        assert [a for a in parser.found if external(a)] == [], name
        seen += len(parser.found)
    assert len(pages) >= 24 and seen > 10 * len(pages)  # the pages were parsed, their links found
    assert external("https://cdn.example.com/x.css") and external("//cdn.example.com/x.js")
    assert not external("/static/vendor/bootstrap/bootstrap.min.css")
    assert Path(settings.BASE_DIR, "static/vendor/bootstrap/bootstrap.min.css").exists()


def test_it_sends_a_strict_content_security_policy(client, db):
    response = client.get("/en/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_it_describes_every_page_for_search_results_in_its_language(main_pages):
    description = re.compile(rb'<meta name="description" content="([^"]{40,})">')
    for name, html in main_pages.items():
        assert description.search(html), name
    assert "抗冲击能力、融资、创新和国际化" in description.search(main_pages["home-zh-hans"]).group(1).decode()
    assert b"resilience to shocks, financing" in description.search(main_pages["home-en"]).group(1)


def test_it_serves_a_robots_txt_that_keeps_private_links_out_of_search_engines(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines
    for disallowed in ("/admin/", "/zh-hans/resume/", "/en/resume/", "/en/invite/", "/zh-hans/accounts/signup/finish/"):
        assert f"Disallow: {disallowed}" in lines
    # The pages an owner finds the app by stay crawlable.
    assert not any(line.strip() in ("Disallow: /", "Disallow: /en/", "Disallow: /zh-hans/") for line in lines)


def test_it_compresses_pages_but_not_pdfs(version):
    import gzip

    from tests.factories import owner_client, pdf_url, submitted, url

    assessment, token = submitted(version)
    owner = owner_client(assessment, token)
    page = owner.get(url("results", assessment.public_id, lang="zh-hans"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert page["Content-Encoding"] == "gzip" and "Accept-Encoding" in page["Vary"]
    html = gzip.decompress(page.content).decode()
    assert "成都蓉城食品有限公司" in html and len(page.content) < len(html.encode()) / 2
    report = owner.get(pdf_url(assessment, "en", "summary"), HTTP_ACCEPT_ENCODING="gzip")
    assert not report.has_header("Content-Encoding")
    assert b"".join(report.streaming_content).startswith(b"%PDF")


def test_it_sends_browsers_asking_for_favicon_ico_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
