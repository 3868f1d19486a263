# newsgraph: the README's commands. `make demo` and `make test` set up
# everything they need (virtualenv, Python packages, Neo4j jars) on first use.

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
NEWSGRAPH := $(VENV)/bin/newsgraph
STAMP := $(VENV)/.installed
NEO4J_LIB := services/neo4j/target/lib/.built

.PHONY: install demo test lint typecheck check neo4j-start neo4j-stop clean screenshot train-relations train-ner bench truecase-table calibrate

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "error: $(PYTHON) not found (newsgraph needs Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

# Maven 3.8 with jansi 2 (Debian's) writes colour resets ("[0m") even with -B -q
# -Dstyle.color=never, so its output goes to build/maven.log and is shown only on failure.
$(NEO4J_LIB): services/neo4j/pom.xml
	@command -v mvn >/dev/null 2>&1 || { echo "error: Maven (mvn) is needed to fetch Neo4j's jars"; exit 1; }
	@command -v java >/dev/null 2>&1 || { echo "error: a Java 17 runtime is needed to run Neo4j"; exit 1; }
	@mkdir -p build
	cd services/neo4j && mvn -q -B -Dstyle.color=never package >../../build/maven.log 2>&1 \
		|| { cat ../../build/maven.log; exit 1; }
	touch $@

install: $(STAMP) $(NEO4J_LIB)

# Rebuild the truecasing table (case statistics for lowercased input) from the cased
# corpora in ../shared. The table is committed in extractors/data, so `install` never
# needs ../shared: a clone without it, a wheel and the Docker image all read the same one.
# Confidences per rule and source, and the default cut-off, measured on the news dev set
# (../shared/datasets/cnn-facts) into extractors/data/calibration.json (committed); rerun
# after any change to extraction (tests/test_calibration.py checks it is current).
calibrate: $(STAMP)
	$(NEWSGRAPH) build calibration

truecase-table: $(STAMP)
	$(NEWSGRAPH) build truecase-table --out extractors/data/truecase.json

neo4j-start: install
	$(NEWSGRAPH) neo4j start

neo4j-stop:
	$(NEWSGRAPH) neo4j stop

demo: install
	$(NEWSGRAPH) neo4j start
	$(NEWSGRAPH) demo examples

test: install
	$(PY) -m pytest -q

# Benchmarks against stock spaCy and rdflib-neo4j on ../shared/corpora/reuters21578.jsonl,
# on a Neo4j of their own (bolt 7694); BENCH_ARGS="--docs 2000 --json" for a shorter run.
bench: install
	$(NEWSGRAPH) bench $(BENCH_ARGS)

# Headless Chromium logs in to the local Neo4j Browser and saves docs/screenshots/browser.png.
screenshot: install
	NEWSGRAPH_SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest -q tests/test_browser_screenshot.py

# Retrain the relation classifier (weights in extractors/models/relations, committed).
train-relations: $(STAMP)
	OMP_NUM_THREADS=1 $(NEWSGRAPH) build relations --out extractors/models/relations

# Retrain the case-robust NER (weights in extractors/models/ner, committed); about 25 min on one thread.
train-ner: $(STAMP)
	$(NEWSGRAPH) build ner-data --out build/ner
	OMP_NUM_THREADS=1 $(PY) -m spacy train tools/training/ner.cfg --code tools/training/augment.py \
		--output build/ner-train --paths.train build/ner/train.spacy --paths.dev build/ner/valid.spacy
	rm -rf extractors/models/ner && cp -r build/ner-train/model-best extractors/models/ner

lint: $(STAMP)
	$(VENV)/bin/ruff check .

typecheck: $(STAMP)
	$(VENV)/bin/mypy

check: lint typecheck test

clean:
	rm -rf build services/neo4j/target .pytest_cache .mypy_cache .ruff_cache
