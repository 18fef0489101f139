# The two commands of the README: `make run` and `make test`. Both set up everything they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test install lint format check-migrations bench bench-load clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-install only when the requirements change.
$(STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

install: $(STAMP)

run: install
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py ensure_admin
	@echo "Serving http://127.0.0.1:$${VIGIL_PORT:-8000}/admin/ with Celery workers (scheduler, polls, digests) and beat; Ctrl-C stops all."
	@# Ctrl-C reaches this shell too: once honcho has stopped everything, end without make's
	@# "*** Interrupt" (stopping is what the user asked for, not an error).
	@trap 'echo "Vigil stopped."; exit 0' INT; \
	  PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-migrations: install
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install
	$(BIN)/python bench/api.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/digests.py
	$(BIN)/python bench/coverage.py
	$(BIN)/python bench/search.py

# Needs PostgreSQL on 127.0.0.1:5432 (user postgres): gunicorn under 20 clients for 60 s.
bench-load: install
	$(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
