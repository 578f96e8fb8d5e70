# Two entry points (see README): `make demo` and `make test`. Both create .venv first.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# constraints.txt pins every package of the dev environment, so a new upstream release cannot
# break a clean clone's CI; `make lock` rewrites it from the current .venv.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

lock:
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	{ sed -n '1,2p' constraints.txt; $(BIN)/python -m pip freeze --exclude-editable \
	  | grep -v '^fitscope' | sed 's/^torch==\(.*\)+cpu$$/torch==\1/'; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

.PHONY: setup demo test lint bench bench-tracking browser docs lock
setup: $(STAMP)

# The dashboard's browser tests drive Debian's Chromium (never a downloaded browser build).
# Installed here when missing and we are root; otherwise those tests skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "chromium not installed: the browser tests will skip"; }

# Regenerate the --help blocks of docs/cli/*.md (a test fails when they are stale).
docs: $(STAMP)
	$(BIN)/python tools/update_cli_docs.py

demo: $(STAMP)
	$(BIN)/fitscope demo

lint: $(STAMP)
	$(BIN)/ruff check src tests $(wildcard bench tools examples)
	$(BIN)/ruff format --check src tests $(wildcard bench tools examples)
	$(BIN)/mypy

test: lint browser
	$(BIN)/python -m pytest src tests

bench: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[bench]'
	$(BIN)/python bench/metrics.py

# Training speed (issue 3): fitscope's newton/lbfgs vs scikit-learn's solvers, 1e5 and 1e6 rows.
.PHONY: bench-train
bench-train: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[bench]'
	$(BIN)/python bench/train.py --large

bench-tracking: $(STAMP)
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[bench-tracking]'
	$(BIN)/python bench/tracking.py
