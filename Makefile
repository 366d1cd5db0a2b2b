# Every target bootstraps .venv from pyproject.toml on first use (and again when pyproject changes).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed

.PHONY: demo test test-postgres lint docs bench fmt clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $(BENCH_STAMP)

demo: $(STAMP)
	$(BIN)/ccms demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

# The PostgreSQL store's tests on a throw-away local cluster (started if needed; stop it with
# scripts/postgres.sh stop). `make test` runs them too when CCMS_POSTGRES_URL is set.
test-postgres: $(STAMP)
	CCMS_POSTGRES_URL="$$(./scripts/postgres.sh start)" CCMS_REQUIRE_POSTGRES=1 \
		$(BIN)/python -m pytest -q tests/store/test_store_postgres.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench examples
	$(BIN)/mypy --strict src
	$(BIN)/lint-imports

# The documentation site (mkdocs.yml) into ./site; strict: a broken link, reference or docstring fails.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --site-dir site

bench: $(BENCH_STAMP)
	$(BIN)/python bench/run.py

fmt: $(STAMP)
	$(BIN)/ruff format src tests bench examples
	$(BIN)/ruff check --fix src tests bench examples

clean:
	rm -rf $(VENV) ccms-demo.db ccms-demo-report.md ccms-demo-report.html site
