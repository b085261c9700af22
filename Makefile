# wangge: `make demo` serves a demo city, `make test` runs every test. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
WANGGE := $(BIN)/wangge

.PHONY: install assets messages migrate demo test test-fast lint bench fuzz browser clean

install: $(VENV)/.installed node_modules/.installed messages

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --silent
	touch $@

# Translations are compiled from the committed .po files (needs gettext's msgfmt).
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || (apt-get update -qq && apt-get install -y -qq gettext)
	cd src/wangge && ../../$(WANGGE) compilemessages --verbosity 0

assets: install
	$(WANGGE) collectstatic --noinput --verbosity 0

migrate: install
	$(WANGGE) migrate --noinput --verbosity 0

# The demo replaces district 420102 and the demo-* accounts: a development database only.
demo: migrate assets
	$(WANGGE) demo --i-know-this-is-not-production

# Browser tests drive Debian's chromium; install it (and CJK fonts) when a machine lacks it.
browser:
	@command -v chromium >/dev/null || (apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk)

test: install browser
	$(BIN)/pytest

test-fast: install
	$(BIN)/pytest -m "not browser"

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(WANGGE) makemigrations --check --dry-run --verbosity 0

# Schemathesis over the whole OpenAPI as a district administrator and a volunteer (no 5xx, no
# answer the document does not describe); see tests/fuzz_api.py.
fuzz: install
	$(BIN)/python tests/fuzz_api.py

bench: migrate
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules var
