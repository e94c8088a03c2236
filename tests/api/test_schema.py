"""The OpenAPI schema at its stable address, and the browsable docs served from our own static."""

import re

import yaml
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.validation import validate_schema


def test_it_serves_a_valid_openapi_schema_of_every_endpoint(db):
    response = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document
    assert set(schema["paths"]) == {
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{campaign_id}/",
        "/api/v1/campaigns/{campaign_id}/members/",
        "/api/v1/campaigns/{campaign_id}/members/{member_id}/",
        "/api/v1/campaigns/{campaign_id}/invitations/",
        "/api/v1/campaigns/{campaign_id}/imports/",
        "/api/v1/campaigns/{campaign_id}/imports/{upload_id}/",
        "/api/v1/campaigns/{campaign_id}/imports/{upload_id}/choice/",
        "/api/v1/campaigns/{campaign_id}/bulk-jobs/",
        "/api/v1/campaigns/{campaign_id}/bulk-jobs/{job_id}/",
        "/api/v1/campaigns/{campaign_id}/bulk-jobs/{job_id}/zip/",
        "/api/v1/questionnaires/",
        "/api/v1/questionnaires/{version}/",
    }
    assert schema["components"]["securitySchemes"] == {
        "bearerAuth": {
            "type": "http",
            "scheme": "bearer",
            "description": "An organisation's API token (the API tokens page).",
        }
    }
    imports = schema["paths"]["/api/v1/campaigns/{campaign_id}/imports/"]["post"]
    assert "multipart/form-data" in imports["requestBody"]["content"]
    assert {"201", "202", "400", "401", "403", "404", "429"} <= set(imports["responses"])


def test_it_serves_the_docs_page_with_its_own_assets_and_no_inline_code(db):
    client = Client()
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>SME Compass API</title>" in page
    # The site's CSP holds here too: no inline script or style, nothing from another host.
    assert (
        "script-src" not in response["Content-Security-Policy"]
        or "'unsafe-inline'" not in response["Content-Security-Policy"]
    )
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "<style" not in page and " style=" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") for a in assets), assets
    statics = [a for a in assets if a.startswith("/static/")]
    assert {a.rsplit("/", 1)[1] for a in statics} >= {
        "swagger-ui.css",
        "swagger-ui-bundle.js",
        "swagger-ui-standalone-preset.js",
        "api-docs.css",
    }
    for asset in statics:
        found = finders.find(asset.removeprefix("/static/"))
        assert found, asset
    [script] = [a for a in assets if a.startswith("/api/v1/docs/")]
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert "/api/v1/schema/" in init.content.decode()


def test_it_collects_the_docs_assets_for_production_and_leaves_drfs_out(settings, tmp_path):
    """Hashed names, as production serves them: Swagger UI's files are collected, Django REST
    framework's browsable-API files are not (they failed the manifest storage: missing fonts)."""
    from django.core.management import call_command

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    collected = {path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*") if path.is_file()}
    assert "drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in collected
    assert "css/api-docs.css" in collected
    assert not [name for name in collected if name.startswith("rest_framework/")]


def test_it_generates_the_schema_without_a_warning(db, tmp_path):
    """Every endpoint's parameters, bodies and answers are described (drf-spectacular warns
    where it has to guess), and the document validates."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    member = schema["paths"]["/api/v1/campaigns/{campaign_id}/members/{member_id}/"]["get"]
    [member_id] = [p for p in member["parameters"] if p["name"] == "member_id"]
    assert member_id["schema"] == {"type": "string", "pattern": "^[ia][0-9]{1,18}$"}
