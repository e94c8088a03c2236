# Two commands matter (see README): `make run` and `make test`. Both set everything up first.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup setup-dev venv deps deps-dev db content messages lint format demo bench clean

run: setup ## set up, then serve the app on http://127.0.0.1:8000
	@echo "Open http://$(HOST):$(PORT)/ (Ctrl-C stops). Demo data: $(PYTHON) manage.py demo"
	$(PYTHON) manage.py runserver $(HOST):$(PORT)

test: setup-dev ## set up, lint, then run the whole test suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

setup: deps db content messages
setup-dev: deps-dev db content messages

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

db:
	$(PYTHON) manage.py migrate --noinput -v 0

content:
	$(PYTHON) manage.py load_questionnaire

# compilemessages needs GNU gettext's msgfmt; install it when we can (root on Debian).
messages:
	@command -v msgfmt >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get install -y -qq gettext >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq gettext >/dev/null)); } || \
		{ echo "msgfmt not found: install GNU gettext (apt-get install gettext)"; exit 1; }
	$(PYTHON) manage.py compilemessages --ignore=.venv -v 0

demo: setup
	$(PYTHON) manage.py demo

lint: deps-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: deps-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup-dev
	$(PYTHON) bench/steps.py

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles .pytest_cache .ruff_cache .hypothesis
