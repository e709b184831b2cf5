# make run: the app with demo data on SQLite at http://127.0.0.1:5000 · make test: ruff and the whole suite
# make test-postgres: the whole suite again on PostgreSQL (TEST_POSTGRES_URL, default 127.0.0.1:5432)
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
export FLASK_APP := app.py

.PHONY: run test test-postgres lint install install-dev seed vendor bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime-installed $@

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed
	$(BIN)/python app.py

seed: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed

lint: install-dev
	$(BIN)/ruff check .

test: install-dev
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

test-postgres: install-dev
	TEST_DATABASE=postgresql $(BIN)/python -m pytest

vendor:
	npm ci && npm run vendor

# Room fan-out, poll tallies, vote throughput on SQLite and PostgreSQL (a few minutes; see README "Benchmarks").
bench: install-dev
	$(BIN)/python -m benchmarks room
	$(BIN)/python -m benchmarks tally
	$(BIN)/python -m benchmarks vote
