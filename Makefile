# One target per job. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-latest check lint typecheck pytest fuzz schema bench bench-full bench-wrk \
	install install-test assets clients lock lock-upgrade clean

# The lock: exactly what `make run` and `make test` install, every release pinned with the
# hashes of all its files (so one lock serves every platform PyPI has wheels for).
# pyproject.toml keeps the ranges the package supports; `make lock` writes these from it.
RUN_LOCK := requirements/run.txt
TEST_LOCK := requirements/test.txt
# The installer and the lock tool are pinned too: a new pip can resolve or build differently.
PIP_VERSION := 26.3
PIP_TOOLS_VERSION := 7.6.2

## Serve the API with demo content at http://$(HOST):$(PORT)/graphql
run: install assets
	$(BIN)/threadpress migrate
	$(BIN)/threadpress demo --if-empty
	$(BIN)/threadpress serve --host $(HOST) --port $(PORT)

## Lint, type-check and run every test
test: install-test assets clients check pytest

check: lint typecheck

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

pytest: install-test clients
	$(BIN)/pytest

## A longer fuzzing run than the test suite's, with a fresh seed each time (FUZZ_SEED=N
## repeats one); prints the seed so a failure can be replayed. The execution paths'
## differential test runs as many generated documents through both executors.
FUZZ_CASES ?= 5000
FUZZ_SEED ?= $(shell date +%s)
fuzz: install-test
	@echo "fuzzing with THREADPRESS_FUZZ_SEED=$(FUZZ_SEED), $(FUZZ_CASES) cases"
	THREADPRESS_FUZZ_CASES=$(FUZZ_CASES) THREADPRESS_FUZZ_SEED=$(FUZZ_SEED) $(BIN)/pytest \
		tests/test_fuzzing.py tests/test_execution_paths.py

## Regenerate schema.graphql from the code
schema: install
	$(BIN)/threadpress export-schema --output schema.graphql

## Benchmarks (on demand; they print ratios measured side by side; see bench/README.md).
## `make bench`: PostgreSQL, home page, post page and submitComment, under 10 minutes.
## `make bench-full`: every workload, SQLite too, the 10x data set, the importer's memory.
## BENCH_ARGS passes options through, e.g. BENCH_ARGS="--posts 400 --duration 3".
BENCH_ARGS ?=
bench: install-test bench-wrk
	$(BIN)/python -m bench.run $(BENCH_ARGS)

bench-full: install-test bench-wrk
	$(BIN)/python -m bench.run --full $(BENCH_ARGS)
	$(BIN)/python bench/import_memory.py

# wrk from Debian when it is missing; without it bench.run says so and stops.
bench-wrk:
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk >/dev/null 2>&1 \
		|| (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q wrk >/dev/null 2>&1) \
		|| echo "wrk could not be installed (apt-get install -y wrk)."

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)

# Reinstall only when the lock (or the package's own metadata) changes. --require-hashes:
# every file pip installs must be one the lock names; then the package itself, without
# resolving anything more (--no-deps) and built with the locked setuptools.
$(VENV)/.installed: $(RUN_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(RUN_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

$(VENV)/.installed-test: $(TEST_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(TEST_LOCK)
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Rewrite the lock from pyproject.toml's ranges: new or changed requirements are resolved,
## every other pin is kept, so the same inputs give the same files (run it after merging a
## branch that changed dependencies; on a conflict in requirements/, take either side and
## run it again). The whole test set is resolved first; the runtime lock is its subset, at
## the same versions. Resolved from PyPI alone: this machine's pip configuration (local
## indexes, find-links, constraints) is ignored so the lock is what a user's machine gets.
LOCK_VENV := .venv-lock
PIP_COMPILE := env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT \
	PIP_CONFIG_FILE=/dev/null CUSTOM_COMPILE_COMMAND="make lock" \
	$(LOCK_VENV)/bin/pip-compile --quiet --no-config --generate-hashes --allow-unsafe \
	--strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
	--build-deps-for editable
lock: $(LOCK_VENV)/.installed
	$(PIP_COMPILE) --extra test -o $(TEST_LOCK) pyproject.toml
	$(PIP_COMPILE) --upgrade -c $(TEST_LOCK) -o $(RUN_LOCK) pyproject.toml

## The deliberate upgrade: the newest releases pyproject.toml allows, into the lock.
lock-upgrade: $(LOCK_VENV)/.installed
	$(PIP_COMPILE) --upgrade --extra test -o $(TEST_LOCK) pyproject.toml
	$(PIP_COMPILE) --upgrade -c $(TEST_LOCK) -o $(RUN_LOCK) pyproject.toml

$(LOCK_VENV)/.installed: Makefile
	$(PYTHON) -m venv $(LOCK_VENV)
	env -u PIP_FIND_LINKS -u PIP_EXTRA_INDEX_URL -u PIP_CONSTRAINT PIP_CONFIG_FILE=/dev/null \
		$(LOCK_VENV)/bin/python -m pip install --quiet pip==$(PIP_VERSION) \
		pip-tools==$(PIP_TOOLS_VERSION)
	touch $@

## The suite against the newest releases pyproject.toml allows, in a venv of its own
## (.venv-latest), without touching the lock: does an upgrade pass before `make lock-upgrade`?
## PYTEST_ARGS narrows it, e.g. PYTEST_ARGS="tests/test_read_post_page.py".
VENV_LATEST := .venv-latest
PYTEST_ARGS ?=
test-latest: assets
	test -x $(VENV_LATEST)/bin/python || $(PYTHON) -m venv $(VENV_LATEST)
	$(VENV_LATEST)/bin/python -m pip install --quiet pip==$(PIP_VERSION)
	$(VENV_LATEST)/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager -e '.[test]'
	@$(VENV_LATEST)/bin/python -m pip list --format=freeze --exclude-editable
	$(VENV_LATEST)/bin/mypy
	$(VENV_LATEST)/bin/pytest $(PYTEST_ARGS)

## GraphiQL's assets, from npm with the committed lockfile. Without npm the server still
## starts and serves a minimal query page instead (and says so in its log).
assets:
	@if command -v npm >/dev/null 2>&1; then \
		if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then \
			npm ci --no-audit --no-fund --loglevel=error && touch node_modules; \
		fi; \
	else \
		echo "npm not found: GraphiQL will fall back to a minimal page (install Node.js for the full playground)."; \
	fi

## The Python GraphQL client the client suite runs (tests/test_graphql_clients.py): `gql`, in
## a virtualenv of its own, from a requirements file pinned with hashes. Never in .venv: its
## import name is our own package's.
CLIENTS_VENV := tests/clients/python/.venv
clients: $(CLIENTS_VENV)/.installed

$(CLIENTS_VENV)/.installed: tests/clients/python/requirements.txt
	$(PYTHON) -m venv $(CLIENTS_VENV)
	$(CLIENTS_VENV)/bin/python -m pip install --quiet --require-hashes -r $<
	touch $@

clean:
	rm -rf $(VENV) $(VENV_LATEST) $(LOCK_VENV) $(CLIENTS_VENV) node_modules .mypy_cache .ruff_cache \
		.pytest_cache
