# Two commands matter (see README): `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev prepare sysdeps sysdeps-dev vnu css lighthouse load venv deps deps-dev lint format demo bench clean

run: setup ## set up, then serve the app on http://127.0.0.1:8000 with a background worker
	@echo "Open http://$(HOST):$(PORT)/ (Ctrl-C stops both). Demo data: make demo HOST=$(HOST) PORT=$(PORT)"
	@export HOST=$(HOST) PORT=$(PORT); $(PYTHON) manage.py worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PYTHON) manage.py runserver --nostatic $(HOST):$(PORT)

# The tests of pages that store user input run once more on PostgreSQL: its column limits and
# locking differ from SQLite's (a 300-character e-mail address was a 500 page only there).
# CI always has it; elsewhere the pass is skipped when nothing listens on 127.0.0.1:5432.
PG_URL ?= postgres://127.0.0.1:5432/sme_pg
PG_TESTS := tests/test_security.py tests/campaigns/test_campaigns.py tests/workspace/test_workspace.py \
	tests/wizard/test_wizard.py tests/accounts/test_accounts.py tests/bulk/test_bulk.py \
	tests/plan/test_services.py tests/plan/test_results_form.py tests/plan/test_reminders.py \
	tests/campaigns/test_tallies.py tests/campaigns/test_member_table.py \
	tests/api/test_endpoints.py tests/api/test_tokens_page.py

# Two processes (this machine has 2 cores), each with its own test database (pytest-django
# suffixes its name per worker) and media directory (tests/conftest.py); whole files go to one
# process so module-wide fixtures (the isolation world, the browser) are built once. The
# PostgreSQL pass has none, so its tests are spread one by one (its longest file is bulk/test_bulk).
PARALLEL ?= -n 2 --dist loadfile
PG_PARALLEL ?= -n 2 --dist load

test: setup-dev ## set up, lint, then run the whole test suite (and the PostgreSQL pass)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest $(PARALLEL)
	@if [ -n "$$CI" ] || $(PYTHON) -c 'import socket; socket.create_connection(("127.0.0.1", 5432), 2).close()' 2>/dev/null; then \
		echo "Pages that store input, once more on PostgreSQL:"; \
		DATABASE_URL=$(PG_URL) $(BIN)/pytest $(PG_PARALLEL) $(PG_TESTS); \
	else echo "PostgreSQL is not running on 127.0.0.1:5432: skipped the PostgreSQL pass."; fi

setup: sysdeps deps prepare
setup-dev: sysdeps-dev deps-dev vnu prepare

# The database, the shipped content, the compiled translations and the collected static files,
# each only when behind.
prepare:
	$(PYTHON) manage.py prepare

# The Nu Html Checker for the tests (Java runs it), from the npm registry, pinned.
VNU_VERSION := 26.9.27
VNU_JAR := .cache/npm/node_modules/vnu-jar/build/dist/vnu.jar
vnu:
	@grep -qs '"version": "$(VNU_VERSION)"' .cache/npm/node_modules/vnu-jar/package.json || \
		npm install --silent --no-audit --no-fund --prefix .cache/npm vnu-jar@$(VNU_VERSION)

# Recreate the virtualenv when it is missing or its Python is older than 3.12.
venv:
	@if ! $(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		py=$$(scripts/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV); \
		$(PYTHON) -m pip install --quiet --upgrade pip; \
	fi

deps: venv
	@stamp=$(VENV)/.deps-$$(cat requirements.txt | sha256sum | cut -c1-16); \
	if [ ! -f $$stamp ]; then $(PYTHON) -m pip install --quiet -r requirements.txt && touch $$stamp; fi

deps-dev: venv
	@stamp=$(VENV)/.deps-dev-$$(cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16); \
	if [ ! -f $$stamp ]; then $(PYTHON) -m pip install --quiet -r requirements-dev.txt && touch $$stamp; fi

# System libraries: gettext (msgfmt), Pango for WeasyPrint, HarfBuzz's subset library (fast
# font subsetting: without it a Chinese PDF takes ~15 s), a full CJK font as fallback for rare
# characters. Installed with apt when we are root on Debian/Ubuntu; otherwise we say what is missing.
SYSDEPS := gettext libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk
# The tests also drive Debian's Chromium (browser journeys, accessibility checks) and read
# the text of Chinese PDFs with pdftotext (poppler-utils).
SYSDEPS_DEV := $(SYSDEPS) chromium poppler-utils
sysdeps-dev: SYSDEPS := $(SYSDEPS_DEV)
sysdeps-dev: sysdeps
sysdeps:
	@missing=$$(for p in $(SYSDEPS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing system packages: $$missing"; \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null 2>&1 || \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; }; \
		elif command -v dpkg >/dev/null; then echo "Please install: $$missing (e.g. sudo apt-get install $$missing)"; exit 1; fi; \
	fi

demo: setup  ## demo data; its printed links point to HOST:PORT like make run's
	HOST=$(HOST) PORT=$(PORT) $(PYTHON) manage.py demo

# mypy checks the packages listed in pyproject.toml ([tool.mypy] files).
lint: deps-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: deps-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup-dev
	$(PYTHON) bench/steps.py
	$(PYTHON) bench/report.py
	$(PYTHON) bench/cold.py
	$(PYTHON) bench/worker_start.py
	$(PYTHON) bench/run_start.py
	$(PYTHON) bench/workspace.py
	$(PYTHON) bench/members.py
	$(PYTHON) bench/bulk.py

# Lighthouse (mobile preset) on the home page, a wizard step and the results page, served as in
# production on a throw-away database; Chrome is Debian's chromium. 12.x: 13 needs Node >= 22.19.
LIGHTHOUSE_VERSION := 12.8.2
# Bootstrap reduced to the rules our pages use (scripts/purgecss.config.cjs), committed;
# tests/browser/test_css.py checks every main page looks the same with it as with the full file.
PURGECSS_VERSION := 8.0.0
css: deps
	@grep -qs '"version": "$(PURGECSS_VERSION)"' .cache/npm/node_modules/purgecss/package.json || \
		npm install --silent --no-audit --no-fund --prefix .cache/npm purgecss@$(PURGECSS_VERSION)
	CRISPY_SITE=$$($(PYTHON) -c 'import crispy_forms, pathlib; print(pathlib.Path(crispy_forms.__file__).parents[1])') \
		PURGECSS_MODULE=$(CURDIR)/.cache/npm/node_modules/purgecss node scripts/build_css.mjs

lighthouse: setup-dev
	@grep -qs '"version": "$(LIGHTHOUSE_VERSION)"' .cache/npm/node_modules/lighthouse/package.json || \
		npm install --silent --no-audit --no-fund --prefix .cache/npm lighthouse@$(LIGHTHOUSE_VERSION)
	$(PYTHON) bench/lighthouse.py

# 50 owners autosaving for 60 s against gunicorn (2 workers), on SQLite and PostgreSQL.
load: setup-dev
	$(PYTHON) bench/load.py

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles .pytest_cache .ruff_cache .mypy_cache .hypothesis
