# Two commands for a newcomer: `make run` and `make test`. Both rest on `make install`,
# which only sets up and is quick when nothing changed.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Debian packages: pango for WeasyPrint, HarfBuzz's subsetter (without it WeasyPrint subsets
# fonts in Python, ~7 s per font face), the CJK fonts, pdftotext/pdftoppm, and chromium for
# the browser tests (Playwright drives Debian's chromium, never a downloaded browser), nginx and
# redis-server for the production topology (`make prod-local`, tests/topology).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk poppler-utils chromium nginx redis-server

.PHONY: install run test system-deps migrate demo clean prod-local prod-local-stop bench-province

install: system-deps $(VENV)/.installed node_modules/.installed

system-deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
		echo "Installing system packages: $(APT_PACKAGES)"; \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi
	@command -v npm >/dev/null || { \
		SUDO=$$( [ "$$(id -u)" -eq 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; }

$(VENV)/.installed: requirements.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

migrate: install
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo --publish --keep-demo-passwords

# The task worker (huey, queue in a SQLite file) runs beside the web server and stops with it.
run: demo
	@echo ""
	@echo "应用地址: http://$(HOST):$(PORT)/   公开网站: http://$(HOST):$(PORT)/public/   管理后台: http://$(HOST):$(PORT)/admin/"
	@echo ""
	@$(PY) manage.py run_huey --workers 1 > huey.log 2>&1 & worker=$$!; \
		trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
		$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(VENV)/bin/pytest

# The production topology on this machine (docs/scaling.md): nginx, two gunicorn app hosts,
# two huey workers on their own Redis, PostgreSQL with a replica alias, media in moto's S3.
# Runs until Ctrl-C; `make prod-local-stop` stops one started with `deploy/prod-local.sh start`.
prod-local: install
	deploy/prod-local.sh

prod-local-stop:
	deploy/prod-local.sh stop

# Issue 16's figures through the topology at province scale (about 10 minutes; docs/performance.md):
# start it, fill it with 2,000 units, measure through nginx, stop it (its database goes too).
bench-province: install
	deploy/prod-local.sh start
	.venv/bin/python bench/topology.py --fill; status=$$?; deploy/prod-local.sh stop; exit $$status

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
