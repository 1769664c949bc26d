VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install system-deps run test lint bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

run: install
	$(VENV)/bin/drafting serve --host 127.0.0.1 --port 8000

# Debian packages the tests drive: Chromium (browser tests), LibreOffice Writer and Calc with poppler (the Word and
# Excel layout tests), PostgreSQL (the shared-history tests) and the Noto CJK fonts.
SYSTEM_TOOLS := chromium libreoffice pdftotext
SYSTEM_FILES := /usr/lib/libreoffice/program/libswlo.so /usr/lib/libreoffice/program/libsclo.so
system-deps:
	@missing=0; for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	for file in $(SYSTEM_FILES); do test -e $$file || missing=1; done; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing=1; \
	if [ $$missing = 1 ]; then \
	  echo "安装测试所需的系统软件包（chromium、libreoffice、poppler-utils、postgresql、中文字体）……"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils postgresql fonts-noto-cjk \
	    >/dev/null; \
	fi

test: install system-deps
	$(PY) -m pytest -q

lint: install
	$(VENV)/bin/ruff check drafting service.py tests benchmarks
	$(VENV)/bin/mypy drafting service.py
	$(VENV)/bin/lint-imports

bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache
