# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench bench-callback bench-floor bench-sweep bench-console bench-audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	$(BIN)/jubao demo

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Issue 15's one table (see README, Performance); makes .bench-venv/ (WeRoBot, gunicorn) once.
bench: $(VENV)/.installed-test
	$(BIN)/python -m bench

bench-callback: $(VENV)/.installed-test
	$(BIN)/python -m bench.callback

bench-floor: $(VENV)/.installed-test
	$(BIN)/python -m bench.callback_floor

bench-sweep: $(VENV)/.installed-test
	$(BIN)/python -m bench.sweep

# The console's pages at 100,000 reports; PostgreSQL too when JUBAO_BENCH_POSTGRES_URL is set.
bench-console: $(VENV)/.installed-test
	$(BIN)/python -m bench.console

# The audit page's chain check against the full check, at 200,000 entries.
bench-audit: $(VENV)/.installed-test
	$(BIN)/python -m bench.audit_chain
