# pauvrete — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000

.PHONY: install run dev demo serve backup test lint pytest captures test-approfondi fixtures bench

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

## make run: install, migrate, load the five documents, create the demo accounts, serve the
## application as its users see it: DEBUG off (French 404/403/500 pages, no debug page), on this
## machine only (LOCAL=1: development key, loopback host names, plain http, static files served
## by whitenoise from static/, e-mails on the console).
## make dev: the same with DEBUG on (Django's debug page, its URL list), for development.
RUN_ENV := LOCAL=1 DEBUG=0
DEV_ENV := DEBUG=1

run: ENV := $(RUN_ENV)
run: demo
	$(ENV) $(PY) manage.py runserver $(HOST)

dev: ENV := $(DEV_ENV)
dev: demo
	$(ENV) $(PY) manage.py runserver $(HOST)

demo: install
	$(ENV) $(PY) manage.py migrate --noinput
	$(ENV) $(PY) manage.py loaddata fixtures/*.json
	$(ENV) $(PY) manage.py historiser
	$(ENV) $(PY) manage.py creer_comptes_demo

## make serve: production-like server (gunicorn, whitenoise for static files, DEBUG off).
## Needs SECRET_KEY and ALLOWED_HOSTS; DATABASE_URL for PostgreSQL; HTTPS=0 for plain http here.
## Everything it logs goes to standard output: gunicorn's access lines (each with its request id,
## req=…) and the application's (LOG_LEVEL, LOG_FORMAT=json; README « Journal et erreurs »).
serve: install
	DEBUG=0 $(PY) manage.py check --deploy
	DEBUG=0 $(PY) manage.py collectstatic --noinput -v0
	DEBUG=0 $(PY) manage.py migrate --noinput
	DEBUG=0 $(VENV)/bin/gunicorn pauvrete.wsgi --bind $(HOST) --workers 3 --threads 4 --keep-alive 10 --access-logfile - \
		--access-logformat '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" req=%({x-request-id}o)s'

## make backup: a dated, natural-key dump of the data in sauvegardes/ (restore with loaddata).
backup: install
	mkdir -p sauvegardes
	$(PY) manage.py sauvegarder sauvegardes

## make test: lint, check migrations and fixtures, run every test.
test: install lint pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m fixtures.generer --check

## make pytest: every test, across every core (pytest-xdist), the 25 slowest printed at the end.
## PYTEST_OPTS adds options (the CI's PostgreSQL pass: --avec-base-seulement --create-db).
PYTEST_OPTS ?=
pytest: install
	$(VENV)/bin/pytest -n auto --durations=25 $(PYTEST_OPTS)

## make captures: the end-to-end tests, writing the README's screenshots into docs/captures/.
captures: install
	PAUVRETE_CAPTURES=docs/captures $(VENV)/bin/pytest tests/e2e

## make test-approfondi: the property tests (hypothesis) with ten times their examples.
test-approfondi: install
	HYPOTHESIS_PROFILE=approfondi $(VENV)/bin/pytest -n auto -m hypothesis --durations=10

## make fixtures: rewrite fixtures/*.json from their transcriptions in fixtures/sources/.
fixtures: install
	$(PY) -m fixtures.generer

## make bench: the national-scale benchmark in a throw-away database; writes docs/performance.md.
## `$(PY) -m outils.banc --rapide` runs it at a small size (CI does, through the tests).
bench: install
	$(PY) -m outils.banc
