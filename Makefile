# Everything the project needs is installed from here (CI calls `make test` through .ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install demo test lint browser spamassassin openssl node-mjml caniemail bench bench-compilers \
	bench-import bench-export bench-check bench-online bench-desk bench-ab screenshots golden fuzz mutate \
	mutate-continue clean

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

## make spamassassin: Debian's SpamAssassin (its rules included) for the spam check and its tests
spamassassin:
	@command -v spamassassin >/dev/null || { \
	  echo "installing Debian's spamassassin (needed by the spam check's tests)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq spamassassin >/dev/null; }

## make caniemail: refresh the Can I email snapshot (newsletter/checks/data/caniemail.json) from the
## npm package caniemail with `npm pack` (the data only, no dependencies); never done at run time
caniemail: install
	@command -v npm >/dev/null || { echo "make caniemail needs npm (Debian: apt-get install npm)"; exit 1; }
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && npm pack --silent --no-audit --no-fund caniemail@latest >/dev/null && \
	   tar -xzf caniemail-*.tgz) && \
	  $(BIN)/python scripts/make_caniemail.py --package "$$tmp/package"

## make openssl: Debian's openssl, which makes the certificate of the SMTP TLS tests
openssl:
	@command -v openssl >/dev/null || { \
	  echo "installing Debian's openssl (needed by the SMTP TLS tests)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null; }

## The test suite runs in parallel (pytest-xdist), one worker per core; each test file stays in one
## worker (--dist loadfile), so a module's fixtures are made once. `make test TEST_WORKERS=0` runs
## it in one process.
TEST_WORKERS ?= auto

## make test: lint + the whole test suite (browser, TLS, SpamAssassin and node mjml validation
## included: they fail, not skip). PYTHONDONTWRITEBYTECODE is emptied for the run: with it set
## (as on some CI machines), every worker rewrote every test module's asserts and every
## `python -m newsletter` the tests start compiled the package again (collection: 8.6 s -> 3.2 s)
test: install browser openssl spamassassin node-mjml
	$(BIN)/ruff check .
	PYTHONDONTWRITEBYTECODE= \
	NEWSLETTER_REQUIRE_BROWSER=1 NEWSLETTER_REQUIRE_OPENSSL=1 NEWSLETTER_REQUIRE_SPAMASSASSIN=1 \
	  $(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile

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

## make bench-ab BEFORE=<commit>: whole builds of an earlier commit and of this checkout, run
## alternately on copies of the same archives (nothing changed, after an edit, no cache, 100,000)
BEFORE ?= HEAD~1
bench-ab: install
	$(BIN)/python benchmarks/bench_ab.py --before $(BEFORE)

## make bench-check: milliseconds per check group on the sample issue and on 60 and 90 cards
bench-check: install
	$(BIN)/python benchmarks/bench_check.py

## make bench-online: `check --online` on an email of 100 links against a local server
bench-online: install
	$(BIN)/python benchmarks/bench_online.py

## make bench-desk: the desk's edit latency (a click to the updated email in chromium), 60 cards
## of a 20,000-summary archive
bench-desk: install browser
	$(BIN)/python benchmarks/bench_desk.py

## make screenshots: docs/*.png of the sample issue and of the desk in headless chromium
screenshots: install browser
	$(BIN)/python scripts/screenshots.py
	$(BIN)/python scripts/desk_screenshots.py

## make golden: regenerate tests/golden/*/expected after an intended (and committed) template
## change; refuses a work tree with uncommitted changes and prints the diff of what it rewrote
golden: install
	$(BIN)/python scripts/regen_golden.py

## make fuzz: the property test over 10,000 generated workspaces (two processes) and the fault
## injection at every single write step; prints the counts (examples, crashes, injections, ...)
fuzz: install
	$(BIN)/python scripts/fuzz.py --examples 10000 --processes 2

## make mutate: mutation testing (mutmut, configured in pyproject.toml) of the functions that
## carry the README's promises; prints the results table of docs/mutation.md. Long (see there):
## not part of make test. Results stay in mutants/ (`mutmut show NAME` shows one mutant).
MUTATE_SCOPE := newsletter.storage.output.* newsletter.limits.* newsletter.checks.rules.size.* \
	newsletter.checks.rules.disclaimer.* newsletter.issue.select.* newsletter.issue.classify.* \
	newsletter.build.* newsletter.issue.plan.* newsletter.render.placeholders.* \
	newsletter.checks.rules.compliance.* newsletter.exporting.services.base.x_fill__* \
	newsletter.render.context.* newsletter.render.text.* newsletter.render.html.*
mutate: install
	rm -rf mutants
	PYTHONDONTWRITEBYTECODE= $(BIN)/mutmut run --max-children 2 $(foreach s,$(MUTATE_SCOPE),"$(s)")
	$(BIN)/python scripts/mutation_table.py $(foreach s,$(MUTATE_SCOPE),"$(s)")

## make mutate-continue: go on with a stopped `make mutate` (mutants/ kept): runs only the
## mutants of the scope that have no result yet, then prints the table. (Naming mutmut a pattern
## would run every mutant it matches again, finished or not.)
mutate-continue: install
	@test -d mutants || { echo "no mutants/ folder: run make mutate first" >&2; exit 2; }
	$(BIN)/python scripts/mutation_table.py --not-run $(foreach s,$(MUTATE_SCOPE),"$(s)") > mutants/not-run.txt
	@echo "$$(grep -c . mutants/not-run.txt || true) mutants not run yet"
	if [ -s mutants/not-run.txt ]; then PYTHONDONTWRITEBYTECODE= $(BIN)/mutmut run --max-children 2 $$(cat mutants/not-run.txt); fi
	$(BIN)/python scripts/mutation_table.py $(foreach s,$(MUTATE_SCOPE),"$(s)")

clean:
	rm -rf $(VENV) output .pytest_cache .ruff_cache
