# Two commands for a fresh clone:  `make dashboard`  and  `make test`.
# Both create .venv and install kb into it first (idempotent).

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The upstream data: a local mirror if there is one beside the repo, else kb downloads it.
export KB_RAW_DIR ?= $(abspath $(wildcard ../shared/data/gpts-are-gpts))
PORT   ?= 8501

.PHONY: install dashboard test build bench clean

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

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) data/kb.duckdb data/kb.duckdb.wal
