# TreEm — two commands: `make run` (install, migrate, load, serve) and `make test` (the whole suite).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install install-test setup serve lint format bench clean messages

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Cần Python 3.11 ($(PYTHON))"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

setup: install
	@mkdir -p var
	$(BIN)/treem migrate --noinput -v0
	$(BIN)/treem setup_treem

serve: install
	@echo "TreEm: http://$(HOST):$(PORT)/"
	$(BIN)/treem runserver $(HOST):$(PORT)

run: setup serve

test: install-test
	$(BIN)/ruff check treem tests bench
	$(BIN)/ruff format --check treem tests bench
	$(BIN)/pytest -m "not browser"
	$(BIN)/pytest -m browser || [ $$? -eq 5 ]  # 5 = no browser test collected

lint: install-test
	$(BIN)/ruff check treem tests bench
	$(BIN)/ruff format --check treem tests bench

format: install-test
	$(BIN)/ruff format treem tests bench
	$(BIN)/ruff check --fix treem tests bench

messages: install
	cd treem && ../$(BIN)/treem makemessages -l en --ignore "*/migrations/*" && ../$(BIN)/treem compilemessages

bench: install-test
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) var .pytest_cache
