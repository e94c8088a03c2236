"""The campaign link on paper: a QR code (PNG, SVG) and an A4 poster that decode back to the link."""

import io
import shutil
import subprocess
from datetime import date

import pytest
import time_machine
import zxingcpp
from defusedxml import ElementTree
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from assessment.campaigns.services import campaign_create
from assessment.models import Membership
from assessment.reports import pdf
from assessment.workspace.services import organisation_create, organisation_logo_set
from tests.factories import squash, text_of, url

ASSOCIATION = "浙江省中小企业协会（杭州）"
CAMPAIGN = "2026年·第二轮 数字化调研"
# Asia/Shanghai: 09:00 on the 2nd of December.
NOW = "2026-12-02 09:00 +08:00"
LANGS = ["zh-hans", "en"]


@pytest.fixture
def zhejiang(version, django_user_model):
    """An association with Chinese names and a campaign open through December 2026, logged in."""
    user = django_user_model.objects.create_user("zhejiang", password="a-long-password-1")
    org = organisation_create(user=user, name=ASSOCIATION, kind="association")
    campaign = campaign_create(
        organisation=org,
        user=user,
        name=CAMPAIGN,
        questionnaire=version,
        opens_on=date(2026, 12, 1),
        closes_on=date(2026, 12, 31),
    )
    client = Client()
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        yield {"user": user, "org": org, "campaign": campaign, "client": client}


def join_link(campaign, lang: str) -> str:
    return settings.SITE_URL + url("campaign_join", campaign.link_token, lang=lang)


def decode(image: Image.Image) -> list[str]:
    return [found.text for found in zxingcpp.read_barcodes(image) if found.format == zxingcpp.BarcodeFormat.QRCode]


def poster(zhejiang, lang: str):
    return zhejiang["client"].get(url("campaign_poster", zhejiang["campaign"].pk) + f"?lang={lang}")


def page_images(data: bytes, tmp_path, resolution: int = 150) -> list[Image.Image]:
    """The PDF's pages as a person's printer would see them: rasterised by poppler."""
    source = tmp_path / "poster.pdf"
    source.write_bytes(data)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "poppler-utils is not installed"
    subprocess.run([pdftoppm, "-r", str(resolution), "-png", source, tmp_path / "page"], check=True)
    return [Image.open(path) for path in sorted(tmp_path.glob("page*.png"))]


@pytest.mark.parametrize("lang", LANGS)
def test_it_decodes_the_png_download_back_to_the_campaign_link(zhejiang, lang):
    campaign = zhejiang["campaign"]
    response = zhejiang["client"].get(url("campaign_qr", campaign.pk, "png", lang=lang))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    suffix = "zh" if lang == "zh-hans" else "en"
    assert f"2026-12-02-qr-{suffix}.png" in response["Content-Disposition"]
    assert decode(Image.open(io.BytesIO(response.content))) == [join_link(campaign, lang)]


