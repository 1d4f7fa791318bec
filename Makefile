# The one entry point. `make demo` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := PIP_DISABLE_PIP_VERSION_CHECK=1 $(BIN)/python -m pip
PORT   ?= 8501
SHARED ?= ../shared
SRC    := core text hub store local ingest rag threads app tests bench streamlit_app.py

.PHONY: demo ingest-sample test test-fast lint bench eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Installed once per change of pyproject.toml; `local` = the offline embedder (CPU torch).
$(VENV)/.installed-local: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e '.[local]'
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e '.[local,dev]'
	@touch $@ $(VENV)/.installed-local

## demo: install, ingest the sample documents, start the app on http://127.0.0.1:$(PORT)
demo: $(VENV)/.installed-local
	$(BIN)/rag ingest data/sample
	$(BIN)/rag ui --port $(PORT)

ingest-sample: $(VENV)/.installed-local
	$(BIN)/rag ingest data/sample

## test: install what the tests need and run the whole suite, offline
test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

test-fast: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -m "not slow"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check $(SRC)
	$(BIN)/ruff format --check $(SRC)
	$(BIN)/mypy

## bench: speed and memory figures (printed, never asserted)
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/bench_client.py
	$(BIN)/python bench/bench_ingest.py
	$(BIN)/python bench/bench_hub.py --files 1000
	$(BIN)/python bench/bench_peers.py
	$(BIN)/python bench/bench_many.py --files 10000
	$(BIN)/python bench/bench_retrieval.py
	$(BIN)/python bench/bench_ocr.py speed --pages 5
	$(BIN)/python bench/bench_sentences.py

## eval: retrieval quality on the reference sets in ../shared/eval (when present)
eval: $(VENV)/.installed-local
	$(BIN)/rag eval --dataset $(SHARED)/eval/scifact --mode all
	$(BIN)/rag eval --dataset $(SHARED)/eval/xquad-en

clean:
	rm -rf $(VENV) .rag .pytest_cache .mypy_cache .ruff_cache
