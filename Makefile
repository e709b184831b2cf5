# make run: the app with demo data on SQLite at http://127.0.0.1:5000 · make test: ruff, bandit and the whole suite
# make test-postgres: the whole suite again on PostgreSQL (TEST_POSTGRES_URL, default 127.0.0.1:5432)
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# bandit at medium severity and up over everything but tests/ and third-party code (see [tool.bandit])
BANDIT = $(BIN)/bandit -c pyproject.toml -r . -ll -q
export FLASK_APP := app.py

.PHONY: run test test-postgres lint install install-dev seed vendor bench bench-quick

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
	$(BANDIT)

test: install-dev
	$(BIN)/ruff check .
	$(BANDIT)
	$(BIN)/python -m pytest

test-postgres: install-dev
	TEST_DATABASE=postgresql $(BIN)/python -m pytest

vendor:
	npm ci && npm run vendor

# Every benchmark of a goal (tally, vote, pages, live, room, crash, load; vote, pages, live, crash and load on SQLite
# and PostgreSQL), a JSON each in benchmarks/results/ and MET / NOT MET for every goal: 17 to 22 minutes on 2 cores,
# see docs/benchmarks.md. bench-quick: the small smoke run of each (crash and load on SQLite only), under 2 minutes.
bench: install-dev
	$(BIN)/python -m benchmarks all

bench-quick: install-dev
	$(BIN)/python -m benchmarks all --quick
