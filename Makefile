# MediBroker: `make run` serves the site on http://127.0.0.1:8000, `make test` runs the suite.
# Both need only Python 3.11+ and make: they create .venv and install what they need.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000

# What mypy checks: the project's apps that exist on this branch (settings in pyproject.toml).
MYPY_PACKAGES := $(wildcard config core accounts providers documents notifications bookings payments concierge quotes storefront careteam secondopinion privacy messaging reviews disputes)

.DEFAULT_GOAL := help
.PHONY: help run test lint format worker install install-dev lock check-python messages bench-search bench-availability bench-throughput audit

help:
	@echo "make run      install, migrate, seed the demo and serve http://$(HOST):$(PORT) (with a local Stripe emulator and the periodic jobs)"
	@echo "make test     install the test tools and run the whole suite (SQLite, eager tasks)"
	@echo "make audit    pip-audit on the hashed locks: fails on a known vulnerability, warns on packages it could not check"
	@echo "make lint     ruff check, ruff format --check, the floors contract (import-linter), mypy, makemigrations --check"
	@echo "make worker   a Celery worker with beat (needs REDIS_URL)"
	@echo "make messages extract and compile translations (needs gettext)"
	@echo "make lock     regenerate the hashed locks in requirements/ from pyproject.toml (LOCK_FLAGS=--upgrade to move on)"
	@echo "make bench-search  seed 10,000 providers on PostgreSQL and time the search API (see README)"
	@echo "make bench-availability  seed 50 booked-up providers on PostgreSQL and time free slots, diaries, holds"
	@echo "make bench-throughput  gunicorn + wrk on 10,000 providers (PostgreSQL, Redis): req/s, p50/p99, ratios to /healthz"

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
		{ echo "MediBroker needs Python 3.11 or newer: set PYTHON=/path/to/python3.11"; exit 1; }

$(VENV)/pyvenv.cfg: | check-python
	$(PYTHON) -m venv $(VENV)

# Installs come from the hashed locks in requirements/ (see `make lock`), with hash checking on: a
# package whose file does not match its lock is refused. pip, setuptools and wheel come first (from
# requirements/build.txt), so nothing is then fetched unchecked to build a package (--no-build-isolation).
# Redone only when a lock or pyproject.toml changes. `make run` gets the production lock plus the Stripe
# emulator (requirements/local.txt); `make test` everything (requirements/dev.txt).
PIP_INSTALL := $(PY) -m pip install --quiet --require-hashes --no-build-isolation

$(VENV)/.installed: pyproject.toml requirements/build.txt requirements/local.txt $(VENV)/pyvenv.cfg
	$(PIP_INSTALL) -r requirements/build.txt
	$(PIP_INSTALL) -r requirements/local.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements/dev.txt
	$(PIP_INSTALL) -r requirements/dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Without STRIPE_SECRET_KEY, payments go to the local Stripe emulator (localstripe): started beside
# the server on STRIPE_API_BASE (default port 8420), its objects in var/, its webhooks pointed at the
# site, stopped with it. The demo is seeded once it answers: the seed pays its demo booking and add-ons
# with the test card. Beside the server, the periodic jobs of Celery beat's schedule run
# (`manage.py run_periodic_jobs`: in-process without REDIS_URL, a worker with beat with it), stopped
# with it too. Once the site answers, the demo's logins are printed again, last.
run: install
	$(PY) manage.py migrate --noinput
	$(PY) scripts/run_with_stripe_emulator.py --site http://$(HOST):$(PORT) --before "$(PY) manage.py seed_demo" \
		--beside "$(PY) manage.py run_periodic_jobs" --banner var/demo-logins.txt \
		-- $(PY) manage.py runserver $(HOST):$(PORT)

test: install-dev
	$(PY) -m pytest

lint: install-dev
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy $(MYPY_PACKAGES)
	$(PY) manage.py makemigrations --check --dry-run

# pip-audit on requirements/production.txt, local.txt and dev.txt (hashes required, pip not run):
# exit 1 on a known vulnerability; a loud warning when packages could not be looked up.
audit: install-dev
	$(PY) scripts/audit_dependencies.py

format: install-dev
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

worker: install
	$(VENV)/bin/celery -A config worker --beat --loglevel=info

# A benchmark, not a test: drops and recreates the PostgreSQL database BENCH_DATABASE_URL
# (default postgres://postgres@127.0.0.1:5432/medibroker_bench) and exits 1 when a target is missed.
bench-search: install-dev
	$(PY) bench/search.py

# Also a benchmark: drops and recreates BENCH_AVAILABILITY_DATABASE_URL
# (default postgres://postgres@127.0.0.1:5432/medibroker_bench_availability), exits 1 on a missed target.
bench-availability: install-dev
	$(PY) bench/availability.py

# A benchmark under a real server: seeds BENCH_THROUGHPUT_DATABASE_URL (default
# postgres://postgres@127.0.0.1:5432/medibroker_bench_throughput) through bench/search.py unless it is
# already seeded, starts gunicorn and a Celery worker on BENCH_REDIS_URL (default redis://127.0.0.1:6379/8),
# loads each URL with wrk (apt-get install wrk) and exits 1 when a target is missed.
bench-throughput: install-dev
	$(PY) bench/throughput.py

messages: install
	$(PY) manage.py makemessages --all --ignore=.venv --ignore=var
	$(PY) manage.py compilemessages --ignore=.venv

# The locks, with hashes (pip-compile, from pip-tools in the dev extra; several minutes). dev.txt (every
# extra) is resolved from pyproject.toml, keeping its current pins unless LOCK_FLAGS says otherwise
# (--upgrade, or --upgrade-package NAME); the others take their versions from it. production.txt has no
# extra (what a production install gets), local.txt adds the Stripe emulator, build.txt is pip, setuptools
# and wheel. Each file's header names `make lock` as the command that wrote it.
PIP_COMPILE := CUSTOM_COMPILE_COMMAND="make lock" $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links
LOCK_FLAGS ?=

lock: install-dev
	$(PIP_COMPILE) $(LOCK_FLAGS) --all-extras --all-build-deps -o requirements/dev.txt pyproject.toml
	$(PIP_COMPILE) -c requirements/dev.txt --all-build-deps -o requirements/production.txt pyproject.toml
	$(PIP_COMPILE) -c requirements/dev.txt --all-build-deps --extra emulator -o requirements/local.txt pyproject.toml
	$(PIP_COMPILE) -c requirements/dev.txt -o requirements/build.txt requirements/build.in
