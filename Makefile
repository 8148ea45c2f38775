# tinygrad_edu: `make demo` and `make test` are the whole set-up.
#
#   make venv    create .venv and install the package into it (editable)
#   make demo    train the XOR network and draw its graph (examples/xor_demo.py)
#   make test    install the `dev` extras (plus $(EXTRAS)), then ruff, mypy and pytest
#   make fuzz    differential fuzzer: 50,000 random graphs against PyTorch (tests/fuzz_graphs.py)
#   make clean   remove .venv and build artefacts
#
# CI adds the PyTorch oracle with `make test EXTRAS=oracle`; EXTRAS takes one name or several
# (`EXTRAS=oracle,examples`). Stamp files in .venv/ make a second run skip the installs until
# pyproject.toml changes.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXTRAS ?=
PYTEST_ARGS ?=
DEMO_ARGS ?=
BENCH_ARGS ?=
FUZZ_ARGS ?= --graphs 50000 --seed 0
PIP := $(BIN)/python -m pip --disable-pip-version-check
PIP_INSTALL := $(PIP) install --progress-bar off

comma := ,
empty :=
space := $(empty) $(empty)
# "oracle,examples" or "oracle examples" -> "dev,examples,oracle"; one stamp per set of extras.
extra_names := $(sort $(subst $(comma),$(space),$(EXTRAS)))
test_extras := $(subst $(space),$(comma),$(strip dev $(filter-out dev,$(extra_names))))
CREATED_STAMP := $(VENV)/.stamp-created
BASE_STAMP := $(VENV)/.stamp-installed-base
TEST_STAMP := $(VENV)/.stamp-installed-$(subst $(comma),-,$(test_extras))

.PHONY: help venv demo test docs docs-serve bench fuzz clean

help:
	@echo "make demo   train the documents' XOR network and draw its graph (creates .venv)"
	@echo "make test   ruff, mypy and pytest in .venv with the dev extras (EXTRAS=oracle adds torch)"
	@echo "make venv   only create .venv with the package installed editable"
	@echo "make docs   build the documentation site into build/site (mkdocs --strict)"
	@echo "make bench  time tinygrad_edu against hand-written NumPy and its peers (BENCH_ARGS=--quick)"
	@echo "make fuzz   50,000 random graphs against PyTorch: values, 1st and 2nd derivatives (FUZZ_ARGS=...)"
	@echo "make clean  remove .venv and build artefacts"

venv: $(BASE_STAMP)

# Editable installs of a pyproject-only package need pip >= 21.3; upgrade only when older.
$(CREATED_STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -c 'import sys, pip; v = tuple(int(p) for p in pip.__version__.split(".")[:2]); sys.exit(v < (21, 3))' \
		|| $(PIP_INSTALL) --upgrade pip
	touch $@

$(BASE_STAMP): pyproject.toml | $(CREATED_STAMP)
	$(PIP_INSTALL) -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(CREATED_STAMP)
	$(PIP_INSTALL) -e '.[$(test_extras)]'
	touch $@

demo: $(BASE_STAMP)
	$(BIN)/python examples/xor_demo.py $(DEMO_ARGS)

# All three checks run even when one fails, so a CI log shows every problem at once;
# the target still fails if any of them did (pytest's exit 5, "no tests ran", included).
test: $(TEST_STAMP)
	@failed=""; \
	echo "==> ruff check ."; \
	$(BIN)/ruff check . || failed="$$failed ruff"; \
	echo "==> mypy"; \
	$(BIN)/mypy || failed="$$failed mypy"; \
	echo "==> pytest $(PYTEST_ARGS)"; \
	$(BIN)/pytest $(PYTEST_ARGS) || failed="$$failed pytest"; \
	if [ -n "$$failed" ]; then echo "make test: FAILED:$$failed"; exit 1; fi; \
	echo "make test: ruff, mypy and pytest passed"

clean:
	rm -rf $(VENV) build dist .eggs *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis .benchmarks
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# The documentation site: MkDocs + Material, API pages from the docstrings. Needs `dot`.
DOCS_STAMP := $(VENV)/.stamp-installed-docs

$(DOCS_STAMP): pyproject.toml | $(CREATED_STAMP)
	$(PIP_INSTALL) -e '.[docs]'
	touch $@

docs: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(DOCS_STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

# Benchmarks (benchmarks/README.md): the peers and matplotlib come from the `bench` extra.
BENCH_STAMP := $(VENV)/.stamp-installed-bench

$(BENCH_STAMP): pyproject.toml | $(CREATED_STAMP)
	$(PIP_INSTALL) -e '.[bench]'
	touch $@

bench: $(BENCH_STAMP)
	$(BIN)/python benchmarks/bench.py $(BENCH_ARGS)
	$(BIN)/python benchmarks/conv.py $(if $(findstring --quick,$(BENCH_ARGS)),--rounds 5,)

# The differential fuzzer (tests/fuzz_graphs.py) needs the PyTorch oracle (the `oracle` extra);
# the test suite runs 2,000 of its graphs, this the long run. It prints each failure and the counts.
ORACLE_STAMP := $(VENV)/.stamp-installed-oracle

$(ORACLE_STAMP): pyproject.toml | $(CREATED_STAMP)
	$(PIP_INSTALL) -e '.[oracle]'
	touch $@

fuzz: $(ORACLE_STAMP)
	$(BIN)/python tests/fuzz_graphs.py $(FUZZ_ARGS)
