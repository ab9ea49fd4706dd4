# Balise: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
# uv installs the locked dependencies; when it is missing, bootstrap it in .tools/.
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
export DJANGO_SETTINGS_MODULE := lms.settings

# Services used by `make test-all` (and .ci/run); override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/balise
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help install run migrate seed test test-all test-postgres test-services e2e lint format clean

help: ## List the targets
	@grep -hE '^[a-z][a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python python3
	@touch $@

.env:
	@echo "DEBUG=1" > .env
	@echo "Wrote .env (DEBUG=1) for local development."

install: $(VENV)/.installed .env ## Create the virtualenv and install the locked dependencies
	@mkdir -p var/celery/broker var/celery/control var/static media

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --no-input

seed: migrate ## Load the demo data (idempotent) and print the demo accounts
	$(PY) manage.py seed_demo

run: seed ## Install, migrate, seed, then serve on 127.0.0.1:$(PORT) with a Celery worker and beat
	@echo "Balise: http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/). Ctrl-C stops everything."
	@trap 'kill 0' INT TERM EXIT; \
	$(PY) -m celery -A lms worker --loglevel=INFO --concurrency=2 & \
	$(PY) -m celery -A lms beat --loglevel=INFO --schedule=var/celerybeat-schedule & \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install ## Run the full suite on the embedded defaults (SQLite, no server)
	$(PY) -m pytest -m "not services" -n 2 --dist loadfile -q

test-postgres: install ## Run the full suite on PostgreSQL
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -m "not services" -n 2 --dist loadfile -q --create-db

# The integration tests fail (not skip) when a service does not answer; they run on
# PostgreSQL too, and the Celery worker they start gets a database of its own.
test-services: install ## Integration tests needing PostgreSQL, Redis + a real worker, S3 (moto_server)
	BALISE_REQUIRE_SERVICES=1 TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
	  DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -m services -q -p no:xdist --create-db --durations=5

e2e: install ## Browser journeys in headless Chromium (when present)
	@if [ -d tests/e2e ]; then $(PY) -m pytest tests/e2e -q -p no:xdist; else echo "No browser tests yet."; fi

test-all: test test-postgres test-services e2e ## Everything: embedded, PostgreSQL, real services, browser

lint: install ## ruff check + format check, Django checks, missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

format: install ## Format and autofix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## Remove the virtualenv, local database, broker files and caches
	rm -rf $(VENV) .tools var db.sqlite3 db.sqlite3-shm db.sqlite3-wal
