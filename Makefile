# Everything the project needs is installed from here (CI calls `make test` through .ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint browser node-mjml bench bench-compilers bench-import bench-export bench-check screenshots golden clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@# PyPI `mjml` (the pure-Python port used before) and `mjml-python` both install a module
	@# named mjml: an older venv loses the old one (and premailer) before the new one goes in
	$(BIN)/python -m pip uninstall --quiet --disable-pip-version-check -y mjml premailer
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make demo: install, then build the sample issue and say where the files are
demo: install
	$(BIN)/newsletter build 2026-05

## make browser: Debian's chromium for the browser tests and screenshots (never a downloaded browser)
browser:
	@test -x /usr/bin/chromium || { \
	  echo "installing Debian's chromium (needed by the browser tests)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## make node-mjml: the reference compiler, node `mjml` 5, from the npm registry into
## benchmarks/.node/ (the tests validate email.mjml with it; the benchmark compares against it).
## Without npm nothing is installed and those tests skip, except under CI=true, where they fail.
NODE_MJML := benchmarks/.node/node_modules/.bin/mjml
node-mjml:
	@if command -v npm >/dev/null && [ ! -x $(NODE_MJML) ]; then \
	  echo "installing node mjml 5 into benchmarks/.node (validates email.mjml in the tests)"; \
	  npm install --silent --no-audit --no-fund --prefix benchmarks/.node mjml@5 >/dev/null; fi

## make test: lint + the whole test suite (browser tests and node mjml validation included)
test: install browser node-mjml
	$(BIN)/ruff check .
	NEWSLETTER_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q

lint: install
	$(BIN)/ruff check .

## make bench: the performance table (not part of make test); the reference node mjml CLI is
## installed from the npm registry into benchmarks/.node/ when npm is there
bench: install node-mjml
	$(BIN)/python benchmarks/bench.py

## make bench-compilers: the MJML compiler and CSS inliner candidates side by side (import, first
## and steady call, bytes, rendering equality in Chromium); each compiler in its own venv under
## benchmarks/.work/, installed from PyPI on the first run
bench-compilers: install browser
	$(BIN)/python benchmarks/bench_compilers.py

## make bench-import / bench-export: records per second of a 10,000-record JSONL import; the
## time of each exporter
bench-import: install
	$(BIN)/python benchmarks/bench_import.py

bench-export: install
	$(BIN)/python benchmarks/bench_export.py

## make bench-check: milliseconds per check group on the sample issue and on 60 and 90 cards
bench-check: install
	$(BIN)/python benchmarks/bench_check.py

## make screenshots: docs/*.png of the sample issue in headless chromium
screenshots: install browser
	$(BIN)/python scripts/screenshots.py

## make golden: regenerate tests/golden/*/expected after an intended template change
golden: install
	$(BIN)/python scripts/regen_golden.py

clean:
	rm -rf $(VENV) output .pytest_cache .ruff_cache
