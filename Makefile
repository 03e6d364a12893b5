# contractgate: two commands on a fresh machine.
#   make demo   set up everything, then run the gate on the example system
#   make test   set up everything, then run lint, types and the whole test suite
SHELL := /bin/bash
PYTHON_BASE ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
export PACT_DO_NOT_TRACK := true

.PHONY: setup browser demo test lint bench clean

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON_BASE) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error

setup: $(VENV)/.installed node_modules/.package-lock.json

# The HTML report is checked in headless Chromium (Debian package `chromium`).
browser:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "install Chromium first: sudo apt-get install chromium" >&2; exit 3; fi; }

demo: setup
	$(VENV)/bin/contractgate gate

lint: setup
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks
	$(VENV)/bin/mypy

test: setup browser lint
	$(PY) -m pytest

# Benchmarks: measured, not asserted. Peers (Prism, WireMock, PactFlow's checkers) and wrk.
benchmarks/node_modules/.package-lock.json: benchmarks/package.json benchmarks/package-lock.json
	npm ci --prefix benchmarks --ignore-scripts --no-audit --no-fund --loglevel=error

bench: setup benchmarks/node_modules/.package-lock.json
	@command -v wrk >/dev/null || { echo "install wrk first: sudo apt-get install -y wrk" >&2; exit 3; }
	$(PY) benchmarks/bench_check.py
	$(PY) benchmarks/bench_check_peers.py
	$(PY) benchmarks/bench_stubs.py
	$(PY) benchmarks/bench_stubs.py --header "X-Request-ID: bench-1" --name stubs-request-id
	$(PY) benchmarks/bench_stub_scale.py
	$(PY) benchmarks/bench_verify.py
	$(PY) benchmarks/bench_fuzz.py

clean:
	rm -rf $(VENV) node_modules reports .pytest_cache .mypy_cache .ruff_cache
