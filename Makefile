# Balise: `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
PORT ?= 8000
# Links in e-mails point at the port `make run` serves, unless SITE_URL is set (in the
# environment, on the command line or in .env).
SITE_URL ?= $(or $(shell sed -n 's/^SITE_URL=//p' .env 2>/dev/null | tail -n 1),http://127.0.0.1:$(PORT))
VENV := .venv
PY := $(VENV)/bin/python
# uv installs the locked dependencies; when it is missing, bootstrap it in .tools/.
UV := $(or $(shell command -v uv 2>/dev/null),.tools/bin/uv)
# With PYTHONDONTWRITEBYTECODE set, Python never caches bytecode and every process
# (migrate, seed, worker, beat, web, each test worker) recompiles Django and Wagtail
# for about ten seconds: compile the virtualenv once at install time instead.
UV_SYNC_FLAGS := --frozen --python python3 $(if $(PYTHONDONTWRITEBYTECODE),--compile-bytecode)
export DJANGO_SETTINGS_MODULE := lms.settings

# Services used by `make test-all` (and .ci/run); override to point elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/balise
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: help install run migrate seed test test-all test-postgres test-services e2e js lint audit format clean bench

help: ## List the targets
	@grep -hE '^[a-z][a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.tools/bin/uv:
	python3 -m venv .tools
	.tools/bin/pip install --quiet uv

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync $(UV_SYNC_FLAGS)
	@touch $@

.env:
	@echo "DEBUG=1" > .env
	@echo "Wrote .env (DEBUG=1) for local development."

install: $(VENV)/.installed .env ## Create the virtualenv and install the locked dependencies
	@mkdir -p var/celery/broker var/celery/control var/static media

migrate: install ## Apply database migrations
	$(PY) manage.py migrate --no-input

seed: migrate ## Load the demo data (idempotent) and print the demo accounts
	@set -o pipefail; $(PY) manage.py seed_demo | tee var/demo-accounts.txt

# Each process runs in a process group of its own (set -m) so that stopping them reaches
# runserver's autoreloader child too; Ctrl-C, a SIGTERM to make, or the web server
# ending stops all of them. Once the web server answers, the demo accounts are printed
# again, below the start-up output of the worker.
run: seed ## Install, migrate, seed, then serve on 127.0.0.1:$(PORT) with a Celery worker and beat
	@if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then \
	  echo "Port $(PORT) is already in use: stop what runs there, or choose another (PORT=8001 make run)."; exit 1; fi
	@echo "Starting Balise on http://127.0.0.1:$(PORT)/ with a Celery worker and beat..."
	@export SITE_URL='$(SITE_URL)'; set -m; \
	$(PY) -m celery -A lms worker -Q celery,reports --loglevel=INFO --concurrency=2 </dev/null & worker=$$!; \
	$(PY) -m celery -A lms beat --loglevel=INFO --schedule=var/celerybeat-schedule </dev/null & beat=$$!; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT) </dev/null & web=$$!; \
	set +m; \
	trap 'trap - INT TERM HUP EXIT; kill -TERM $$worker $$beat -$$web $$ready 2>/dev/null; wait' INT TERM HUP EXIT; \
	for _ in {1..240}; do \
	  if (exec 3<>/dev/tcp/127.0.0.1/$(PORT)) 2>/dev/null; then \
	    echo; cat var/demo-accounts.txt; \
	    echo "Balise is ready: http://127.0.0.1:$(PORT)/  (Wagtail admin: /admin/, Django admin: /django-admin/)"; \
	    echo "E-mails are printed here by the worker. Ctrl-C stops the web server, the worker and beat."; \
	    break; \
	  fi; sleep 0.5; \
	done & ready=$$!; \
	wait $$web

test: install ## Run the full suite on the embedded defaults (SQLite, no server)
	$(PY) -m pytest -m "not services and not e2e" -n 2 --dist loadfile -q

test-postgres: install ## Run the full suite on PostgreSQL
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -m "not services and not e2e" -n 2 --dist loadfile -q --create-db

# The integration tests fail (not skip) when a service does not answer; they run on
# PostgreSQL too, and the Celery worker they start gets a database of its own.
test-services: install ## Integration tests needing PostgreSQL, Redis + a real worker, S3 (moto_server)
	BALISE_REQUIRE_SERVICES=1 TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) \
	  DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -m services -q -p no:xdist --create-db --durations=5

# The live server, its database (cached in var/e2e/) and the browser are started by
# tests/e2e/conftest.py; screenshots and the report land in tests/e2e/artifacts/.
e2e: install node_modules/.package-lock.json ## Browser journeys in headless Chromium, axe-core, page weight
	timeout --signal=INT --kill-after=30 600 $(PY) -m pytest tests/e2e -m e2e -p no:xdist -q \
	  --output tests/e2e/artifacts/failures --screenshot only-on-failure

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

# The built file is committed, so that `make run` needs no Node; tests/e2e checks it is current.
ESBUILD_JS := node_modules/.bin/esbuild lms/js/offline.js --minify --target=es2020 --legal-comments=none \
  '--banner:js=// Built by `make js` from lms/js/offline.js (esbuild --minify): edit that file.'
