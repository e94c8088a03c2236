"""HTML validity: the Nu Html Checker (vnu.jar from the npm registry, fetched by `make test`)
finds no error on the main pages of every kind of user."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VNU = ROOT / ".cache" / "npm" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

pytestmark = pytest.mark.skipif(
    (not VNU.exists() or not shutil.which("java")) and not os.getenv("CI"), reason="run `make vnu` (needs Java)"
)


def test_it_serves_valid_html_on_the_main_pages(main_pages, tmp_path):
    pages = main_pages
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
