# Quick start on a fresh machine with Python 3.11:  make demo   and   make test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/policykg build corpus/ --out build/
	$(BIN)/policykg validate --graph build/graph.ttl
	$(BIN)/policykg compare theme pay-after-use --build build/
	$(BIN)/policykg viz --build build/ --out build/graph.html

test: $(STAMP)
	sh tests/setup_browser.sh
	$(BIN)/python -m pytest

# Benchmarks (not part of `make test`): synthetic corpora of BENCH_SIZES texts, see benchmarks/README.md
BENCH_SIZES ?= 100,1000,10000
bench: $(STAMP)
	$(BIN)/python benchmarks/run.py --sizes $(BENCH_SIZES)

clean:
	rm -rf build .pytest_cache
