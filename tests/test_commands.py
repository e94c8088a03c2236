"""Management commands and set-up: loading content, exporting it, demo data, settings."""

import gzip
import json
import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

from assessment.content import content_files
from assessment.models import ActionProgress, Assessment, Campaign, Firm, QuestionnaireVersion
from assessment.questionnaire.samples import sample_answers
from assessment.selectors import questionnaire_of
from assessment.services import answers_save, assessment_create, assessment_submit
from tests.content import PROFILE, shipped_raw

ROOT = Path(__file__).resolve().parents[1]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write(tmp_path, raw, name="questionnaire-x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_it_loads_the_shipped_content_once(db):
    first = run("load_questionnaire")
    for version in ("2026.1", "2026.2", "2026.3"):
        assert f"Loaded questionnaire version {version}" in first
    again = run("load_questionnaire")
    assert again.count("already loaded and unchanged") == len(content_files()) and "Loaded" not in again
    versions = dict(QuestionnaireVersion.objects.values_list("version", "is_current"))
    # The newest shipped version is current.
    assert versions == {"2026.1": False, "2026.2": False, "2026.3": True}


def test_it_starts_new_assessments_on_the_newest_version_and_keeps_a_campaigns_own(
    db, django_user_model, django_capture_on_commit_callbacks
):
    from assessment.content import CONTENT_DIR
    from assessment.selectors import current_version
    from assessment.services import questionnaire_load
    from tests.factories import accept, invite, member, open_campaign

    questionnaire_load((CONTENT_DIR / "questionnaire-2026.2.yaml").read_text(encoding="utf-8"))
    user = django_user_model.objects.create_user("chamber", password="x")
    _, campaign = open_campaign(
        user, "武汉市餐饮商会", "2026年春季自评", QuestionnaireVersion.objects.get(version="2026.2")
    )
    run("load_questionnaire")
    assert current_version().version == "2026.3"
    tokens = invite(campaign, django_capture_on_commit_callbacks, member(1))
    _, assessment = accept(tokens["m1@example.com"])
    assert assessment.questionnaire.version == "2026.2"  # the campaign keeps the version it was opened with
    response = Client().post("/en/start/")
    assert response.status_code == 302
    assert Assessment.objects.latest("created_at").questionnaire.version == "2026.3"


def test_it_refuses_an_edited_file_under_a_loaded_version(db, tmp_path):
    run("load_questionnaire")
    raw = shipped_raw()
    edited = {**raw, "title": {"zh-hans": "改过的标题", "en": "Edited title"}}
    with pytest.raises(CommandError, match="already loaded with different content"):
        run("load_questionnaire", str(write(tmp_path, edited)))
    assert QuestionnaireVersion.objects.get(version=raw["version"]).definition["title"] == raw["title"]


def test_it_names_the_bad_entry_and_loads_nothing(db, tmp_path):
    raw = json.loads(json.dumps(shipped_raw()))
    raw["version"] = "2099.1"
    raw["recommendations"][0]["when"] = {"question": "no_such_question", "in": ["x"]}
    with pytest.raises(CommandError) as excinfo:
        run("load_questionnaire", str(write(tmp_path, raw)))
    key = raw["recommendations"][0]["key"]
    assert f"recommendation {key}.when: unknown question 'no_such_question'" in str(excinfo.value)
    assert not QuestionnaireVersion.objects.exists()


def test_it_keeps_old_assessments_scorable_against_their_own_version(db, tmp_path):
    run("load_questionnaire")
    old = QuestionnaireVersion.objects.get(is_current=True)
    qn_old = questionnaire_of(old)
    draft, _ = assessment_create(version=old, owner=None, language="en")
    answers_save(assessment=draft, values=sample_answers(qn_old, PROFILE, 0.5, seed=1))

    raw = json.loads(json.dumps(shipped_raw()))
    raw["version"] = "2027.1"
    raw["sections"][1]["questions"].pop(0)  # the new version drops a resilience question
    raw["recommendations"] = [r for r in raw["recommendations"] if "res_cash_months" not in json.dumps(r)]
    raw["support"] = [s for s in raw.get("support", []) if "res_cash_months" not in json.dumps(s)]
    for rec in raw["recommendations"]:  # links to the dropped actions go with them
        kept = {r["key"] for r in raw["recommendations"]}
        for field in ("after", "replaces"):
            if field in rec:
                rec[field] = [k for k in rec[field] if k in kept]
    assert "Loaded questionnaire version 2027.1" in run("load_questionnaire", str(write(tmp_path, raw)))
    assert QuestionnaireVersion.objects.get(is_current=True).version == "2027.1"

    assert assessment_submit(assessment=draft)
    draft.refresh_from_db()
    assert draft.questionnaire.version == old.version
    assert draft.result["scores"]["resilience"]["counted"] == sum(
        1 for q in qn_old.section("resilience").questions if q.scored
    )


def test_it_exports_the_whole_questionnaire_as_json(db):
    run("load_questionnaire")
    data = json.loads(run("export_questionnaire", "--format", "json"))
    assert [a["key"] for a in data["areas"]] == ["resilience", "financing", "innovation", "internationalization"]
    assert {"firm_name", "industry", "province"} <= {q["key"] for q in data["profile"]["questions"]}
    assert len(data["recommendations"]) >= 30
    for area in data["areas"]:
        for q in area["questions"]:
            assert set(q["text"]) == {"zh-hans", "en"}
            assert {"key", "type", "text", "options", "sources"} <= set(q)
            if q["type"] != "text":
                assert q["sources"] and all(s["paper"] in ("000", "002") and s["section"] for s in q["sources"])
            if q["type"] == "multi":  # what full marks take, so no irrelevant option is needed
                positive = sum(o.get("points", 0) for o in q["options"])
                assert 0 < q["max_points"] <= positive, q["key"]
            for option in q["options"]:
                assert set(option["text"]) == {"zh-hans", "en"}
                assert "points" in option or option.get("not_applicable")
    for rec in data["recommendations"]:
        assert {"key", "area", "title", "body", "sources"} <= set(rec)
        assert set(rec["title"]) == {"zh-hans", "en"} and rec["sources"]


def test_it_explains_when_nothing_is_loaded_to_export(db):
    with pytest.raises(CommandError, match="No questionnaire is loaded"):
        run("export_questionnaire")


def test_it_creates_demo_data_in_both_languages(db, settings):
    settings.DEBUG = True
    run("load_questionnaire")
    out = run("demo")
    assert "Created 4 demo assessments" in out
    assert "/zh-hans/a/" in out and "/en/a/" in out and "/resume/" in out
    submitted = Assessment.objects.filter(status="submitted", firm__isnull=True)
    assert submitted.count() == 4
    assert set(submitted.values_list("language", flat=True)) == {"zh-hans", "en"}
    assert all(a.result["actions"] for a in submitted)
    assert "Consultant workspace" in out
    firms = Firm.objects.filter(organisation__name__contains="(demo)", organisation__kind="consultancy")
    assert firms.count() == 2
    assert Assessment.objects.filter(firm=firms.order_by("pk").first(), status="submitted").count() == 2
    # The first client's plan: two earlier actions done, two later ones with due dates.
    assert ActionProgress.objects.filter(status="done").count() == 2
    assert ActionProgress.objects.filter(due_on__isnull=False).count() == 2
    campaign = Campaign.objects.get(organisation__name__contains="(demo)")
    assert campaign.assessments.filter(status="submitted").count() == 7
    assert campaign.assessments.filter(status="submitted", share_with_association=True).count() == 5
    assert campaign.assessments.filter(status="draft").count() == 1
    invitation_link = re.search(r"The invited member's link .*: (\S+)", out).group(1)
    assert Client().get(urlsplit(invitation_link).path).status_code == 200
    # The association sees figures at once: five sharing members, the two private ones left out.
    association = Client()
    association.force_login(get_user_model().objects.get(username="association"))
    page = association.get(f"/en/campaigns/{campaign.pk}/dashboard/").content.decode()
    assert "Scores by area" in page and "2 members who keep their results private are left out" in page
    page = association.get(f"/en/campaigns/{campaign.pk}/").content.decode()
    assert "not sent yet" not in page
    run("demo")  # running it again replaces the demo data
    assert Assessment.objects.count() == 7 + 8


def _settings_process(env, show="settings.DEBUG"):
    code = f"import django; from django.conf import settings; django.setup(); print({show})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_it_refuses_to_start_in_production_without_a_secret_key():
    result = _settings_process({"DEBUG": "false", "ALLOWED_HOSTS": "example.com"})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_it_refuses_to_start_in_production_without_allowed_hosts():
    result = _settings_process({"DEBUG": "false", "SECRET_KEY": "x" * 50})
    assert result.returncode != 0
    assert "Set ALLOWED_HOSTS" in result.stderr


def test_it_refuses_to_start_in_production_without_an_https_site_url():
    result = _settings_process({"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com"})
    assert result.returncode != 0
    assert "Set SITE_URL" in result.stderr


def test_it_starts_in_production_when_configured():
    result = _settings_process(
        {"DEBUG": "false", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.com", "SITE_URL": "https://example.com"}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_it_ships_one_content_file_per_version():
    # Each file is named after the version it holds, so two files can never hold one version.
    files = content_files()
    assert files
    for path in files:
        version = yaml.safe_load(path.read_text(encoding="utf-8"))["version"]
        assert path.name == f"questionnaire-{version}.yaml"


def test_it_refuses_to_overwrite_a_real_account_named_demo(db, django_user_model, settings):
    settings.DEBUG = True
    run("load_questionnaire")
    django_user_model.objects.create_user("demo", email="someone@example.com", password="their-own-pass-1")
    with pytest.raises(CommandError, match="real account"):
        run("demo")


def test_it_refuses_demo_data_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="development only"):
        run("demo")


def test_it_keeps_database_connections_open_in_production_only():
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.com",
        "SITE_URL": "https://example.com",
    }
    show = "settings.DATABASES['default']['CONN_MAX_AGE'], settings.DATABASES['default']['CONN_HEALTH_CHECKS']"
    assert _settings_process(production, show).stdout.split() == ["60", "True"]
    assert _settings_process({"DEBUG": "true"}, show).stdout.split() == ["0", "True"]  # runserver: a thread a request


def test_it_keeps_compiled_templates_in_memory_in_production():
    production = {
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "ALLOWED_HOSTS": "example.com",
        "SITE_URL": "https://example.com",
    }
    # No `loaders` in TEMPLATES: Django then wraps the loaders in its cached loader.
    engine = "__import__('django.template').template.engines['django'].engine"
    shown = _settings_process(production, f"{engine}.debug, {engine}.loaders[0][0]")
    assert shown.stdout.split() == ["False", "django.template.loaders.cached.Loader"], shown.stderr


def test_it_leaves_the_report_fonts_and_full_bootstrap_out_of_collectstatic(settings, tmp_path):
    # WeasyPrint reads them from static/; browsers never load them.
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    collected = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()}
    assert {"css/app.css", "js/app.js", "favicon.svg", "vendor/bootstrap/bootstrap.app.min.css"} <= collected
    assert not [name for name in collected if name.startswith("fonts/") or name.endswith((".otf", "report.css"))]
    assert not [name for name in collected if "bootstrap.min.css" in name]  # the source `make css` reduces


