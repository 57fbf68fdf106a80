# MarketDesk developer tasks. Needs only make and bash: everything else is
# installed by scripts/bootstrap.sh (Python deps via uv, front-end via npm).

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
# Extra pytest arguments for `make test`, e.g. PYTEST_ARGS="tests/test_x.py -k name"
PYTEST_ARGS ?=

.PHONY: help install demo test lint messages clean bench

help:
	@echo "make install   Python runtime deps (.venv) and front-end files (static/vendor)"
	@echo "make demo      install, then run the demo on http://127.0.0.1:8000"
	@echo "make test      test suite on SQLite and on a throwaway PostgreSQL"
	@echo "               (PYTEST_ARGS=..., MARKETDESK_TEST_DB=sqlite|postgres, MARKETDESK_TEST_WORKERS=N)"
	@echo "make lint      ruff check src tests"
	@echo "make bench     metrics engine vs pandas and Polars baselines -> docs/benchmarks.md"
	@echo "               (BENCH_SIZES=1M,10M by default; BENCH_SIZES=100M opt-in)"
	@echo "make messages  update and compile the zh_Hans translations"
	@echo "make clean     remove generated files (.venv, node_modules, vendor, caches; keeps var/)"

install:
	bash scripts/bootstrap.sh

demo: install
	$(VENV)/bin/marketdesk demo

test:
	bash scripts/test.sh $(PYTEST_ARGS)

lint:
	@[ -x $(VENV)/bin/ruff ] || bash scripts/bootstrap.sh --dev
	$(VENV)/bin/ruff check src tests

# Synthetic data is cached under var/bench/ (the first 10M run generates it, ~2 min).
BENCH_SIZES ?= 1M,10M
bench:
	bash scripts/bootstrap.sh --dev
	BENCH_SIZES=$(BENCH_SIZES) $(VENV)/bin/python -m bench

# makemessages/compilemessages need GNU gettext.
messages: install
	bash scripts/ensure-debs.sh gettext
	cd src/marketdesk && DJANGO_SETTINGS_MODULE=marketdesk.settings PYTHONPATH="$(CURDIR)/src" \
		../../$(VENV)/bin/django-admin makemessages -l zh_Hans --no-obsolete
	cd src/marketdesk && DJANGO_SETTINGS_MODULE=marketdesk.settings PYTHONPATH="$(CURDIR)/src" \
		../../$(VENV)/bin/django-admin compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) .tools node_modules src/marketdesk/core/static/vendor staticfiles \
		test-artifacts .pytest_cache .ruff_cache .hypothesis
	find src tests -name __pycache__ -type d -prune -exec rm -rf {} +
