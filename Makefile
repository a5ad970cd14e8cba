# `make run` and `make test` set up everything they need on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint audit bench demo migrate clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.dev-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(BIN)/openindustry migrate
	$(BIN)/openindustry demo
	$(BIN)/openindustry serve --host 127.0.0.1 --port 8000

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy src
	$(BIN)/lint-imports

# One pytest worker per core, at most four: each worker has its own databases and live server, and
# more would crowd PostgreSQL's connection limit.
TEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ $$n -gt 4 ] && n=4; echo $$n)

test: lint
	$(BIN)/pytest -n $(TEST_WORKERS)

# Known vulnerabilities in the installed dependencies (fails on one; says so when offline).
audit: $(VENV)/.dev-installed
	$(BIN)/python .ci/pip_audit.py

# Needs PostgreSQL on 127.0.0.1:5432 (started here if this machine has a cluster) and wrk, the
# load generator (installed from Debian's packages when missing).
bench: $(VENV)/.dev-installed
	@command -v wrk >/dev/null 2>&1 || { export DEBIAN_FRONTEND=noninteractive; \
		apt-get install -y -qq --no-install-recommends wrk >/dev/null 2>&1 || \
		{ apt-get update -qq && apt-get install -y -qq --no-install-recommends wrk >/dev/null; }; }
	@pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null || { \
		pg_ctlcluster --skip-systemctl-redirect "$$(ls /etc/postgresql)" main start && \
		for _ in $$(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done; }
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) data test-artifacts .pytest_cache .mypy_cache .ruff_cache