def test_it_prepares_only_what_is_behind(db, monkeypatch, settings, tmp_path):
    from assessment.management.commands import prepare

    ran = []
    monkeypatch.setattr(prepare, "call_command", lambda name, *args, **kwargs: ran.append(name))
    monkeypatch.setattr(prepare, "content_behind", list)  # the next test's subject
    settings.BASE_DIR = tmp_path
    settings.STATIC_ROOT = tmp_path / "collected"
    # Whether static files are behind is the subject of a test below: here, until collected once.
    monkeypatch.setattr(
        prepare, "static_behind", lambda sources: not (tmp_path / "collected" / prepare.COLLECTED_MARK).exists()
    )
    catalogue = tmp_path / "locale" / "xx" / "LC_MESSAGES" / "django.po"
    catalogue.parent.mkdir(parents=True)
    catalogue.write_text("", encoding="utf-8")
    call_command("prepare")
    # The test database is migrated; nothing was collected into this STATIC_ROOT yet.
    assert ran == ["createcachetable", "compilemessages", "collectstatic"]

    compiled = catalogue.with_suffix(".mo")
    compiled.write_bytes(b"")
    os.utime(catalogue, (1_700_000_000, 1_700_000_000))  # edited before it was compiled
    ran.clear()
    call_command("prepare")
    assert ran == ["createcachetable"]
    os.utime(catalogue, (compiled.stat().st_mtime + 60,) * 2)  # edited since
    assert prepare.stale_catalogues() == [catalogue]


