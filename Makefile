# Two commands set up a fresh machine and run Mutua: `make demo` and `make test`.
VENV ?= .venv
PYTHON ?= python3
SYSTEM_PACKAGES ?= libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium
STAMP := $(VENV)/.installed-$(shell sha1sum pyproject.toml | cut -c1-12)

.PHONY: demo test lint bench system

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

system:
	bash scripts/setup-system $(SYSTEM_PACKAGES)

demo: $(STAMP)
	$(VENV)/bin/mutua demo --reset

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/mypy

test: system $(STAMP) lint
	$(VENV)/bin/pytest -q

bench: $(STAMP)
	for b in bench/bench_*.py; do $(VENV)/bin/python $$b || exit 1; done
