"""HTML validity: the Nu Html Checker (vnu.jar from the npm registry, fetched by `make test`)
finds no error on the main pages of every kind of user."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from assessment.models import BulkJob
from assessment.workspace.services import firm_create, organisation_create
from tests.test_campaigns import accept, complete, invite, open_campaign
from tests.test_isolation import answers_for, submitted
from tests.test_workspace import url

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / ".cache" / "npm" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.skipif(
    (not VNU.exists() or not shutil.which("java")) and not os.getenv("CI"), reason="run `make vnu` (needs Java)"
)


def test_it_serves_valid_html_on_the_main_pages(
    version, django_user_model, django_capture_on_commit_callbacks, tmp_path
):
    pages = main_pages(version, django_user_model, django_capture_on_commit_callbacks)
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(html)
        files.append(str(path))
    # A page the checker must reject, so a checker that did not run cannot pass.
    canary = tmp_path / "canary.html"
    canary.write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></span>")
    done = subprocess.run(
        [
            shutil.which("java") or "java",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--stdout",
            *files,
            canary,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr[-2000:]
    messages = json.loads(done.stdout)["messages"]
    assert any(m.get("url", "").endswith("canary.html") for m in messages), "the checker flagged nothing"
    errors = [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if not m.get("url", "").endswith("canary.html")
    ]
    assert errors == [], "\n".join(errors)
    assert len(files) == len(pages) >= 24


def main_pages(version, django_user_model, django_capture_on_commit_callbacks) -> dict[str, bytes]:
    """The main pages of every kind of user (also with errors shown), by name."""
    pages: dict[str, bytes] = {}
    anonymous = Client()
    for lang in ("zh-hans", "en"):
        pages[f"home-{lang}"] = anonymous.get(url("home", lang=lang)).content
    pages["login"] = anonymous.get(url("login")).content
    pages["signup"] = anonymous.get(url("signup")).content
    pages["password-reset"] = anonymous.get(url("password_reset")).content

    owner = Client()
    start = owner.post(url("start", lang="zh-hans"))
    public_id = start["Location"].split("/a/")[1].split("/")[0]
    pages["step-profile"] = owner.get(start["Location"]).content
    pages["step-financing"] = owner.get(url("step", public_id, "financing", lang="zh-hans")).content
    pages["review"] = owner.get(url("review", public_id, lang="zh-hans")).content
    # Pages as they come back with errors: the values typed are shown again as typed.
    pages["step-errors"] = owner.post(
        url("step", public_id, "profile", lang="zh-hans"), {"firm_name": "", "employees": "many", "action": "next"}
    ).content
    pages["login-error"] = anonymous.post(url("login"), {"username": "nobody", "password": "wrong-password"}).content

    consultant = django_user_model.objects.create_user("c", password="a-long-password-1")
    centre = organisation_create(user=consultant, name="Centre", kind="consultancy")
    firm = firm_create(organisation=centre, name="Client Co")
    done = submitted(version, owner=None, firm=firm)
    c = Client()
    c.force_login(consultant)
    pages["workspace"] = c.get(url("workspace")).content
    pages["client"] = c.get(url("client", firm.pk)).content
    pages["results-consultant"] = c.get(url("results", done.public_id)).content

    chamber = django_user_model.objects.create_user("a", password="a-long-password-1")
    _org, campaign = open_campaign(chamber, "Chamber", "Round", version)
    tokens = invite(campaign, django_capture_on_commit_callbacks, *_members(6))
    first = None
    for token in tokens.values():
        member, assessment = accept(token, share=True)
        complete(assessment)
        first = first or (member, assessment)
    a = Client()
    a.force_login(chamber)
    pages["results-member"] = first[0].get(url("results", first[1].public_id)).content
    pages["campaigns"] = a.get(url("association_home")).content
    pages["campaign"] = a.get(url("campaign", campaign.pk)).content
    pages["import"] = a.get(url("campaign_import", campaign.pk)).content
    pages["bulk-reports"] = a.get(url("bulk_reports", campaign.pk)).content
    pages["invite-errors"] = a.post(
        url("campaign_invite", campaign.pk), {"members": "No Mail Co, Li, not-an-address"}
    ).content
    bad_rows = b"firm_name,employees\nBad Co,many\n"
    pages["import-errors"] = a.post(
        url("campaign_import", campaign.pk), {"upload": SimpleUploadedFile("a.csv", bad_rows, "text/csv")}
    ).content
    job = BulkJob.objects.create(campaign=campaign, language="en", variant="summary")
    pages["bulk-job"] = a.get(url("bulk_job", campaign.pk, job.pk)).content
    pages["dashboard"] = a.get(url("campaign_dashboard", campaign.pk)).content
    pages["join"] = anonymous.get(url("campaign_join", campaign.link_token)).content
    pages["invitation-invalid"] = anonymous.get(url("invitation", "not-a-token")).content
    assert answers_for(version)  # the shared helpers above really produced data
    return pages


def _members(count):
    from assessment.campaigns.memberlist import Member

    return [Member(f"Member {n}", "", f"m{n}@example.com", "en") for n in range(count)]
