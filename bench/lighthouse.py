"""Lighthouse scores (mobile preset) of the home page, a wizard step and the results page.

Run: make lighthouse  (or .venv/bin/python bench/lighthouse.py [--lang zh-hans|en] [--out DIR])
Lighthouse comes from npm, pinned by the Makefile, under .cache/npm; Chrome is Debian's
/usr/bin/chromium, headless. The app runs as production serves it: gunicorn, DEBUG off,
static files from collectstatic's hashed, compressed copies through WhiteNoise, on a
throw-away SQLite database in a temporary folder with the questionnaire loaded and two
anonymous assessments of a realistic firm: a draft with every step filled in (its resilience
step is audited) and a submitted one (its results page). Both are opened through their
private links, as their owner would, and Lighthouse sends that session's cookie.

Prints the four category scores per page (targets: performance >= 95, accessibility 100,
best practices 100, SEO >= 90), then every audit that lost points, with the 1-minute load
average: Lighthouse's performance score is simulated from one trace, so a busy machine
lowers it. Reports (JSON and HTML) go to --out. It measures; it does not exit non-zero.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from _setup import EXPORTER, ROOT, free_port, production_on_localhost

LIGHTHOUSE = ROOT / ".cache" / "npm" / "node_modules" / ".bin" / "lighthouse"
CHROME = "/usr/bin/chromium"
CATEGORIES = [("performance", "perf", 95), ("accessibility", "a11y", 100), ("best-practices", "best", 100)]
CATEGORIES += [("seo", "seo", 90)]


def scratch_app(port: int, lang: str) -> tuple[dict[str, str], list[str], list[tuple[str, str]]]:
    """Environment of the server, the private-link tokens of a filled draft and a submitted
    assessment (created here, in this process, through the services) and the pages to audit."""
    scratch = tempfile.mkdtemp(prefix="lighthouse-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{scratch}/lh.sqlite3",
        "MEDIA_ROOT": f"{scratch}/media",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # Plain http on 127.0.0.1 is a secure context for Chrome.
        **production_on_localhost(port),
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.urls import reverse
    from django.utils import translation

    from assessment import selectors, services
    from assessment.languages import ZH_HANS
    from assessment.questionnaire.samples import sample_answers

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_questionnaire", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    version = selectors.current_version()
    assert version is not None
    qn = selectors.questionnaire_of(version)
    answers = sample_answers(qn, EXPORTER, 0.5, seed=7)
    draft, draft_token = services.assessment_create(version=version, owner=None, language=ZH_HANS)
    services.answers_save(assessment=draft, values=answers)
    done, done_token = services.assessment_create(version=version, owner=None, language=ZH_HANS)
    services.answers_save(assessment=done, values=answers)
    services.assessment_submit(assessment=done)
    with translation.override(lang):
        pages = [("home", reverse("home")), ("wizard step", reverse("step", args=[draft.public_id, "resilience"]))]
        pages.append(("results", reverse("results", args=[done.public_id])))
    return env, [draft_token, done_token], pages


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(base: str, lang: str, tokens: list[str]) -> str:
    """Open the private links as the owner would (each answers with a redirect); return the
    session cookie that now opens both assessments."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    for token in tokens:
        try:
            opener.open(f"{base}/{lang}/resume/{token}/", timeout=30)
        except urllib.error.HTTPError as redirect:
            assert redirect.code == 302, redirect.code
    return next(c.value for c in jar if c.name == "sessionid")


def lighthouse(url: str, out: Path, cookie: str | None) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        "--output=html",
        f"--output-path={out}",
        "--chrome-flags=--headless=new --no-sandbox",
    ]
    if cookie:
        command.append("--extra-headers=" + json.dumps({"Cookie": f"sessionid={cookie}"}))
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": CHROME})
    return json.loads(out.with_suffix(".report.json").read_text())


def lost_points(report: dict) -> list[str]:
    """The audits of the four categories that did not pass, once each."""
    lines, seen = [], set()
    for category, _, _ in CATEGORIES:
        for ref in report["categories"][category]["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["id"] in seen or audit["score"] is None or audit["score"] >= 0.9:
                continue
            if audit["scoreDisplayMode"] in ("manual", "notApplicable", "informative"):
                continue
            seen.add(ref["id"])
            value = f" ({audit['displayValue']})" if audit.get("displayValue") else ""
            lines.append(f"    {category}: {ref['id']} score {audit['score']:.2f}{value}: {audit['title']}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", default="zh-hans", choices=["zh-hans", "en"])
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "lighthouse")
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        sys.exit(f"{LIGHTHOUSE} is missing: run make lighthouse")
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env, tokens, paths = scratch_app(port, args.lang)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        cookie = session_cookie(base, args.lang, tokens)
        # The home page as a first visitor (and a search engine) sees it; the others as the owner.
        pages = [(name, base + path, None if name == "home" else cookie) for name, path in paths]
        # A running server, not its first request (imports, the parsed questionnaire): each
        # page once per worker, and a little more, before Lighthouse times the document.
        for _ in range(3):
            for _, url, session in pages:
                headers = {"Cookie": f"sessionid={session}"} if session else {}
                urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30).read()  # noqa: S310
        version = subprocess.run([str(LIGHTHOUSE), "--version"], capture_output=True, text=True).stdout.strip()
        print(f"Lighthouse {version}, mobile preset (simulated throttling), Chromium at {CHROME}, {args.lang} pages")
        rows = []
        for name, url, session in pages:
            report = lighthouse(url, args.out / name.replace(" ", "-"), session)
            scores = {key: round(report["categories"][c]["score"] * 100) for c, key, _ in CATEGORIES}
            rows.append((name, report["finalDisplayedUrl"], scores, lost_points(report), os.getloadavg()[0]))
        print(f"{'page':<12} {'perf':>5} {'a11y':>5} {'best':>5} {'seo':>5}  load  url")
        for name, url, scores, _, load in rows:
            figures = " ".join(f"{scores[key]:>5}" for _, key, _ in CATEGORIES)
            print(f"{name:<12} {figures}  {load:4.1f}  {url.removeprefix(base)}")
        print(f"{'target':<12} " + " ".join(f"{t if t == 100 else f'>={t}':>5}" for *_, t in CATEGORIES))
        for name, _, _, lost, _ in rows:
            if lost:
                print(f"{name}: audits that lost points")
                print("\n".join(lost))
        print(f"Reports: {args.out}/*.report.html and .report.json")
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
