# docgen: `make packages` builds the seed meeting, `make test` runs the tests.
# Both set up everything first (system packages when run as root, then .venv).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
EARK   := $(VENV)/eark/.installed
MEETING ?= decisions/2026-03-26-direktionen.yaml

.PHONY: packages test test-long check system venv browser-test-deps templates preview docs-images bench clean

packages: system venv
	$(BIN)/docgen build $(MEETING)

# The type check first (seconds), then the suite on both cores, with few hypothesis examples and without the
# heavy variants of fault tests (marker heavy: make test-long runs them, and CI runs both).
test: system venv browser-test-deps
	$(BIN)/mypy
	$(BIN)/pytest -n 2 --dist worksteal -m "not heavy"

# The property tests with 10 000 examples each (a fiftieth through LibreOffice) the send log damaged 10 000 ways, and the kill
# test with 50 rounds of SIGKILL at random moments: about 20 minutes on two free cores.
test-long: system venv
	DOCGEN_HYPOTHESIS_PROFILE=long DOCGEN_KILL_ROUNDS=50 DOCGEN_LOG_FUZZ_EXAMPLES=10000 $(BIN)/pytest -n 2 --dist worksteal -m "hypothesis or long or heavy"

check: venv
	$(BIN)/ruff check docgen tests scripts
	$(BIN)/mypy
	$(BIN)/docgen check $(MEETING)

system:
	@scripts/ensure-system.sh

venv: $(STAMP) $(EARK)

# The E-ARK validator in an environment of its own inside .venv: it pins lxml 5.1.0, docgen another.
$(EARK): requirements-eark.txt | $(STAMP)
	$(PYTHON) -m venv --without-pip $(VENV)/eark
	$(BIN)/pip --python $(VENV)/eark/bin/python install --quiet --disable-pip-version-check -r requirements-eark.txt
	touch $@

# axe-core for the review page's accessibility test, pinned in package-lock.json (chromium: ensure-system.sh).
browser-test-deps: node_modules/axe-core/axe.min.js

node_modules/axe-core/axe.min.js: package.json package-lock.json | system
	npm ci --no-audit --no-fund --silent
	touch $@

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# Regenerate the shipped Word templates (docgen/templates/) from scripts/make_templates.py;
# a test fails while the committed files and the script disagree.
templates: venv
	$(BIN)/python scripts/make_templates.py

# Speed against LibreOffice's own (see scripts/bench.py); figures from one run.
bench: system venv
	$(BIN)/python scripts/bench.py

# First page of every document as PNG in out/forhandsvisning/ (pdftoppm).
preview: packages
	$(BIN)/python scripts/preview.py

# The pictures README shows, one per document type.
docs-images: packages
	$(BIN)/python scripts/preview.py --docs

clean:
	rm -rf out .pytest_cache .ruff_cache
