# abflow: `make run` sets up and starts the app on a demo database; `make test` sets up and runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DB ?= sqlite:///$(CURDIR)/.demo/abflow-demo.db
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := graphviz fonts-noto-cjk chromium

.PHONY: setup system run demo test bench clean

setup: system $(STAMP)

# Debian packages: Graphviz for flowcharts, a CJK font so Chinese renders in PNG and PDF, and
# Chromium for the browser tests (driven by Playwright, which downloads no browser of its own).
system:
	@if ! command -v dot >/dev/null || ! fc-list :lang=zh | grep -q . || ! command -v chromium >/dev/null; then \
	  echo "installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $(APT_PACKAGES); \
	fi

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@touch $(STAMP)

demo: setup
	@mkdir -p .demo
	$(BIN)/abflow --db $(DEMO_DB) demo

run: demo
	$(BIN)/abflow --db $(DEMO_DB) serve --port $(PORT)

test: setup
	$(BIN)/pytest

bench: setup
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .demo .pytest_cache
