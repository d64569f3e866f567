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

# Two pytest runs, both required to pass: the tests not marked `serial` on PYTEST_WORKERS
# pytest-xdist workers, dealt one by one except that the tests sharing a module fixture (a live
# server, a deployment) go to one worker, which starts it once (tests/conftest.py groups them;
# each worker takes its own PostgreSQL and Redis database); then the `serial` ones (real
# seconds timed) in one process, alone. "No tests collected" (exit 5) fails make when it holds
# for both runs, and for either run of the whole suite (make test with no PYTEST_ARGS); a
# narrower selection may leave one run empty (the dated CI runs name files with no serial test).
# Three workers on this 2-core machine: several tests wait on real seconds (a killed consumer's lease,
# slowed providers, browsers), and the third keeps the cores busy meanwhile (parallel run: 4 min 8 s
# with three, 4 min 50 s with two, back to back, idle).
PYTEST_WORKERS ?= 3
PYTEST_DIST ?= loadgroup
PYTEST := $(BIN)/python -m pytest
define two_runs
	@parallel=0; serial=0; \
	$(PYTEST) -n $(PYTEST_WORKERS) --dist $(PYTEST_DIST) --serial=exclude $(1) $(PYTEST_ARGS) || parallel=$$?; \
	$(PYTEST) -n 0 --serial=only $(1) $(PYTEST_ARGS) || serial=$$?; \
	echo "parallel run: exit $$parallel; serial run: exit $$serial"; \
	for status in $$parallel $$serial; do case $$status in 0|5) ;; *) exit $$status ;; esac; done; \
	if [ $$parallel = 5 ] && [ $$serial = 5 ]; then echo "no tests collected"; exit 5; fi; \
	if [ "$(2)" = whole ] && [ -z "$(strip $(PYTEST_ARGS))" ] && [ $$parallel$$serial != 00 ]; then \
		echo "a run of the whole suite collected no tests"; exit 5; fi
endef

test: install-test
	$(call two_runs,,whole)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# While working: lint, then the plain tier: the tests that need nothing beyond their own
# process, no port, server, child process or browser (markers in pyproject.toml), in the
# same two runs as `make test`.
check: lint
	$(call two_runs,-q -m "not (ports or services or processes or browser)")

clean:
	rm -rf $(VENV) .pytest_cache