def test_it_reads_again_only_the_content_files_whose_text_changed(db, monkeypatch, tmp_path):
    from assessment.management.commands import prepare

    copies = []
    for path in content_files():
        copy = tmp_path / path.name
        copy.write_bytes(path.read_bytes())
        copies.append(copy)
    monkeypatch.setattr(prepare, "content_files", lambda: copies)
    monkeypatch.setattr(prepare, "static_behind", lambda sources: False)  # the next test's subject
    monkeypatch.setattr(prepare, "stale_catalogues", list)
    assert prepare.content_behind() == copies  # an empty database
    call_command("prepare", stdout=StringIO())
    assert prepare.content_behind() == []
    newest = copies[-1].stem.removeprefix("questionnaire-")
    assert QuestionnaireVersion.objects.get(version=newest).is_current

    # Edited: read again, whatever the file's time says; a comment changes no content, so
    # loading accepts it and records the new text.
    copies[-1].write_text(copies[-1].read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert prepare.content_behind() == [copies[-1]]
    call_command("prepare", stdout=StringIO())
    assert prepare.content_behind() == []
    # A change of content under a loaded version is refused, as loading always did.
    copies[0].write_text(copies[0].read_text(encoding="utf-8") + "x: 1\n", encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("prepare", stdout=StringIO())
    assert f"{copies[0].name} is not valid, nothing was loaded" in str(refused.value)


def test_it_collects_static_files_again_only_when_one_changed(settings, tmp_path):
    from assessment.management.commands import prepare

    def behind() -> bool:
        return prepare.static_behind(prepare._static_sources())

    def signature() -> str:
        return prepare.static_signature(prepare._static_sources())

    settings.STATIC_ROOT = tmp_path / "collected"
    settings.STATICFILES_DIRS = [tmp_path / "static"]
    settings.STORAGES = {  # plain names, as in development, without the compression's time
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    style = tmp_path / "static" / "css" / "app.css"
    style.parent.mkdir(parents=True)
    style.write_text("body { color: #222 }", encoding="utf-8")
    assert behind()
    call_command("collectstatic", "--noinput", verbosity=0)
    (tmp_path / "collected" / prepare.COLLECTED_MARK).write_text(signature(), encoding="utf-8")
    assert not behind()
    style.write_text("body { color: #111 }", encoding="utf-8")  # edited (the same size)
    os.utime(style, (style.stat().st_mtime + 1,) * 2)  # file times lag the clock by a tick
    assert behind()
    (tmp_path / "collected" / prepare.COLLECTED_MARK).write_text(signature(), encoding="utf-8")
    (tmp_path / "static" / "new.js").write_text("", encoding="utf-8")  # added
    assert behind()
    (tmp_path / "static" / "new.js").unlink()
    # A production collectstatic into the same folder keeps only hashed names: the mark still
    # matches the sources, but the files it promises are gone.
    assert not behind()
    (tmp_path / "collected" / "css" / "app.css").unlink(missing_ok=True)
    assert behind()


def test_it_serves_the_collected_compressed_copies_with_cache_headers(settings, tmp_path):
    """What `make run` (runserver --nostatic) and production both do: WhiteNoise answers from
    STATIC_ROOT with the gzip copy collectstatic wrote beside the file, cached for a minute."""
    from django.test import Client

    settings.DEBUG = True  # as under `make run` (the test runner turns it off): WhiteNoise re-reads the folder
    settings.STATIC_ROOT = tmp_path
    (tmp_path / "css").mkdir()
    body = b"body { color: #222 }" * 50
    (tmp_path / "css" / "app.css").write_bytes(body)
    (tmp_path / "css" / "app.css.gz").write_bytes(gzip.compress(body))
    response = Client().get("/static/css/app.css", HTTP_ACCEPT_ENCODING="gzip")  # a new client: WhiteNoise anew
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip" and response["Cache-Control"] == "max-age=60, public"
    assert gzip.decompress(b"".join(response.streaming_content)) == body
    plain = Client().get("/static/css/app.css")
    assert "Content-Encoding" not in plain and b"".join(plain.streaming_content) == body
    # Only what was collected is served: not the sources under static/ (the report fonts among them).
    assert Client().get("/static/js/app.js").status_code == 404
