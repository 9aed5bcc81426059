# Bookwarden: `make demo` serves the app with demo data on SQLite; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q
HOST ?= 127.0.0.1:8000

.PHONY: demo test lint install install-dev chromium slapd bench bench-import bench-scale bench-load clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11 or newer is needed") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/python requirements.lock pyproject.toml
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.installed-dev: $(BIN)/python requirements-dev.lock pyproject.toml
	$(PIP) install -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	@touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# The web server and the job loop (mail and the other periodic work) side by side; Ctrl-C
# stops both.  Another address: make demo HOST=127.0.0.1:8106 (or HOST=0.0.0.0:8000).
demo: install
	$(BIN)/bookwarden migrate --noinput
	$(BIN)/bookwarden demo --serve $(HOST)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy bookwarden/core bookwarden/audit bookwarden/patrons bookwarden/jobs bookwarden/portal bookwarden/mail bookwarden/disclosures bookwarden/breach bookwarden/operations bookwarden/enforcement bookwarden/policies bookwarden/training bookwarden/people bookwarden/onboarding bookwarden/devices bookwarden/credentials bookwarden/software bookwarden/vendors bookwarden/backups bookwarden/api bookwarden/compliance bookwarden/sso bookwarden/reports bench
	$(BIN)/bookwarden makemigrations --check --dry-run
	$(BIN)/bookwarden check --fail-level WARNING

# Browser tests drive Debian's Chromium; Playwright never downloads a browser here.
chromium:
	@test -x /usr/bin/chromium || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium: sudo apt-get install chromium"; \
	    exit 1; \
	  fi; }

# The LDAP tests start their own OpenLDAP server (Debian's slapd and ldap-utils) on loopback
# with a directory of their own.  Installing the package must not leave the system's slapd
# running on port 389: a policy-rc.d (when none is there) stops the package from starting
# it, and a slapd service that starts anyway is stopped.
slapd:
	@test -x /usr/sbin/slapd -a -x /usr/bin/ldapadd || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    made_policy=; \
	    if [ ! -e /usr/sbin/policy-rc.d ]; then \
	      printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d; \
	      made_policy=1; \
	    fi; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slapd ldap-utils >/dev/null; \
	    status=$$?; \
	    [ -n "$$made_policy" ] && rm -f /usr/sbin/policy-rc.d; \
	    { systemctl stop slapd || service slapd stop; } >/dev/null 2>&1; \
	    exit $$status; \
	  else \
	    echo "The LDAP tests need OpenLDAP's slapd and ldap-utils: sudo apt-get install slapd ldap-utils"; \
	    exit 1; \
	  fi; }

# On SQLite the test databases are made from the models (--no-migrations: three seconds less
# per worker); the migrations themselves run in a test of a fresh install and on PostgreSQL.
test: install-dev lint chromium slapd
	$(BIN)/pytest -n 2 --dist worksteal --no-migrations $(PYTEST_ARGS)

bench: install-dev
	$(BIN)/python bench/audit.py $(BENCH_ARGS)
	$(BIN)/python bench/audit_writers.py
	$(BIN)/python bench/patrons.py $(BENCH_ARGS)
	$(BIN)/python bench/retention_proof.py
	$(BIN)/python bench/dashboard.py

# The import's peak memory at 100,000 and 1,000,000 rows, and its rate against a raw insert
# (docs/scale.md); several minutes, so not part of `make bench`.
bench-import: install-dev
	$(BIN)/python bench/import_memory.py $(BENCH_ARGS)

# The pages staff use all day, then the breach listing and the library scoping
# (bench/scale_jobs.py), timed on the consortium-scale data set (docs/scale.md).
# DATABASE_URL names a PostgreSQL database of its own, whose name says bench or scale;
# the set is built there the first time (SCALE_FACTOR=1 is the full consortium) and
# reused after.  Drop the database when done.
SCALE_FACTOR ?= 0.01
bench-scale: install-dev
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to a PostgreSQL database of its own, e.g. postgres://postgres@127.0.0.1:5432/bookwarden_scale_bench"; exit 1; }
	$(BIN)/python bench/scale_pages.py --factor $(SCALE_FACTOR) $(BENCH_ARGS)
	$(BIN)/python bench/scale_jobs.py --factor $(SCALE_FACTOR) $(BENCH_ARGS)

# The same pages under load (docs/scale.md, "Under load"): the scale set served by
# `bookwarden serve` (gunicorn, production mode) on loopback, 50 clients for 60 seconds;
# each page's 95th percentile against the health check's.  Same DATABASE_URL as
# bench-scale (the set is reused); BENCH_ARGS="--workers 3 --strict" for example.
bench-load: install-dev
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to a PostgreSQL database of its own, e.g. postgres://postgres@127.0.0.1:5432/bookwarden_scale_bench"; exit 1; }
	$(BIN)/python bench/load.py --factor $(SCALE_FACTOR) $(BENCH_ARGS)

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
