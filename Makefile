# fitlink: `make run` sets up and starts the app; `make test` runs the tests (`make check`:
# lint and the quick tier, while working);
# `make serve` runs it for production (gunicorn + a job consumer, see README).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
FLASK_RUN_HOST ?= 127.0.0.1
FLASK_RUN_PORT ?= 5000
export FLASK_RUN_HOST FLASK_RUN_PORT

.PHONY: run test check lint install install-test migrate serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when pyproject.toml changes, so a second `make run` is fast.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Browser tests drive Debian's Chromium (never `playwright install`: it cannot download here).
install-test: $(VENV)/.installed-test
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)

run: migrate
	$(BIN)/flask run

# Apply the schema migrations the database has not had yet (fast when there are none).
migrate: install
	$(BIN)/flask db upgrade

# Production: migrations, then a Huey consumer and gunicorn (gunicorn.conf.py) on
# PostgreSQL and Redis. Scale with WEB_CONCURRENCY and JOB_WORKERS, or more hosts.
# Refused unless FITLINK_ENV=production (or FITLINK_ALLOW_DEVELOPMENT_SERVE=true): gunicorn.conf.py checks.
JOB_WORKERS ?= 4
serve: install
	@$(BIN)/python gunicorn.conf.py
	@test -n "$$FITLINK_SQLALCHEMY_DATABASE_URI" -a -n "$$FITLINK_REDIS_URL" || \
		{ echo "make serve needs FITLINK_SQLALCHEMY_DATABASE_URI and FITLINK_REDIS_URL (see README)"; exit 2; }
	$(BIN)/flask db upgrade
	$(BIN)/huey_consumer fitlink.worker.huey --workers $(JOB_WORKERS) --worker-type thread & \
	consumer=$$!; trap 'kill $$consumer 2>/dev/null; wait $$consumer' EXIT INT TERM; \
	$(BIN)/gunicorn --config gunicorn.conf.py wsgi:app

# The suite runs on as many pytest-xdist workers as there are cores, at most 2 (each worker
# takes its own PostgreSQL and Redis database, tests/conftest.py); a file's tests stay on one
# worker, so module fixtures (a production stack, a browser's server) start once.
# One process by default: tests/test_rate_limits.py's real 2-second windows assume a test has a
# core to itself; PYTEST_WORKERS=2 runs two xdist workers, each on its own databases.
PYTEST_WORKERS ?= 0
PYTEST := $(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile

test: install-test
	$(PYTEST) $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# While working: lint, then the tests that need no browser and start no process (markers in pyproject.toml).
check: lint
	$(PYTEST) -q -m "not browser and not processes" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
