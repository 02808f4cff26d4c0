# The two commands a newcomer needs:
#   make serve   set everything up, render the pages and serve the site on http://127.0.0.1:8000
#   make test    set everything up and run every test (what CI runs)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Material 9.8 prints a banner about MkDocs 2 on every build; it says nothing about ours.
export NO_MKDOCS_2_WARNING := 1

.PHONY: setup serve build render validate check-tree test bench clean browser zensical

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

validate: setup
	$(BIN)/poemskb validate

check-tree: setup
	$(BIN)/poemskb check-tree

# `poemskb render` first refuses a tree holding any symbolic link, named pipe or device
# (MkDocs would follow a link and publish what it points at), so every target that
# builds the site checks the tree before MkDocs runs.
# RENDER_FLAGS: the deployment passes --require-history (history.py).
render: setup
	$(BIN)/poemskb render $(RENDER_FLAGS)

# The search index (our own, chunked: poemskb/searchindex.py) is written into the built
# site after MkDocs; under `make serve`, hooks/serve_search.py writes it after each build.
build: render
	$(BIN)/mkdocs build --strict
	$(BIN)/poemskb search-index site

serve: render
	$(BIN)/mkdocs serve --dev-addr 127.0.0.1:8000

browser:
	bash scripts/ensure-chromium.sh

# cffconvert validates CITATION.cff in the tests; it pins jsonschema<4, so it lives in
# its own small venv (requirements-cff.txt) beside the project's.
CVENV := .venv-cff
$(CVENV)/.installed: requirements-cff.txt
	$(PYTHON) -m venv $(CVENV)
	$(CVENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-cff.txt
	touch $@

test: setup browser $(CVENV)/.installed
	$(BIN)/poemskb check-tree
	$(BIN)/poemskb validate
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python scripts/bench.py

# Non-blocking check: the same site built with Zensical (Material's successor), in its
# own venv, then crawled for broken links. See docs/site.md for how the builds differ.
ZVENV := .venv-zensical
$(ZVENV)/.installed: requirements-zensical.txt
	$(PYTHON) -m venv $(ZVENV)
	$(ZVENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-zensical.txt
	touch $@

zensical: render $(ZVENV)/.installed
	rm -rf site-zensical
	sed 's/^site_dir: site$$/site_dir: site-zensical/' mkdocs.yml > .mkdocs-zensical.yml
	$(ZVENV)/bin/zensical build --strict -f .mkdocs-zensical.yml; status=$$?; rm -f .mkdocs-zensical.yml; exit $$status
	$(BIN)/poemskb search-index site-zensical
	$(BIN)/python tests/site/check_site.py site-zensical

clean:
	rm -rf $(VENV) $(ZVENV) $(CVENV) site site-zensical docs/generated .pytest_cache
