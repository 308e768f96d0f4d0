# The two quick-start commands are `make demo` and `make test`; everything they
# need is bootstrapped here from PyPI into .venv (nothing installed by hand).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
DEMO_DIR ?= demo-workspace

.DEFAULT_GOAL := help
.PHONY: help demo test postgres-server chromium lint typecheck docs bench soak ci clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "terrain needs Python 3.11 or newer; run: make PYTHON=python3.11 ...")'
	$(PYTHON) -m venv $(VENV)

PIP := $(BIN)/python -m pip --disable-pip-version-check
# The distribution was first called `terrain` (a name taken on PyPI): a venv made then
# holds this checkout twice, and its plugins would load twice. Drop that install.
DROP_OLD_NAME := if $(PIP) show terrain 2>/dev/null | grep -qx 'Editable project location: $(CURDIR)'; \
	then $(PIP) uninstall --quiet -y terrain; fi

$(VENV)/.runtime-installed: pyproject.toml | $(BIN)/python
	@$(DROP_OLD_NAME)
	$(PIP) install --quiet -e .
	@touch $@

# The development tools are PEP 735 dependency groups (pyproject.toml), not an extra
# published to users; pip installs groups from 25.1 on, so the venv's pip is upgraded first.
$(VENV)/.dev-installed: pyproject.toml examples/terrain-example-platform/pyproject.toml | $(BIN)/python
	$(PIP) install --quiet 'pip>=25.1'
	@$(DROP_OLD_NAME)
	$(PIP) install --quiet -e '.[s3,postgres,web,faces]' --group dev
	$(PIP) install --quiet -e examples/terrain-example-platform
	@touch $@ $(VENV)/.runtime-installed

demo: $(VENV)/.runtime-installed  ## create .venv, install terrain, run `terrain demo`
	$(BIN)/terrain demo --workspace $(DEMO_DIR)

# One pytest-xdist worker per core (`make test TEST_WORKERS=1` for one process), tests
# handed out a few at a time (xdist's default `load`; tests/conftest.py caps a hand-out at
# 4 and puts the longest files first, so they start at once on every worker and the run
# does not end with one of them alone). Not `--dist loadfile`: it hands out the files with
# most tests first, so the slow files of one or two tests (the workers, the crash test,
# the pages run as written) all come last, on one worker, while the other waits.
TEST_WORKERS ?= auto

test: $(VENV)/.dev-installed postgres-server chromium  ## create .venv if needed, install dev deps, run the test suite
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

# The `postgres` tests start a real PostgreSQL server; install its binaries when missing.
postgres-server:
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "PostgreSQL server binaries missing: installing the Debian postgresql package"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql; \
	else \
		echo "NOTE: no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb) and not root:"; \
		echo "      the postgres tests will be SKIPPED locally and FAIL in CI (CI=true)."; \
		echo "      Install them with: sudo apt-get install -y postgresql"; \
	fi

# The browser tests (tests/web, the season report) drive Debian's Chromium with Playwright (never `playwright
# install`: its browser download cannot be had here); install it when missing.
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Chromium missing: installing the Debian chromium package"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else \
		echo "NOTE: no /usr/bin/chromium and not root:"; \
		echo "      the browser tests will be SKIPPED locally and FAIL in CI (CI=true)."; \
		echo "      Install it with: sudo apt-get install -y chromium"; \
	fi

lint: $(VENV)/.dev-installed  ## ruff
	$(BIN)/ruff check .

typecheck: $(VENV)/.dev-installed  ## mypy --strict on src/
	$(BIN)/mypy --strict src

docs: $(VENV)/.dev-installed  ## build the docs (warnings are errors)
	$(BIN)/python -m sphinx -W --keep-going -b html -q docs docs/_build/html

bench: $(VENV)/.dev-installed  ## run the benchmarks, print ratios against floors measured in the same run
	$(BIN)/python -m benchmarks

soak: $(VENV)/.dev-installed  ## the crash test with 50 SIGKILLs (CI runs 24)
	TERRAIN_CRASH_KILLS=50 $(BIN)/python -m pytest tests/reliability/test_crash.py -q

ci:  ## what CI runs
	bash .ci/run

clean:  ## remove the venv and build output
	rm -rf $(VENV) docs/_build .pytest_cache .mypy_cache .ruff_cache .hypothesis $(DEMO_DIR)
