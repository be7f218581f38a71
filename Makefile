# Two commands on a fresh machine: `make run` (the bot; the local sandbox without a token)
# and `make test` (the whole suite). Both create .venv from the lock file when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Two stamps: running needs only the program's dependencies; testing adds the test tools.
RUN_STAMP := $(VENV)/.installed-run
STAMP := $(VENV)/.installed

.PHONY: run test lint check clean tour

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml requirements.lock | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml requirements.lock | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	touch $(RUN_STAMP) $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/minerwatch run

# pytest exits 5 when it collected nothing: that is a failure here, not a pass.
test: $(STAMP)
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "no tests were collected" >&2; exit 1; fi; exit $$status

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# A scripted tour of every command family in the sandbox, on replayed prices.
tour: $(RUN_STAMP)
	$(BIN)/python examples/tour_prices.py var/tour-prices.csv
	MINERWATCH_PRICE_SOURCE=replay:var/tour-prices.csv $(BIN)/minerwatch sandbox --script examples/tour.txt

check: $(RUN_STAMP)
	$(BIN)/minerwatch check

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
