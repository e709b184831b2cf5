# make run: the app with demo data on SQLite at http://127.0.0.1:5000 · make test: ruff, bandit and the whole suite,
# in parallel (pytest-xdist, TEST_WORKERS processes) · make test-postgres: on PostgreSQL (TEST_POSTGRES_URL, default
# 127.0.0.1:5432) the tests that get their database from TEST_DATABASE (marker `database`), browser tests excepted
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# bandit at medium severity and up over everything but tests/ and third-party code (see [tool.bandit])
BANDIT = $(BIN)/bandit -c pyproject.toml -r . -ll -q
export FLASK_APP := app.py
# more workers than the 2 cores of CI: browser and server tests spend much of their time waiting
TEST_WORKERS ?= 3
# --dist load hands tests out in collection order, so each worker runs its browser tests back to back (see
# docs/architecture.md, "In parallel"); loadscope and loadfile reorder modules and break that
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist load

.PHONY: run test test-postgres lint install install-dev seed vendor bench bench-quick lock screenshots

# a current pip: the hash-checking install of weasyprint's fonttools[woff] needs pip >= 23.3 (Debian 12's venv has 23.0)
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
	$(BIN)/python -m pytest $(PYTEST_PARALLEL)

test-postgres: install-dev
	TEST_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "database and not e2e and not sqlite_only"

vendor:
	npm ci && npm run vendor

# make screenshots: the baselines of tests/screens again (tests/screens/baselines/<screen>-<width>-<lang>.webp), to
# commit with a deliberate change of look. SCREENSHOT_OUT=<dir> writes every screenshot there instead (baselines
# neither written nor compared), e.g. a before and an after set of a change. In one process: each worker would seed
# the screens' app again, which costs more than the four tests share out.
screenshots: install-dev
	UPDATE_SCREENSHOTS=1 $(BIN)/python -m pytest tests/screens -k baseline

# make lock: requirements*.txt again from requirements*.in (every pin hashed; a pin moves only if its range excludes it)
lock: install-dev
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-find-links --no-emit-index-url --output-file requirements.txt requirements.in
	CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
		--no-emit-find-links --no-emit-index-url --output-file requirements-dev.txt requirements-dev.in

# Every benchmark of a goal (tally, vote, pages, live, room, crash, load; vote, pages, live, crash and load on SQLite
# and PostgreSQL), a JSON each in benchmarks/results/ and MET / NOT MET for every goal: 17 to 22 minutes on 2 cores,
# see docs/benchmarks.md. bench-quick: the small smoke run of each (crash and load on SQLite only), under 2 minutes.
bench: install-dev
	$(BIN)/python -m benchmarks all

bench-quick: install-dev
	$(BIN)/python -m benchmarks all --quick
