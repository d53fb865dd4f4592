# gridmap — the two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
VENV  := .venv/bin
PORT  ?= 8000

.PHONY: bootstrap db demo test lint bench clean-db

bootstrap:
	@scripts/bootstrap

db: bootstrap
	@$(VENV)/gridmap db up

demo: db
	@$(VENV)/gridmap demo
	@echo "gridmap: open http://127.0.0.1:$(PORT)/"
	@$(VENV)/gridmap serve --host 127.0.0.1 --port $(PORT)

test: db
	@$(VENV)/pytest $(PYTEST_ARGS)

lint: bootstrap
	@$(VENV)/ruff check .
	@$(VENV)/ruff format --check .
	@$(VENV)/mypy geo api web

bench: db
	@for b in bench/*/run.py; do [ -f "$$b" ] && $(VENV)/python "$$b"; done; true

clean-db:
	@$(VENV)/gridmap db down
