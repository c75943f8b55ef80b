# jixiao — two commands set everything up on a fresh machine: `make all` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: all install test bench corpus clean

all: $(STAMP)
	bash scripts/ensure_apt.sh soffice libreoffice-writer-nogui libreoffice-calc-nogui
	bash scripts/ensure_apt.sh bsdtar libarchive-tools
	$(BIN)/jixiao run data/raw --out data/out

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	bash scripts/ensure_apt.sh chromium chromium
	bash scripts/ensure_apt.sh soffice libreoffice-writer-nogui libreoffice-calc-nogui
	bash scripts/ensure_apt.sh bsdtar libarchive-tools
	$(BIN)/python -m pytest -q -p no:cacheprovider

bench: $(STAMP)
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.scan_timing
	$(BIN)/python -m bench.fuzz --files 1000 --seed 0
	$(BIN)/python -m bench.names
	$(BIN)/python -m bench.scale

corpus: $(STAMP)
	sh tests/corpus/render/ensure_tools.sh
	$(BIN)/python -m tests.corpus.render

clean:
	rm -rf data/out bench/work bench/results.json bench/scan_timing.json bench/names.json bench/scale.json
