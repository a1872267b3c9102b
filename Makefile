# Front door. The first target that needs it creates .venv and installs everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# The console command pip installs (pyproject.toml [project.scripts]), as officers run it.
TONG_HOP := $(VENV)/bin/tong-hop-588
STAMP := $(VENV)/.installed
INBOX ?= inbox
# Empty: each configuration's own folder ([paths] outbox in schemas/*.toml: outbox for
# Kiên Giang, outbox-an-giang for An Giang), as the command chooses it without --outbox.
OUTBOX ?=
CONFIG ?= schemas/kien-giang.toml
# The command as make runs it: TONG_HOP_MAKE tells it that options are make variables, so
# its messages say OUTBOX=… rather than --outbox.
RUN := TONG_HOP_MAKE=1 $(TONG_HOP)
OUTBOX_ARG = $(if $(OUTBOX),--outbox '$(subst ','\'',$(OUTBOX))')
QUOTED_INBOX = '$(subst ','\'',$(INBOX))'

.PHONY: help templates consolidate demo pdf check test lint format bench samples bundle clean fetch-mail drafts tong-ket new-year

help:
	@echo "make templates    - tạo mẫu trống cho từng đơn vị (<thư mục kết quả>/templates/<năm>/)"
	@echo "make consolidate  - kiểm tra và tổng hợp các tệp trong inbox/ vào <thư mục kết quả>/<năm>/"
	@echo "                    (thư mục kết quả: outbox cho Kiên Giang, outbox-an-giang cho An Giang; đổi bằng OUTBOX=…)"
	@echo "make new-year     - chuẩn bị cấu hình cho năm báo cáo tiếp theo (CONFIG=… là cấu hình năm nay)"
	@echo "make demo         - tổng hợp hộp thư mẫu examples/inbox vào outbox/demo/"
	@echo "make pdf          - in báo cáo và các biểu B01-B06 ra một tệp PDF để ký (cần LibreOffice)"
	@echo "make tong-ket     - bảng tổng hợp và dự thảo báo cáo tổng kết 2019-2025 từ kết quả các năm"
	@echo "make check FILE=… - kiểm tra riêng một tệp"
	@echo "make fetch-mail   - tải thư báo cáo từ hộp thư (chỉ đọc) vào inbox/thu/"
	@echo "make drafts       - soạn thư trả lời từng đơn vị (outbox/<năm>/thu/); SEND=1 để gửi, thêm NHAC_LAI=1 để nhắc lại thư đã gửi"
	@echo "make test         - chạy toàn bộ kiểm thử"
	@echo "make lint         - kiểm tra mã (ruff) và các tầng import (import-linter)"
	@echo "make bench        - đo tốc độ (benchmarks/)"
	@echo "make samples      - tạo lại hộp thư mẫu examples/inbox"
	@echo "make bundle       - tạo bộ cài không cần internet cho Windows (dist/ban-cai-dat-windows/)"

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

templates: $(STAMP)
	$(RUN) --config $(CONFIG) templates $(OUTBOX_ARG)

consolidate: $(STAMP)
	$(RUN) --config $(CONFIG) consolidate --inbox $(QUOTED_INBOX) $(OUTBOX_ARG)

demo: $(STAMP)
	$(RUN) consolidate --inbox examples/inbox --outbox $(or $(OUTBOX),outbox)/demo

fetch-mail: $(STAMP)
	$(RUN) --config $(CONFIG) mail fetch --inbox $(QUOTED_INBOX)

drafts: $(STAMP)
	$(RUN) --config $(CONFIG) mail drafts $(OUTBOX_ARG) $(if $(SEND),--send) $(if $(NHAC_LAI),--nhac-lai)

new-year: $(STAMP)
	$(RUN) --config $(CONFIG) new-year

# The final review: 2025 from An Giang's outbox, 2019-2024 from Kiên Giang's (each
# configuration's [paths] outbox; OUTBOX=… reads that one folder only).
REVIEW_CONFIG ?= schemas/an-giang.toml
tong-ket: $(STAMP)
	$(RUN) --config $(REVIEW_CONFIG) tong-ket $(OUTBOX_ARG)

pdf: $(STAMP)
	$(RUN) --config $(CONFIG) pdf $(OUTBOX_ARG)

# FILE in single quotes, its own single quotes escaped: any file name (spaces, parentheses,
# $, quotes) reaches the command as one argument.
QUOTED_FILE = '$(subst ','\'',$(value FILE))'

check: $(STAMP)
	@test -n $(QUOTED_FILE) || (echo "Cách dùng: make check FILE='duong/dan/tep (1).xlsx'" && exit 2)
	$(RUN) --config $(CONFIG) check $(QUOTED_FILE)

samples: $(STAMP)
	$(TONG_HOP) samples --out examples/inbox

# One pytest worker per logical core (pytest-xdist), a whole test file to a worker so that its
# module fixtures are built once; TEST_JOBS=0 runs them all in this process.
TEST_JOBS ?= logical
test: $(STAMP)
	$(PY) -m pytest -q -n $(TEST_JOBS) --dist loadfile --durations=25

lint: $(STAMP)
	$(PY) -m ruff check pipeline tests benchmarks packaging
	$(PY) -m ruff format --check pipeline tests benchmarks packaging
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(PY) -m ruff format pipeline tests benchmarks packaging
	$(PY) -m ruff check --fix pipeline tests benchmarks packaging

bench: $(STAMP)
	$(PY) benchmarks/bench.py
	$(PY) benchmarks/prescan.py
	$(PY) benchmarks/mailbench.py
	$(PY) benchmarks/provinces.py

bundle: $(STAMP)
	$(PY) packaging/bundle.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis build dist
