# Digi-SOS — the two commands: `make run` and `make test`. See README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
# `make run` is a local demo on the embedded default: SQLite + the filesystem broker.
RUN_ENV := DEBUG=1

.PHONY: run test test-all venv lint format migrate messages clean audit

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

migrate: venv
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py import_bodies
	$(RUN_ENV) $(PY) manage.py seed_demo

run: migrate
	@$(RUN_ENV) PORT=$(PORT) PY=$(PY) bash bin/run-dev

# The embedded default (SQLite, in-process broker, in-process cache) runs on every core (pytest-xdist:
# one test database per process, ports and folders are per test). With a real database, broker or cache
# (CI's second run) the suite stays serial: every process would share one Redis broker and cache (the
# tests empty the cache; the worker tests consume one queue). PYTEST_WORKERS=0 runs serially anyway.
PYTEST_WORKERS ?= $(if $(DATABASE_URL)$(CELERY_BROKER_URL)$(CACHE_URL),0,auto)

# On the embedded default `make test` leaves out the tests marked slow (browser journeys, schemathesis, the
# form fuzzing and the migration drills; tests/conftest.py SLOW names them) so that it stays around two
# minutes. `make test-all` runs them too, and so does every run with a real database, broker or cache
# (CI's second run): there every test runs (tests/conftest.py refuses `-m "not slow"` on PostgreSQL).
PYTEST_SELECT ?= $(if $(DATABASE_URL)$(CELERY_BROKER_URL)$(CACHE_URL),,-m "not slow")

# Compiled bytecode (and pytest's rewritten test modules) is kept between runs in the system's temporary
# directory, one folder per checkout, even where the environment says PYTHONDONTWRITEBYTECODE (as this
# project's CI machine does): without it every xdist worker compiles and rewrites every module again, about
# 5 s of CPU per worker per run. The checkout itself stays free of __pycache__ folders.
PYCACHE ?= $(or $(TMPDIR),/tmp)/digisos-pycache$(subst /,-,$(CURDIR))
PYTEST := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(PYCACHE) $(PY) -m pytest

test: venv
	$(PYTEST) -n $(PYTEST_WORKERS) $(PYTEST_SELECT) $(PYTEST_ARGS)

test-all: venv
	$(PYTEST) -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

# Security scans (CI): known vulnerabilities in the installed packages (pip-audit asks PyPI's advisory
# data), and bandit over our code. Findings and their handling: docs/SECURITY.md.
audit: venv
	$(VENV)/bin/pip-audit --progress-spinner off --skip-editable
	$(VENV)/bin/bandit -q -r digisos tenants notifications incidents calloffs aftercare settlement statuspages onboarding readiness -c pyproject.toml

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: venv
	$(RUN_ENV) $(PY) manage.py makemessages -l de -l en --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'node_modules/*'
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore '.venv/*'

clean:
	rm -rf var/celery var/cache
