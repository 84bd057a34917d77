# The two commands a newcomer needs: `make run` and `make test`. Everything else follows.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint fmt check chromium clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: $(BIN)/activate requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(VENV)/.installed node_modules/.installed

# The portal with the demo district at http://$(HOST), with a Celery worker and beat.
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) sync_schedule
	$(MANAGE) seed_demo
	@echo "Portal: http://$(HOST)  (demo logins: see README.md)"
	trap 'kill 0' EXIT INT TERM; \
	$(BIN)/celery -A resource_center worker --beat --loglevel=INFO --concurrency=2 & \
	$(MANAGE) runserver $(HOST)

# Every test: unit, access matrix, real Celery workers, browser. DATABASE_URL picks the database.
test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Debian's chromium for the browser tests; without it (and without root) they are skipped locally.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "chromium is not installed and cannot be installed here: browser tests will be skipped"; \
	  fi; \
	fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install
	$(MANAGE) check
	$(MANAGE) makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules var staticfiles
