# Two commands set up a fresh machine and run Mutua: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
# What WeasyPrint needs to render the PDFs (make demo), and the browser of the tests (make test).
PDF_PACKAGES ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
SYSTEM_PACKAGES ?= $(PDF_PACKAGES) chromium
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

FOCUS_VENV ?= .venv-focus
FOCUS_PYTHON ?= $(HOME)/.pyenv/versions/3.12.1/bin/python
FOCUS_STAMP := $(FOCUS_VENV)/.installed-focus-validator-2.2.1

.PHONY: demo test check lint bench system system-pdf focus contracts

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

system:
	bash scripts/setup-system $(SYSTEM_PACKAGES)

system-pdf:
	bash scripts/setup-system $(PDF_PACKAGES)

# The FinOps focus-validator needs Python 3.12: it gets an environment of its own, used by the tests
# through a subprocess. (pyarrow is held below 21: later ones need NumPy 2, which the validator excludes.)
$(FOCUS_STAMP):
	@if [ -x "$(FOCUS_PYTHON)" ]; then \
		$(FOCUS_PYTHON) -m venv $(FOCUS_VENV) && \
		$(FOCUS_VENV)/bin/pip install -q "focus-validator==2.2.1" "pyarrow<21" && touch $@; \
	elif [ "$$CI" = true ]; then echo "Python 3.12 not found at $(FOCUS_PYTHON)"; exit 1; \
	else echo "warning: no Python 3.12 at $(FOCUS_PYTHON); the FOCUS validation tests will be skipped"; fi

focus: $(FOCUS_STAMP)

demo: system-pdf $(STAMP)
	$(VENV)/bin/mutua demo --reset

# The architecture's rules (docs/architecture.md) are import-linter contracts, generated per context.
contracts: $(STAMP)
	$(VENV)/bin/python scripts/importlinter_contracts.py
	$(VENV)/bin/lint-imports --no-cache

lint: $(STAMP) contracts
	$(VENV)/bin/ruff check src tests bench scripts
	$(VENV)/bin/ruff format --check src tests bench scripts
	$(VENV)/bin/mypy

# The quick lane: lint, types, contracts and the unit tests (services on in-memory fakes): no
# database server, no browser, no system packages.
check: lint
	$(VENV)/bin/pytest -q tests/unit

# Everything, on SQLite and PostgreSQL (what CI runs). `pytest -m "not slow"` skips the demo-sized
# end-to-end tests, Spark and the browser.
test: system $(STAMP) focus lint
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	for b in bench/bench_*.py; do $(VENV)/bin/python $$b || exit 1; done