def test_it_shows_the_qr_code_and_its_downloads_on_the_campaign_page(zhejiang):
    campaign = zhejiang["campaign"]
    page = zhejiang["client"].get(url("campaign", campaign.pk)).content.decode()
    svg_url = url("campaign_qr", campaign.pk, "svg")
    assert f'<img src="{svg_url}"' in page
    assert url("campaign_qr", campaign.pk, "png") in page
    for lang in LANGS:
        assert f"{url('campaign_poster', campaign.pk)}?lang={lang}" in page
    response = zhejiang["client"].get(svg_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = ElementTree.fromstring(response.content)  # a well-formed file, as a vector editor opens it
    title = svg.find("{http://www.w3.org/2000/svg}title")
    assert title is not None and join_link(campaign, "en") in title.text


@pytest.mark.parametrize("lang", LANGS)
def test_it_prints_a_one_page_poster_whose_code_decodes_to_the_campaign_link(zhejiang, lang, tmp_path):
    campaign = zhejiang["campaign"]
    response = poster(zhejiang, lang)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    suffix = "zh" if lang == "zh-hans" else "en"
    assert f"2026-12-02-poster-{suffix}.pdf" in response["Content-Disposition"]
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    (image,) = page_images(response.content, tmp_path)
    assert decode(image) == [join_link(campaign, lang)]

    text = squash(text_of(response.content))
    link = join_link(campaign, lang)
    assert squash(ASSOCIATION) in text and squash(CAMPAIGN) in text
    assert link in text  # written out for those who type it
    if lang == "zh-hans":
        assert "开放时间：2026年12月1日至2026年12月31日" in text
        assert "免费" in text and "只有您选择分享时" in text
    else:
        assert squash("Open from Dec. 1, 2026 to Dec. 31, 2026") in text
        assert squash(f"{ASSOCIATION} sees that your firm took part, and your results only if you choose") in text


def a_logo() -> SimpleUploadedFile:
    png = io.BytesIO()
    Image.new("RGB", (300, 100), "#0b5394").save(png, "PNG")
    return SimpleUploadedFile("logo.png", png.getvalue())


def test_it_prints_the_logo_the_association_uploads_on_the_poster(zhejiang, django_user_model):
    client = zhejiang["client"]
    assert len(PdfReader(io.BytesIO(poster(zhejiang, "en").content)).pages[0].images) == 0  # the code is vectors
    page = client.get(url("association_home", lang="zh-hans")).content.decode()
    assert "活动海报上的徽标" in page
    response = client.post(url("association_logo"), {"logo": a_logo()}, follow=True)
    assert "Logo saved. It appears on your campaign posters." in response.content.decode()
    assert len(PdfReader(io.BytesIO(poster(zhejiang, "en").content)).pages[0].images) == 1
    # Only the association's administrators may change it.
    staff = django_user_model.objects.create_user("staff", password="a-long-password-1")
    Membership.objects.create(organisation=zhejiang["org"], user=staff, role="staff")
    other = Client()
    other.force_login(staff)
    assert other.post(url("association_logo"), {"logo": a_logo()}).status_code == 404
    bad = client.post(url("association_logo"), {"logo": SimpleUploadedFile("x.png", b"<svg/>")}, follow=True)
    assert "This file is not an image we can read." in bad.content.decode()


@pytest.mark.parametrize("lang", LANGS)
def test_it_keeps_the_poster_to_one_page_with_the_longest_names_and_a_logo(zhejiang, lang, tmp_path):
    campaign, org = zhejiang["campaign"], zhejiang["org"]
    org.name = ("浙江省中小企业协会（杭州）" * 16)[:200]  # the longest names the models allow
    org.save()
    campaign.name = ("2026年·第二轮 数字化调研，" * 15)[:200]
    campaign.save()
    organisation_logo_set(organisation=org, upload=a_logo())
    response = poster(zhejiang, lang)
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    (image,) = page_images(response.content, tmp_path)
    assert decode(image) == [join_link(campaign, lang)]
    assert squash(campaign.name) in squash(text_of(response.content))


def test_it_says_why_a_closed_link_gets_no_qr_code_or_poster(zhejiang):
    client, campaign = zhejiang["client"], zhejiang["campaign"]
    client.post(url("campaign_link", campaign.pk), {"action": "close"})
    for target in (url("campaign_qr", campaign.pk, "png"), url("campaign_poster", campaign.pk) + "?lang=en"):
        response = client.get(target)
        assert response.status_code == 409
        assert "The campaign link is closed, so a QR code of it would lead nowhere" in response.content.decode()
    page = client.get(url("campaign", campaign.pk)).content.decode()
    assert url("campaign_qr", campaign.pk, "svg") not in page and url("campaign_poster", campaign.pk) not in page


def test_it_gives_no_poster_once_the_campaign_has_closed_in_shanghai(zhejiang):
    client, campaign = zhejiang["client"], zhejiang["campaign"]
    # 16:30 UTC on the closing day is already the next day in Asia/Shanghai.
    with time_machine.travel("2026-12-31 16:30 +00:00", tick=False):
        response = client.get(url("campaign_poster", campaign.pk))
        page = client.get(url("campaign", campaign.pk)).content.decode()
    assert response.status_code == 409
    assert "The campaign closed on 2026-12-31" in response.content.decode()
    assert "The campaign closed on 2026-12-31" in page and url("campaign_poster", campaign.pk) not in page
    with time_machine.travel("2026-12-31 15:30 +00:00", tick=False):  # 23:30 on the closing day
        assert client.get(url("campaign_qr", campaign.pk, "svg")).status_code == 200


def test_it_says_so_when_the_poster_cannot_be_rendered(zhejiang, monkeypatch):
    def fail(html):
        raise pdf.RenderFailed("render took longer than 60 s")

    monkeypatch.setattr(pdf, "render_html_bounded", fail)
    response = poster(zhejiang, "zh-hans")
    assert response.status_code == 503
    assert "The poster could not be created" in response.content.decode()


def test_it_gives_another_association_a_404(zhejiang, associations):
    other, campaign = associations["y"]["client"], zhejiang["campaign"]
    for target in (
        url("campaign_qr", campaign.pk, "png"),
        url("campaign_qr", campaign.pk, "svg"),
        url("campaign_poster", campaign.pk) + "?lang=zh-hans",
    ):
        assert other.get(target).status_code == 404
    assert zhejiang["client"].get(url("campaign_qr", campaign.pk, "gif")).status_code == 404
