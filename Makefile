# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8501
# Only this computer can open the dashboard; `make run AZDASH_HOST=0.0.0.0` (or that environment variable) opens it to
# the network: read docs/security.md first. Not HOST: some shells export HOST as the machine name.
AZDASH_HOST ?= 127.0.0.1

.PHONY: run test lint typecheck unit setup setup-dev browser-deps clean spark-server spark-server-stop

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed: install python3.11 (and python3.11-venv) or set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(BIN)/uv: requirements-setup.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-setup.txt
	touch $@

# uv installs the pinned packages in parallel, several times faster than pip (docs/performance.md, "Test suite time");
# pip is the fallback where uv cannot reach the package index (uv does not read pip's configuration).
$(VENV)/.runtime: requirements.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt || $(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt requirements.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements-dev.txt || $(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

run: setup
	@echo "Opening the dashboard on demo data: http://localhost:$(PORT)  (Ctrl+C stops it)"
	$(BIN)/streamlit run app.py --server.address $(AZDASH_HOST) --server.port $(PORT)

lint: setup-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup-dev
	$(BIN)/mypy lib

# axe-core for the browser tests' accessibility scan, pinned in package-lock.json; skipped (and said) without npm.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the accessibility scan will be skipped (install npm, then make test)"; fi

browser-deps: node_modules/.package-lock.json

# Tests run on one worker per core (at most four): the browser tests' waits for a page's rerun overlap with the other
# tests' work. `make unit TEST_WORKERS=0` runs them in this one process.
TEST_WORKERS ?= auto
unit: setup-dev browser-deps
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --maxprocesses 4 --dist worksteal

# The type check runs beside the tests rather than before them (docs/performance.md, "Test suite time").
test: lint
	$(MAKE) --no-print-directory -j2 typecheck unit

# A local Spark Connect server for the Lake source (sc://127.0.0.1:15002): pyspark from PyPI into .spark/, Java 17 from the OS.
spark-server: | $(BIN)/python
	PYTHON="$(BIN)/python" bash scripts/spark-server.sh start

spark-server-stop:
	bash scripts/spark-server.sh stop

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
