# Two commands for a fresh clone:  `make dashboard`  and  `make test`.
# `make dashboard` installs kb with what it needs to run (no test tools), builds the store and
# serves the dashboard; `make test` (and check, golden, bench) installs the dev extra as well.
# Both create .venv first; an install runs again only when pyproject.toml or setup.py changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# The upstream data: a local mirror if there is one beside the repo, else kb downloads it.
export KB_RAW_DIR ?= $(abspath $(wildcard ../shared/data/gpts-are-gpts))
PORT   ?= 8501
# What `make check` formats and lints; mypy reads its file list from pyproject.toml.
LINTED := kb app dashboard.py setup.py tests benchmarks
# Stamps: kb and its runtime dependencies; the same plus the dev extra (tests, lint, types).
RUNTIME := $(VENV)/.installed-runtime
DEV     := $(VENV)/.installed-dev
PIP_LOG := $(VENV)/pip.log

.PHONY: install dashboard test check golden build bench clean

# `pip install $(1)` with one line of progress instead of pip's output, which goes to $(PIP_LOG)
# and is shown only if pip fails. --no-compile: Python compiles the modules it imports on first
# use, instead of pip compiling every file of every package up front (most are never imported).
define pip_install
	@started=$$(date +%s); \
	$(BIN)/python -m pip install --no-compile --progress-bar off $(1) >$(PIP_LOG) 2>&1 & pid=$$!; \
	shown=""; \
	while kill -0 $$pid 2>/dev/null; do \
	  installing=$$(sed -n 's/^Installing collected packages: //p' $(PIP_LOG) | tr ',' '\n' | wc -l); \
	  if [ "$$installing" -gt 0 ]; then \
	    line="installing $$installing packages (the longest step)"; \
	  else \
	    found=$$(grep -E '^(Collecting|Processing) ' $(PIP_LOG)); \
	    line="$$(printf '%s\n' "$$found" | grep -c .) packages found, latest: $$(printf '%s\n' "$$found" | tail -n 1 | cut -d' ' -f2 | sed 's|.*/||')"; \
	  fi; \
	  if [ "$$line" != "$$shown" ]; then printf '\r  %-72.72s' "$$line"; shown=$$line; fi; \
	  sleep 1; \
	done; \
	if wait $$pid; then \
	  printf '\r  %-72s\n' "done in $$(( $$(date +%s) - started )) s"; \
	else \
	  printf '\n'; tail -n 40 $(PIP_LOG); echo "pip failed; its whole output is in $(PIP_LOG)" >&2; \
	  exit 1; \
	fi
endef

$(BIN)/python:
	@echo "Creating the virtual environment $(VENV)"
	@$(PYTHON) -m venv $(VENV)

$(RUNTIME): pyproject.toml setup.py | $(BIN)/python
	@echo "Installing kb and what the dashboard needs (first run only: one to a few minutes)..."
	@# The distribution was called `kb` before; an old editable install of it would shadow this one.
	@$(BIN)/python -m pip uninstall --yes --quiet kb >/dev/null 2>&1 || true
	$(call pip_install,-e .)
	@touch $@

$(DEV): pyproject.toml setup.py | $(BIN)/python
	@echo "Installing kb with its test and lint tools (first run only: a few minutes)..."
	@$(BIN)/python -m pip uninstall --yes --quiet kb >/dev/null 2>&1 || true
	$(call pip_install,-e ".[dev]")
	@touch $@ $(RUNTIME)

install: $(DEV)

build: $(RUNTIME)
	$(BIN)/kb build

# `kb dashboard` builds the store first if it is missing or stale (with progress), then serves
# on 127.0.0.1:$(PORT) with the settings of .streamlit/config.toml.
dashboard: $(RUNTIME)
	@$(BIN)/kb dashboard --port $(PORT)

# Exit code 5 (no test collected) is a failure here too, as it is for pytest.
test: install
	# Two workers (this machine's two cores), each with its own session store; loadgroup keeps
	# tests marked xdist_group on one worker, in file order.
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

# Formatting, lint and static types; all three run even if one fails.
check: install
	@status=0; \
	echo "ruff format --check $(LINTED)"; $(BIN)/ruff format --check $(LINTED) || status=1; \
	echo "ruff check $(LINTED)"; $(BIN)/ruff check $(LINTED) || status=1; \
	echo "mypy (kb, app, dashboard.py, setup.py)"; $(BIN)/mypy || status=1; \
	exit $$status

# Rewrite tests/golden/ from the current behaviour; review the result with `git diff tests/golden`.
golden: install
	KB_UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

bench: install
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) data/kb.duckdb data/kb.duckdb.wal .mypy_cache .ruff_cache build dist *.egg-info
