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

# Debian packages the tests drive: Chromium (browser tests), LibreOffice and poppler (the Word layout test).
SYSTEM_TOOLS := chromium libreoffice pdftotext
system-deps:
	@missing=0; for tool in $(SYSTEM_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	if [ $$missing = 1 ]; then \
	  echo "安装测试所需的系统软件包（chromium、libreoffice、poppler-utils、中文字体）……"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq \
	    chromium libreoffice-writer-nogui poppler-utils fonts-noto-cjk >/dev/null; \
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
