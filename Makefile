# Verbatim: install, run and test. See README.md.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test index lint bench

install: $(STAMP)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch is pinned and installed first: on these machines 2.13.0 resolves to a local CPU wheel,
# while an unpinned torch (pulled in by sentence-transformers) would fetch a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

index: install
	$(BIN)/verbatim index

run: install
	$(BIN)/verbatim index
	$(BIN)/verbatim ask "What is CAR-T cell therapy?"

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check ingest index server tests bench
