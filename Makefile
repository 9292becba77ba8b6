# abflow: `make run` sets up and starts the app on a demo database; `make test` sets up and runs the tests.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
LOCK   := requirements/lock.txt
DEMO_DB ?= sqlite:///$(CURDIR)/.demo/abflow-demo.db
PORT   ?= 8501
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := graphviz fonts-wqy-microhei fonts-noto-cjk fonts-dejavu-core chromium libreoffice-calc-nogui libreoffice-writer-nogui

.PHONY: setup system run demo test docs bench bench-province screens lock bundle clean

MODELER := ui/modeler/node_modules/.package-lock.json

setup: system $(STAMP) $(MODELER)

# bpmn-js from the npm registry, at the versions package-lock.json pins: the app's designer and the
# test that exported BPMN opens in it.
$(MODELER): ui/modeler/package.json ui/modeler/package-lock.json
	cd ui/modeler && npm ci --no-audit --no-fund
	@touch $(MODELER)

# Debian packages: Graphviz for flowcharts, CJK fonts so Chinese renders in PNG and PDF (WenQuanYi
# Micro Hei first: its TrueType outlines keep a chart's PDF near 15 KB; Noto Sans CJK after), DejaVu
# for the event markers (◷ ✉ ⚡) the CJK font lacks,
# Chromium for the browser tests (driven by Playwright, which downloads no browser of its own), and
# LibreOffice Calc, headless, to check that the Excel reports open and print, and Writer, which
# turns the 办事指南 into PDF.
system:
	@if ! command -v dot >/dev/null || ! fc-list :lang=zh | grep -q . || ! fc-list :charset=25f7 | grep -q . \
	    || ! fc-list | grep -qi "WenQuanYi Micro Hei" \
	    || ! command -v chromium >/dev/null || ! command -v soffice >/dev/null \
	    || ! dpkg -s libreoffice-writer-nogui >/dev/null 2>&1; then \
	  echo "installing $(APT_PACKAGES)"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $(APT_PACKAGES); \
	fi

# Every Python package at the version and hashes requirements/lock.txt pins (nothing resolved at
# install time: two installs a month apart are the same), then abflow itself, without dependencies.
$(STAMP): pyproject.toml $(LOCK)
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps -e .
	@touch $(STAMP)

# The offline bundle: dist/abflow-VERSION.tar.gz holds the wheel of every locked package for this
# platform, abflow's own (the migrations and the built bpmn-js modeler in it), the CJK fonts and
# deploy/install.sh, which installs all of it with no network (docs/deploy.md).
VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
DIST   ?= dist
BUNDLE  = $(DIST)/abflow-$(VERSION)
bundle: setup
	rm -rf $(BUNDLE) && mkdir -p $(BUNDLE)/wheels $(BUNDLE)/fonts $(BUNDLE)/requirements
	$(BIN)/pip download -q --isolated --require-hashes --no-deps --only-binary=:all: -r $(LOCK) -d $(BUNDLE)/wheels
	$(BIN)/pip wheel -q --isolated --no-deps --no-build-isolation -w $(BUNDLE)/wheels .
	cp $(LOCK) $(BUNDLE)/requirements/ && cp deploy/install.sh $(BUNDLE)/
	cp "$$(fc-match -f '%{file}' 'WenQuanYi Micro Hei')" \
	  "$$(fc-match -f '%{file}' 'Noto Sans CJK SC:style=Regular')" "$$(fc-match -f '%{file}' 'Noto Sans CJK SC:style=Bold')" \
	  "$$(fc-match -f '%{file}' 'DejaVu Sans')" $(BUNDLE)/fonts/
	tar -C $(DIST) -czf $(BUNDLE).tar.gz abflow-$(VERSION)
	@echo "$(BUNDLE).tar.gz"

# The lock anew: the newest release of each package within pyproject.toml's ranges, with the
# hashes of its files. Review the diff, run `make test`, commit both.
lock: setup
	$(BIN)/pip-compile -q --generate-hashes --extra dev --strip-extras --allow-unsafe --no-emit-find-links \
	  --no-emit-index-url --upgrade -o $(LOCK) pyproject.toml

demo: setup
	@mkdir -p .demo
	$(BIN)/abflow --db $(DEMO_DB) demo

run: demo
	$(BIN)/abflow --db $(DEMO_DB) serve --port $(PORT)

# Static checks first (seconds), then the suite, a worker per core (pytest-xdist): each worker has
# its own databases, secret key and servers on free ports, so the tests share nothing.
test: setup
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n auto

# docs/cli.md's command reference, made anew from the commands (a test fails while it is stale).
docs: setup
	$(BIN)/python -m ui.cli_reference

bench: setup
	$(BIN)/pip install -q -e '.[dev,bench]'
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.roles
	$(BIN)/python -m bench.render
	$(BIN)/python -m bench.bpmn
	$(BIN)/python -m bench.bpmn_python
	$(BIN)/python -m bench.app
	$(BIN)/python -m bench.browser

# A province (20 generated cities, 260,000 redesigned steps) on both databases, and its API under
# the load of 50 clients at once: some fifteen minutes.
bench-province: setup
	$(BIN)/python -m bench.run --scale province --runs 1
	$(BIN)/python -m bench.api --scale province

# Pictures of every page at 1400 and 390 pixels wide, taken by the browser tests, kept in docs/screens.
screens: setup
	$(BIN)/pytest -q tests/ui/test_browser.py -k "main_pages or phone or matter_across"
	mkdir -p docs/screens && cp .screens/*-1400.png .screens/*-390.png docs/screens/

clean:
	rm -rf $(VENV) .demo .pytest_cache ui/modeler/node_modules
