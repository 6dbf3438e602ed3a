# Developer entry points. `make run` and `make test` are the README's two commands.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: init run serve test lint typecheck check bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

init: $(STAMP)

run: $(STAMP)
	CDS_ENV=$${CDS_ENV:-development} $(BIN)/spine-mass-cds serve

serve: $(STAMP)  # the production server (granian), CDS_BIND and CDS_WORKERS as in the image
	$(BIN)/python -m cds_service.server

lint: $(STAMP)
	$(BIN)/ruff check cds_service tests bench
	$(BIN)/ruff format --check cds_service tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP)
	scripts/ensure-test-tools.sh $(BIN)/python
	$(MAKE) lint typecheck
	VENV_PYTHON=$(BIN)/python scripts/with-test-postgres.sh $(BIN)/pytest

check: test

bench: $(STAMP)  # needs wrk (apt-get install -y wrk) and shared/bench beside the repo
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
