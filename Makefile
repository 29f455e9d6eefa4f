# One target per job. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check lint typecheck pytest fuzz schema bench bench-full bench-wrk install install-test assets clean

## Serve the API with demo content at http://$(HOST):$(PORT)/graphql
run: install assets
	$(BIN)/threadpress migrate
	$(BIN)/threadpress demo --if-empty
	$(BIN)/threadpress serve --host $(HOST) --port $(PORT)

## Lint, type-check and run every test
test: install-test assets check pytest

check: lint typecheck

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

pytest: install-test
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
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

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

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
