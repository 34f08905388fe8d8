# Two commands for a newcomer: `make run` and `make test`. Everything else is
# what those two need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run test test-fast lint bench messages clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

# The demo runs in development mode (DEBUG=1): a generated secret key, static
# files served by Daphne. Production settings: README and docs/deploy.md.
run: export DEBUG ?= 1
run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --base-url http://$(HOST):$(PORT)
	$(VENV)/bin/daphne -b $(HOST) -p $(PORT) deliberation.asgi:application

test: setup lint
	$(PY) -m pytest $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check --quiet .

# Unit and consumer tests only, no browser.
test-fast: setup
	$(PY) -m pytest -m "not browser" $(PYTEST_ARGS)

messages: export DEBUG ?= 1
messages: setup
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l zh_Hans --ignore=.venv

clean:
	rm -rf $(VENV) var

# Load benchmark: the app beside a bare websockets broadcast (the floor) on
# this machine. E.g. make bench BENCH_ARGS="--clients 500 --soak 0.5";
# bench/README.md explains the figures and the RESULT line.
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)
