# Verbatim: install, run and test. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test index lint browser

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is pinned and installed first: on these machines 2.13.0 resolves to a local CPU wheel,
# while an unpinned torch (pulled in by sentence-transformers) would fetch a multi-GB CUDA build.
# Ray (the ray extra, for `verbatim index --ray`) is installed too, so that its test runs on a real cluster.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,ray]'
	touch $(STAMP)

index: install
	$(BIN)/verbatim index

# The index is brought up to date first (a no-op, without loading the model, when nothing changed).
run: install
	$(BIN)/verbatim index
	$(BIN)/verbatim serve --host 127.0.0.1 --port 8000

# Browser tests drive Debian's Chromium; install it when missing (no browser is ever downloaded by a test tool).
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

test: install browser
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check ingest index server tests bench
