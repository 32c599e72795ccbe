# Two commands for a fresh clone:  `make dashboard`  and  `make test`.
# Both create .venv and install kb into it first (idempotent).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The upstream data: a local mirror if there is one beside the repo, else kb downloads it.
export KB_RAW_DIR ?= $(abspath $(wildcard ../shared/data/gpts-are-gpts))
PORT   ?= 8501
# What `make check` formats and lints; mypy reads its file list from pyproject.toml.
LINTED := kb app dashboard.py tests benchmarks

.PHONY: install dashboard test check golden build bench clean

$(BIN)/kb: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(BIN)/kb

install: $(BIN)/kb

build: install
	$(BIN)/kb build

dashboard: install
	$(BIN)/streamlit run dashboard.py --server.port $(PORT) --server.headless true

# Exit code 5 (no test collected) is a failure here too, as it is for pytest.
test: install
	$(BIN)/python -m pytest -q

# Formatting, lint and static types; all three run even if one fails.
check: install
	@status=0; \
	echo "ruff format --check $(LINTED)"; $(BIN)/ruff format --check $(LINTED) || status=1; \
	echo "ruff check $(LINTED)"; $(BIN)/ruff check $(LINTED) || status=1; \
	echo "mypy (kb, app, dashboard.py)"; $(BIN)/mypy || status=1; \
	exit $$status

# Rewrite tests/golden/ from the current behaviour; review the result with `git diff tests/golden`.
golden: install
	KB_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) data/kb.duckdb data/kb.duckdb.wal .mypy_cache .ruff_cache
