# The two quick-start commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test install install-dev lint format bench

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(PY)
	$(PY) -m pip install --quiet -e .

install-dev: $(PY)
	$(PY) -m pip install --quiet -e '.[dev]'

## SQLite, a Celery worker and beat on the filesystem broker, the API on :8000.
## The entry points (WSGI, ASGI, Celery) default to production settings; this names local ones.
run: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-config.settings.local} \
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-filesystem://} $(PY) manage.py run_local 127.0.0.1:$(PORT)

## The whole suite (uses DATABASE_URL / REDIS_URL when set, SQLite and memory otherwise).
test: install-dev
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install-dev
	$(PY) bench/administrations_list.py
