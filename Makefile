# The newcomer's two commands: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
PG_URL ?= postgres://postgres@127.0.0.1:5432/vanban
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test install install-test services chromium debian-packages lint test-sqlite test-postgres lock clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade "pip>=24" "setuptools>=69" wheel
	$(BIN)/pip install -q -c requirements.lock -e .
	@touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install -q -c requirements.lock -e ".[test]"
	@touch $@

install: $(STAMP)
install-test: $(TEST_STAMP)

# OCR (tesseract, ocrmypdf) and the PDF tools are Debian packages the server uses too.
run: install debian-packages
	$(BIN)/vanban migrate --noinput -v0
	$(BIN)/vanban collectstatic --noinput -v0
	$(BIN)/vanban demo
	@echo ""
	@echo "Mở http://127.0.0.1:8000/ và đăng nhập bằng một tài khoản ở trên."
	$(BIN)/vanban run

# Debian's chromium drives the browser tests (Playwright never downloads one here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian tools the signature tests drive: SoftHSM2 (a PKCS#11 token), poppler's pdfsig and
# pdftoppm (a second validator, page renders), NSS's certutil (pdfsig's trust store).
DEBIAN_PACKAGES := softhsm2 poppler-utils libnss3-tools tesseract-ocr tesseract-ocr-vie fonts-dejavu-core fonts-liberation2 fonts-noto-core
OCR_PACKAGES := tesseract-ocr tesseract-ocr-vie ocrmypdf
debian-packages:
	@command -v softhsm2-util >/dev/null 2>&1 && command -v pdfsig >/dev/null 2>&1 \
	  && command -v pdftoppm >/dev/null 2>&1 && command -v certutil >/dev/null 2>&1 \
	  && command -v tesseract >/dev/null 2>&1 && test -f /usr/share/tesseract-ocr/5/tessdata/vie.traineddata \
	  && test -d /usr/share/fonts/truetype/liberation2 || { \
	  echo "Installing $(DEBIAN_PACKAGES) for the signature tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(DEBIAN_PACKAGES) >/dev/null; }
	@# OCR for search (vanban.search.extraction): ocrmypdf + tesseract with the Vietnamese model.
	@command -v ocrmypdf >/dev/null 2>&1 && tesseract --list-langs 2>/dev/null | grep -qx vie || { \
	  echo "Installing $(OCR_PACKAGES) for text extraction"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES) >/dev/null; }

# PostgreSQL and Redis are local services on this kind of machine; start them if down.
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	@psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='vanban'" | grep -q 1 \
	  || psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE vanban"
	@redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 \
	  --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	@for i in $$(seq 1 20); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done

lint: install-test
	$(BIN)/ruff check .

test-sqlite: install-test chromium debian-packages services
	env -u VANBAN_DATABASE_URL $(BIN)/pytest -p no:cacheprovider

test-postgres: install-test chromium debian-packages services
	VANBAN_DATABASE_URL=$(PG_URL) $(BIN)/pytest -p no:cacheprovider

# The whole suite, on SQLite and then on PostgreSQL.
test: install-test chromium debian-packages services lint
	@echo "=== SQLite ==="
	$(MAKE) --no-print-directory test-sqlite
	@echo "=== PostgreSQL ==="
	$(MAKE) --no-print-directory test-postgres

# Re-pin every dependency after changing pyproject.toml.
lock:
	$(BIN)/pip freeze --exclude-editable | grep -v '^vanban' > requirements.lock

clean:
	rm -rf var/test-* .pytest_cache
