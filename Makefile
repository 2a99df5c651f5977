# Two commands a newcomer needs: `make run` and `make test`. Everything else is for developers.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1:8000

.PHONY: install run serve migrate demo test test-fast lint format bench load cluster-test clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

# Creates the virtualenv, installs, migrates, loads the demo data and serves on SQLite, with the
# background-job worker beside the server; Ctrl-C stops both.
run: demo
	$(BIN)/python manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	DEBUG=1 $(BIN)/python manage.py runserver $(HOST)

# The whole suite; DATABASE_URL=postgres://… runs it against PostgreSQL.
test: install
	mkdir -p var
	$(BIN)/pytest --create-db -n 2

test-fast: install
	$(BIN)/pytest -m "not browser" -x

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# Benchmarks on SQLite and a throwaway PostgreSQL (as the postgres user), against SQL floors;
# writes bench/results.md. The generated data is cached under var/bench/. Not run in CI.
SCALE ?= 40000
bench: install
	$(BIN)/python bench/run.py --scale $(SCALE)

# Load test: gunicorn on 127.0.0.1 driven by locust (headless, bounded); appends to results.md.
LOAD_SCALE ?= 2000
load: install
	$(BIN)/python bench/load.py --scale $(LOAD_SCALE)

# Two gunicorn nodes sharing a throwaway PostgreSQL and Debian's redis-server: sessions, edits and
# answers survive a node killed mid-run; writes its summary to bench/results.md.
cluster-test: install
	$(BIN)/python bench/cluster.py

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var staticfiles
