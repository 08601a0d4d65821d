# rdh-chain: `make run` shows the ledger working, `make test` checks it.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# py-solc-x and ape-solidity look for the pinned solc (a wrapper over npm's
# WebAssembly build, written by `make install` and `make build`) in this folder. The
# virtualenv's own Pythons find it without this (`make install` writes a .pth hook into
# .venv: rdh_chain/toolchain/venv.py), so `.venv/bin/ape compile` works as it is.
export SOLCX_BINARY_PATH := $(CURDIR)/.build/solcx
# forge from npm's platform package: its binary exits 1 when a test fails (the
# @foundry-rs/forge wrapper in node_modules/.bin exits 0 whatever happens).
FORGE := node_modules/@foundry-rs/forge-linux-amd64/bin/forge
# CI runs the ci profile of foundry.toml (100,000 handler calls per invariant campaign).
FOUNDRY_PROFILE ?= $(if $(filter true,$(CI)),ci,default)

# Stamps live inside what they stand for, so deleting .venv or node_modules
# also forgets that they were installed.
PY_STAMP := $(VENV)/.rdh-installed
NPM_STAMP := node_modules/.package-lock.json

.PHONY: help install build test test-forge lint run bench bench-scale clean distclean

help:
	@echo "make install  Python venv (.venv) and npm toolchain (node_modules)"
	@echo "make build    compile contracts/ into rdh_chain/_build/contracts.json if they changed"
	@echo "make test     build, then run the test suite (forge suites, then pytest)"
	@echo "make test-forge          the Foundry invariant and fuzz suites (tests/foundry)"
	@echo "make lint     ruff check, ruff format --check, mypy, the layers (lint-imports), slither"
	@echo "make run      build, then run the demo on a local chain"
	@echo "make bench    build, then run the benchmarks"
	@echo "make bench-scale         a Haier-sized year on a local anvil (SCALE_ARGS=--quick, --medium, --output PATH)"
	@echo "make clean    remove build output and caches (distclean: also .venv, node_modules)"

# The solc wrapper and the virtualenv's hook that names it (quick when both are in place).
install: $(PY_STAMP) $(NPM_STAMP)
	$(BIN)/python -m rdh_chain.toolchain.venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $@

# npm ci writes node_modules/.package-lock.json itself; touch it so an
# up-to-date install is never older than package.json.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

build: install
	$(BIN)/python -m rdh_chain.toolchain

# Both suites run whatever the other did; make fails if either failed.
test: build
	status=0; \
	$(MAKE) --no-print-directory test-forge || status=1; \
	$(BIN)/pytest || status=1; \
	exit $$status

test-forge: build
	FOUNDRY_PROFILE=$(FOUNDRY_PROFILE) $(FORGE) test --offline -vv

# slither compiles contracts/ itself, through the solc wrapper that its runner (re)writes
# like the build does: it needs the install, not rdh_chain/_build/contracts.json.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python -m rdh_chain.toolchain.slither

run: build
	@# The page offers the seeded members' demo wallets (RDH_DEMO_WALLETS), marked as a demo.
	RDH_DEMO_WALLETS=true $(BIN)/rdh demo run

bench: build
	$(BIN)/python -m bench

# The simulated year: 4,000 MEs, 1,000 EMCs, twelve periods, then the index and the audit.
bench-scale: build
	$(BIN)/python -m bench.scale $(SCALE_ARGS)

clean:
	rm -rf build rdh_chain/_build .build contracts/.cache .pytest_cache .mypy_cache .ruff_cache \
		.import_linter_cache .hypothesis
	find . -path ./.venv -prune -o -path ./node_modules -prune -o \
		-name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules *.egg-info
