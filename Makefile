# `make run`: set up and start the chat.  `make test`: set up and run the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ONNX := $(VENV)/share/cashmere-assistant/minilm.onnx
HOST ?= 127.0.0.1
PORT ?= 7860

.PHONY: setup run test test-fast lint index browser reader clean

setup: $(STAMP) $(ONNX)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# CPU torch from local disk first; an unpinned torch would pull a several-GB CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

# MiniLM for questions without torch: exported from the packaged weights, checked against torch
$(ONNX): $(STAMP)
	$(BIN)/python -m assistant.models.onnx_minilm

index: setup
	$(BIN)/python -m assistant build

run: index
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

# Debian's Chromium for the browser tests (Playwright never downloads a browser here)
browser:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }

test: setup browser lint
	$(BIN)/python -m pytest

# The tests that need no embedding model or index: the rule tables, limits, loaders, the reader (seconds)
test-fast: setup
	$(BIN)/python -m pytest -m "not models"

# ruff (the rules in pyproject.toml) and mypy --strict on the package
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Retrain the reader from ../shared/benchmarks/squad (62 to about 110 minutes here, by the machine), refine it on
# the visitor-style questions of training/visitor_questions (about 28 minutes), then calibrate it (10 to 17 minutes);
# then the multilingual reader, for other languages' ties (about 35 minutes on a CPU with bfloat16 units) and its
# second pass (about 60 minutes) and its French "not sure" threshold (2 minutes). The readers' second pass
# (docs/reader.md): visitor-style questions, "about" pages, a "no answer" option.
SECOND_PASS = --request-share 0 --visitor-questions training/visitor_questions/pages_*.jsonl --visitor-repeat 2 \
	--about-pages training/about_pages/set_*.jsonl --about-repeat 3 --listwise 1.0 --listwise-null

reader: setup
	$(BIN)/python training/train_reader.py
	$(BIN)/python training/refine_reader.py --base models/reader.onnx --out models $(SECOND_PASS)
	$(BIN)/python training/calibrate_reader.py --about-pages training/about_pages/calibration.jsonl
	$(BIN)/python training/train_reader.py --base e5-full --questions 8000
	$(BIN)/python training/refine_reader.py --base models/reader-multilingual.onnx --out models $(SECOND_PASS)
	$(BIN)/python training/calibrate_multilingual.py --language fr --pages training/about_pages_fr/calibration.jsonl

clean:
	rm -rf index test-artifacts .pytest_cache
