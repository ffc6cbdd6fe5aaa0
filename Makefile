# Mentor Hub: `make run` starts the demo hub, `make test` runs every test. Both set up what is missing.
SHELL := /bin/bash
# Debian's interpreter: a venv made from it is usable by the per-user Unix accounts of server mode.
PYTHON ?= $(shell test -x /usr/bin/python3 && echo /usr/bin/python3 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STATE ?= state
CHROMIUM := /usr/bin/chromium

.PHONY: run test env docs chromium nftables sandbox lint clean

run: env
	-@$(MAKE) --no-print-directory sandbox  # without it the hub runs, but autograding refuses to start
	@if [ ! -s "$(STATE)/records.sqlite" ]; then $(BIN)/mentorhub demo seed --state "$(STATE)"; fi
	@echo "Mentor Hub (demo mode) on http://127.0.0.1:8000 — logins and password in README.md"
	MENTORHUB_SETTINGS= $(BIN)/python -m hub.app -f jupyterhub_config.py

test: env chromium nftables sandbox
	$(BIN)/ruff check .
	@$(BIN)/pytest; rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing on purpose"; exit 1; fi; exit $$rc

env: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Python 3.11 is required (found $$($(PYTHON) --version)); set PYTHON=/path/to/python3.11"; exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,docs]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm (Node.js 20) is required: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

chromium:
	@if [ ! -x $(CHROMIUM) ] || ! fc-list :lang=zh | grep -q .; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
	  else \
	    echo "Browser tests need Debian's Chromium and CJK fonts: sudo apt-get install chromium fonts-noto-cjk"; exit 1; \
	  fi; \
	fi

# Server mode keeps users' processes off the hub's internal ports with nftables (hub/netpolicy.py); only
# root runs the server-mode tests (and the hub in server mode), so only root needs it.
nftables:
	@if [ "$$(id -u)" = 0 ] && ! command -v nft >/dev/null && [ ! -x /usr/sbin/nft ]; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nftables >/dev/null; \
	fi

# Autograding runs teachers' code only inside a bubblewrap sandbox (hub/courses/sandbox.py).
sandbox:
	@if ! command -v bwrap >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else \
	    echo "Autograding runs teachers' code in a bubblewrap sandbox: sudo apt-get install bubblewrap"; exit 1; \
	  fi; \
	fi

# The documentation (docs/, Sphinx + MyST): any warning fails. `make test` builds it as well (tests/docs/).
docs: env
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
	@echo "Documentation: docs/_build/html/index.html"

lint: env
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) node_modules test-artifacts docs/_build
