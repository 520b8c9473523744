# Two commands for a new machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
# One pytest-xdist worker per core; PYTEST_ARGS= runs the suite in one process.
PYTEST_ARGS ?= -n auto --dist worksteal

.PHONY: install run test test-sqlite test-postgresql bench clean

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Web, worker and scheduler in one process, SQLite in instance/, dev certificates.
run: install
	$(PY) app.py $(ARGS)

# SQLite always; PostgreSQL too when WALLET_TEST_DATABASE_URL is set.
test: install
	$(VENV)/bin/ruff check --quiet .
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgresql: install
	WALLET_TEST_DATABASE_URL=$(PG_TEST_URL) $(PY) -m pytest $(PYTEST_ARGS)

bench: install
	$(PY) bench/bundle_signing.py

clean:
	rm -rf $(VENV) .pytest_cache
