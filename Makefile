# Two commands for a newcomer: `make run` and `make test`. Everything else is
# what those two need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-fast lint bench sweep messages clean lock browser-deps

# The exact versions in requirements.lock (with their hashes), then the project
# itself without resolving anything again.
$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -r requirements.lock
	$(VENV)/bin/pip install -q --no-deps -e .
	touch $@

# Refresh requirements.lock from pyproject.toml (the runtime and the dev extra)
# after changing a dependency; `make lock LOCK_ARGS=--upgrade` moves every pin
# to the newest release its range allows. Commit the lock with pyproject.toml.
lock: $(VENV)/bin/uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
		--generate-hashes --quiet $(LOCK_ARGS) -o requirements.lock

$(VENV)/bin/uv:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q 'uv>=0.13'

setup: $(VENV)/.installed

# The hashed, gzipped static files every mode serves (deliberation/staticfiles.py),
# collected again when a file under static/ or an installed package changes.
staticfiles/staticfiles.json: $(VENV)/.installed $(shell find static -type f)
	$(PY) manage.py collectstatic --noinput --clear -v 0

# The demo runs in development mode (DEBUG=1): a generated secret key, the
# app serving its own static files as in production. Production settings:
# README and docs/deploy.md.
run: export DEBUG ?= 1
run: setup staticfiles/staticfiles.json
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --base-url http://$(HOST):$(PORT)
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) deliberation.asgi:application

# On every core (at most 8): a test file stays on one worker, so a browser
# test module keeps its one server; files go out in the order tests/conftest.py
# gives them (slow first). `make test TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= auto
test: browser-deps setup lint
	$(PY) -m pytest -n $(TEST_WORKERS) --maxprocesses 8 --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

# Chromium and CJK fonts for the browser tests, and the libraries WeasyPrint
# needs for PDFs: installed when apt-get can run
# without asking, else one line naming the command (.ci/browser-deps).
browser-deps:
	@bash .ci/browser-deps

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --quiet .
	$(VENV)/bin/lint-imports --no-cache

# Unit and consumer tests only, no browser.
test-fast: setup
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

messages: export DEBUG ?= 1
messages: setup
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var staticfiles

# Load benchmark: the app beside a bare websockets broadcast (the floor) on
# this machine. E.g. make bench BENCH_ARGS="--clients 500 --soak 0.5";
# bench/README.md explains the figures and the RESULT line.
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

# The bench at several sizes: a table and a plot (bench/results/sweep.md,
# sweep.png). E.g. make sweep SWEEP_ARGS="--sizes 500,1000,2000 -- --soak 1"
sweep: setup
	$(PY) bench/sweep.py $(SWEEP_ARGS)
