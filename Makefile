# The exact commands CI runs (.ci/run calls `make test`); a developer runs the same.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STORE ?= keizer.duckdb
PYTEST_ARGS ?=
PORT ?= 8000

.PHONY: demo test lint typecheck unit install clean

$(BIN)/keizer: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/keizer

install: $(BIN)/keizer  ## Create the virtualenv and install keizer with its dev tools.

demo: install  ## Run the product on its embedded default: a demo organisation in a DuckDB file.
	$(BIN)/keizer demo --database-url $(STORE)
	$(BIN)/keizer text enrich --database-url $(STORE)
	$(BIN)/keizer db info --database-url $(STORE)
	$(BIN)/keizer serve --database-url $(STORE) --demo-logins --port $(PORT)

lint: install
	$(BIN)/ruff check src tests $(wildcard benchmarks)
	$(BIN)/ruff format --check src tests $(wildcard benchmarks)
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint typecheck unit  ## Everything CI checks: lint, types, layering, the whole test suite.

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
