# Peerspace. `make run` to try it, `make test` to check it. Needs Python 3.11+.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
KEY_FILE := .field-encryption-key

.PHONY: run install install-dev key test lint format bench clean messages compilemessages

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".[dev]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# A local field-encryption key, made once and never committed.
key: $(KEY_FILE)
$(KEY_FILE): | $(VENV)/bin/python
	@umask 077 && $(PY) -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())" > $(KEY_FILE)
	@echo "Created $(KEY_FILE): keep it safe, and back it up with the database."

# The demo skips two-factor sign-in so the logins work straight away; production
# asks coordinators and safeguarding members for it (TWO_FACTOR_REQUIRED=1 here).
TWO_FACTOR_REQUIRED ?= 0
export TWO_FACTOR_REQUIRED

# Translations (docs/translating.md). `make messages` finds the strings marked
# in the code and updates every language's .po (needs GNU gettext: Debian's
# gettext); `make compilemessages` builds the .mo files from them in Python.
messages: install-dev
	$(PY) manage.py makemessages -d django
	$(PY) manage.py makemessages -d djangojs
	$(MAKE) compilemessages

compilemessages: install
	DEBUG=1 $(PY) manage.py compile_translations

run: install key compilemessages
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py demo --unless-own-data
	@echo "Peerspace is at http://127.0.0.1:$(PORT)/ (two-factor sign-in: $(if $(filter 1,$(TWO_FACTOR_REQUIRED)),on,off for the demo))"
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The suite on every core, then the few tests that must run alone (pytest's
# exit code 5 means none were chosen, as on SQLite). Work stealing: an idle
# worker takes tests queued for a busy one, so a few long browser journeys at
# the end don't leave a core waiting.
TEST_WORKERS ?= auto
# Only the files that hold such tests are read again for the second run.
SERIAL_TESTS = $(shell grep -rl --include='*.py' 'pytest.mark.serial' tests)
test: lint compilemessages
	$(PY) -m pytest -n $(TEST_WORKERS) --dist worksteal -m "not serial" $(PYTEST_ARGS)
	$(PY) -m pytest -m serial $(PYTEST_ARGS) $(SERIAL_TESTS) || [ $$? -eq 5 ]

# Throughput against a bare view under gunicorn: see benchmarks/README.md.
bench: install-dev key
	$(PY) benchmarks/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles test.sqlite3* .pseudo-locale
	find locale -name '*.mo' -delete
