# Process Retro task runner. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PERIOD ?= 2026-10
# The sample has its own store, so it never mixes with the labels of a real retro (data/retro.sqlite).
SAMPLE_STORE ?= data/sample.sqlite
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser)

.DEFAULT_GOAL := help
.PHONY: help retro test test-fast lint format chromium check-real bench bench-quick sample snapshot clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/retro: pyproject.toml ## (internal) create the virtualenv and install the project
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(BIN)/retro

retro: $(BIN)/retro ## Run the monthly retro on the bundled sample (all 12 months; report for PERIOD)
	$(BIN)/retro run --period $(PERIOD) --recipe sample --exports data/sample --backfill --events data/sample/events.csv \
		--store $(SAMPLE_STORE)

test: $(BIN)/retro chromium ## Run lint and the whole test suite, browser tests included
	$(BIN)/ruff check toolkit tests benchmarks
	$(BIN)/ruff format --check toolkit tests benchmarks
	CHROMIUM_PATH=$(or $(CHROMIUM),/usr/bin/chromium) $(BIN)/python -m pytest

# The loop while developing, on both cores (pytest-xdist). The browser test modules are not even
# collected: importing them (papermill, nbformat) takes seconds, and every test in them is marked browser.
# `make test` stays serial: it starts browsers, kernels and JupyterLab, which must not race each other.
test-fast: lint ## Lint, then the suite without browser, notebook and other slow tests (under a minute)
	$(BIN)/python -m pytest -q -n 2 -m "not browser and not slow and not real" --ignore-glob='tests/*_browser.py'

lint: $(BIN)/retro ## Check style with ruff
	$(BIN)/ruff check toolkit tests benchmarks
	$(BIN)/ruff format --check toolkit tests benchmarks

format: $(BIN)/retro ## Format and autofix with ruff
	$(BIN)/ruff format toolkit tests benchmarks
	$(BIN)/ruff check --fix toolkit tests benchmarks

chromium: ## Install Debian's chromium for browser tests when missing (needs root)
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		(apt-get install -y -q chromium >/dev/null 2>&1 || (apt-get update -q >/dev/null && apt-get install -y -q chromium >/dev/null)); \
	else \
		echo "Browser tests need Chromium. Install it with: sudo apt-get install -y chromium"; exit 1; \
	fi

check-real: $(BIN)/retro ## Check the shipped recipes against ../shared/real when it exists
	@if [ -d ../shared/real ]; then $(BIN)/python -m pytest -q tests/test_real_exports.py -m real --real ../shared/real; \
	else echo "../shared/real not found: nothing to check"; fi

bench: $(BIN)/retro ## Benchmark load, leaks, groups and store at 100k, 1M and 10M leads
	$(BIN)/python -m benchmarks.run --sizes 100000,1000000,10000000 --results benchmarks/RESULTS.md

bench-quick: $(BIN)/retro ## Benchmark at 100k leads only
	$(BIN)/python -m benchmarks.run --sizes 100000

sample: $(BIN)/retro ## Regenerate the bundled sample exports in data/sample
	$(BIN)/python -m toolkit.sample --out data/sample

snapshot: $(BIN)/retro ## Update the committed outline snapshot of the leadership report
	UPDATE_SNAPSHOT=1 CHROMIUM_PATH=$(or $(CHROMIUM),/usr/bin/chromium) $(BIN)/python -m pytest -q tests/test_report_browser.py -k snapshot

clean: ## Remove generated reports and the sample's store (never data/retro.sqlite, which holds real labels)
	rm -rf reports/20* $(SAMPLE_STORE) $(SAMPLE_STORE)-wal $(SAMPLE_STORE)-shm
