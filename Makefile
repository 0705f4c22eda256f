# The README's commands: `make run` serves the app; `make test` installs what it needs and runs the suite.
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app wsgi
STAMP  := $(VENV)/.installed-$(shell cksum < pyproject.toml | cut -d' ' -f1)
# `make run PORT=8080` when 5000 is taken; mail links follow (PUBLIC_BASE_URL defaults to this port).
PORT   ?= 5000
# `make serve` runs the mail worker this much below gunicorn: during a surge signers are answered first
# and the mail catches up (README, Deployment).
WORKER_NICE ?= 19

.PHONY: install run serve worker test test-postgres screenshots bench bench-deps bench-faults lint audit browser-deps clean translations

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test,dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

# Only these two targets use the development settings and, without SECRET_KEY, a public development
# key; everything else (wsgi:app, the CLI) refuses to start without SECRET_KEY.
run worker: export ADVOCACY_ENV = development
run worker: export PORT := $(PORT)

run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) advocacy seed
	$(FLASK) advocacy load-geography
	@echo "Serving on http://127.0.0.1:$(PORT) (mail worker running beside it; Ctrl-C stops both)"
	$(FLASK) advocacy worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(FLASK) run --host 127.0.0.1 --port $(PORT)

worker: $(STAMP)
	$(FLASK) advocacy worker

# The production shape on one machine (README, Deployment): gunicorn (advocacy/gunicorn_conf.py, workers
# from WEB_CONCURRENCY, address from BIND or PORT) plus one mail worker, against PostgreSQL and Redis.
serve: $(STAMP)
	@test -n "$$DATABASE_URL" -a -n "$$SECRET_KEY" || { echo "make serve needs DATABASE_URL (PostgreSQL), \
	REDIS_URL and SECRET_KEY (and SMTP_HOST, PUBLIC_BASE_URL, ADVOCACY_ENV=production behind TLS); see README, Deployment"; exit 1; }
	@test -n "$$REDIS_URL" || echo "warning: REDIS_URL is not set: rate limits are per process"
	$(FLASK) db upgrade
	nice -n $(WORKER_NICE) $(FLASK) advocacy worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn -c python:advocacy.gunicorn_conf wsgi:app

# Browser tests need Debian's Chromium; delivery packets need fonts for every script (DejaVu, Noto for
# Arabic and Hebrew, Noto CJK) and their tests pdftotext. Install them when we are root and any is missing.
PACKET_FONTS = /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf \
  /usr/share/fonts/truetype/noto/NotoSansHebrew-Regular.ttf /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
# axe-core and the Nu HTML checker (vnu.jar, run with Java) check every page of the browser journeys.
PAGE_CHECKERS = tests/browser/js
browser-deps:
	@{ command -v chromium && command -v pdftotext && command -v soffice && ls $(PACKET_FONTS); } >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils \
	    fonts-dejavu-core fonts-noto-core fonts-noto-cjk libreoffice-calc-nogui >/dev/null) \
	  || echo "chromium, poppler-utils or packet fonts not installed: browser tests will be skipped"; }
	@command -v java >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless >/dev/null; } \
	  || echo "java not installed: the Nu HTML checker will not run"
	@test -f $(PAGE_CHECKERS)/node_modules/.package-lock.json || { command -v npm >/dev/null && \
	  npm ci --prefix $(PAGE_CHECKERS) --ignore-scripts --no-audit --no-fund --silent; } \
	  || echo "npm not available: axe-core and the Nu HTML checker will not run"

test: $(STAMP) browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(STAMP) browser-deps
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/test} $(PY) -m pytest $(PYTEST_ARGS)

# The README's pictures (docs/screenshots/, or SCREENSHOTS_DIR): seeded data in a throwaway SQLite
# database, the app on a free local port, Debian's Chromium at 360 px (JavaScript off) and 1280 px.
screenshots: $(STAMP) browser-deps
	$(PY) scripts/screenshots.py

# bench/http.py drives the load with wrk (else Python threads), bench/instructions.py counts with valgrind
# (else it is skipped): installed when we are root and they are missing.
bench-deps:
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
	  || echo "wrk not installed: bench/http.py falls back to a Python load generator"
	@command -v valgrind >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; } \
	  || echo "valgrind not installed: bench/instructions.py is skipped"

bench: $(STAMP) bench-deps
	$(PY) -m bench.run
	$(PY) -m bench.http
	$(PY) -m bench.instructions

# Faults during a signing load (README, Benchmark): a killed web worker, a restarted mail worker, an SMTP outage.
bench-faults: $(STAMP)
	$(PY) -m bench.faults

# Style (ruff) and the one-way layers of ARCHITECTURE.md (import-linter contract in pyproject.toml).
lint: $(STAMP)
	$(VENV)/bin/ruff check advocacy tests bench scripts
	$(VENV)/bin/lint-imports

# Security checks (README "Security checks"): bandit over advocacy/ (settings in pyproject [tool.bandit];
# findings fixed or marked `# reason.  # nosec BXXX`), then pip-audit against PyPI's vulnerability data.
audit: $(STAMP)
	$(VENV)/bin/bandit -q -c pyproject.toml -r advocacy
	$(PY) scripts/audit_dependencies.py

clean:
	rm -rf $(VENV) instance .pytest_cache

# After adding or changing user-facing strings: refresh the catalogue, translate, then compile.
translations: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o advocacy/translations/messages.pot .
	$(VENV)/bin/pybabel update -i advocacy/translations/messages.pot -d advocacy/translations -l es
	$(VENV)/bin/pybabel compile --statistics -d advocacy/translations