js: node_modules/.package-lock.json ## Rebuild lms/static/balise/offline.js (minified) from lms/js/offline.js
	$(ESBUILD_JS) --outfile=lms/static/balise/offline.js

# The benchmark's database (balise_bench) is loaded once with seed_load M (about 40 s) and
# reused while its marker matches; BENCH_SIZE=S|L (or all: S, M and L one after the other),
# BENCH_SECONDS, BENCH_USERS override. Needs PostgreSQL and Redis on 127.0.0.1 (as
# test-services). Results: var/bench/latest.md, and var/bench/<size>.json per size.
# Each size has its own time limit: L's first load alone takes about 4 minutes.
BENCH_SIZE ?= M
BENCH_TIMEOUT ?= 1500
bench: install ## Benchmark on PostgreSQL at national scale (seed_load M, gunicorn, Celery)
	@for size in $(if $(filter all,$(BENCH_SIZE)),S M L,$(BENCH_SIZE)); do \
	  echo "make bench: size $$size"; \
	  BENCH_SIZE=$$size timeout --signal=INT --kill-after=30 $(BENCH_TIMEOUT) $(PY) tests/perf/bench.py \
	    || exit $$?; \
	done

test-all: test test-postgres test-services e2e ## Everything: embedded, PostgreSQL, real services, browser

lint: install ## ruff check + format check, layers (import-linter), Django checks, migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Dependency audit: pip-audit checks the locked requirements (uv.lock, dev tools included)
# against the vulnerability data of PyPI's JSON API. It fails on a real finding only: when the
# service cannot be reached (offline machine, a mirror without that API), it says so loudly
# and exits 0. Known findings are ignored only with a dated entry in
# docs/pip-audit-exceptions.md, mirrored here as `--ignore-vuln ID` (comment: date, reason).
AUDIT_SERVICE ?= pypi
AUDIT_PROBE_URL ?= https://pypi.org/pypi/pip/json
AUDIT_IGNORE :=
# e.g. AUDIT_IGNORE += --ignore-vuln GHSA-xxxx-xxxx-xxxx  # 2026-11-27, see docs/pip-audit-exceptions.md

define AUDIT_PROBE
import sys, urllib.request
try:
    urllib.request.urlopen(sys.argv[1], timeout=10).close()
except Exception as error:
    print(f"make audit: the vulnerability service is unreachable ({sys.argv[1]}: {error}).")
    print("make audit: NOTHING WAS AUDITED; not a failure. Run it where pypi.org answers.")
    sys.exit(1)
endef
export AUDIT_PROBE

define AUDIT_REPORT
import json, sys
status = int(sys.argv[1])
try:
    with open("var/pip-audit.json") as file:
        deps = json.load(file)["dependencies"]
except (OSError, ValueError, KeyError):
    log = open("var/pip-audit.log").read()
    print(log[-3000:])
    network = ("ConnectionError", "Max retries", "NameResolution", "Timeout", "ServiceError")
    if any(word in log for word in network):
        print("make audit: the vulnerability service failed while auditing: NOTHING WAS AUDITED.")
        sys.exit(0)
    print(f"make audit: pip-audit failed (exit {status}), see var/pip-audit.log.")
    sys.exit(status or 2)
found = [(d["name"], d["version"], v) for d in deps for v in d.get("vulns", [])]
skipped = [d["name"] for d in deps if "skip_reason" in d]
for name, version, vuln in found:
    fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
    aliases = ", ".join(vuln.get("aliases") or [])
    print(f"VULNERABLE {name}=={version}: {vuln['id']} ({aliases}); fixed in: {fixed}")
audited = len(deps) - len(skipped)
print(f"make audit: {audited} of {len(deps)} locked packages audited, "
      f"{len(found)} known vulnerabilities not covered by an exception.")
if skipped and not audited:
    print("make audit: WARNING: the service answered for no package (a PyPI mirror without "
          "the per-version JSON API?): NOTHING WAS AUDITED; not a failure.")
elif skipped:
    print(f"make audit: WARNING: not audited: {', '.join(skipped)}.")
if found:
    print("make audit: upgrade (uv lock --upgrade-package NAME), or add a dated exception to "
          "docs/pip-audit-exceptions.md and AUDIT_IGNORE in the Makefile.")
sys.exit(1 if found else 0)
endef
export AUDIT_REPORT

audit: install ## Audit the locked dependencies for known vulnerabilities (pip-audit)
	@mkdir -p var
	@$(UV) export --frozen --format requirements-txt --no-hashes --quiet > var/requirements.txt
	@$(PY) -c "$$AUDIT_PROBE" $(AUDIT_PROBE_URL) || exit 0; \
	rm -f var/pip-audit.json; status=0; \
	$(VENV)/bin/pip-audit -r var/requirements.txt --disable-pip --no-deps --progress-spinner off \
	  --vulnerability-service $(AUDIT_SERVICE) --timeout 15 $(AUDIT_IGNORE) \
	  --format json --output var/pip-audit.json 2>var/pip-audit.log || status=$$?; \
	$(PY) -c "$$AUDIT_REPORT" $$status

format: install ## Format and autofix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean: ## Remove the virtualenv, local database, broker files and caches
	rm -rf $(VENV) .tools var db.sqlite3 db.sqlite3-shm db.sqlite3-wal
