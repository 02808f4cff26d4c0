# The two commands a newcomer needs:
#   make serve   set everything up, render the pages and serve the site on http://127.0.0.1:8000
#   make test    set everything up and run every test (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup serve build render validate test bench clean browser

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

validate: setup
	$(BIN)/poemskb validate

render: setup
	$(BIN)/poemskb render

build: render
	$(BIN)/mkdocs build --strict

serve: render
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

browser:
	bash scripts/ensure-chromium.sh

test: setup browser
	$(BIN)/poemskb validate
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) site docs/generated .pytest_cache
