# leadscore — run `make help` for the list of targets.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# pytest workers (pytest-xdist): one per core by default; WORKERS=0 runs the suite in one process
WORKERS ?= auto
export MLFLOW_DISABLE_TELEMETRY := true
export PYTHONHASHSEED := 0

.DEFAULT_GOAL := help

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

## help: list every target
help:
	@grep -E '^## ' $(MAKEFILE_LIST) | sed -e 's/^## /  make /' -e 's/: /\t/' | expand -t 26

## install: create .venv and install leadscore with its test extras
install: $(STAMP)

## demo: sample CRM → train → predict the open contacts → tier table
demo: $(STAMP)
	$(BIN)/leadscore sample-data --out data/raw
	$(BIN)/leadscore train data/raw/contacts.csv --activities data/raw/activities.csv
	$(BIN)/leadscore predict data/raw/contacts.csv --activities data/raw/activities.csv \
		--as-of 2026-07-01 --out data/processed/predictions.csv

## real-data: leadscore beside three reference models on each shared real data set; table + reports/real-data.json
real-data: $(STAMP)
	$(BIN)/python -m leadscore.benchmark $${LEADSCORE_REAL_DATA:-../shared/data}

## test: the whole test suite (Spark, real data, server and notebook tests included)
test: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS)

## test-fast: all but the Spark, real-data, server, notebook and slow tests (the inner loop)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(WORKERS) -m "not spark and not realdata and not server and not notebook and not slow"

## bench: scale benchmark vs the hand-written script (1 M contacts, 10 M flat rows; heavy, GBs)
bench: $(STAMP)
	$(BIN)/python bench/run.py

## bench-quick: the same comparisons on 200 k flat rows and the sample CRM (~3 min); one JSON line
bench-quick: $(STAMP)
	$(BIN)/python bench/quick.py

## lint: ruff check, format check and the type checker (mypy) on src/
lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/mypy

## format: apply ruff formatting and safe fixes
format: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

## mlflow-ui: the MLflow UI on the local store, one worker (http://127.0.0.1:5000; Ctrl-C stops it)
# One uvicorn worker and no job runner (MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false: no huey
# consumers, which only serve MLflow's GenAI jobs): two processes, mlflow and its uvicorn,
# both in the terminal's process group, so Ctrl-C stops both. exec: no shell in between.
MLFLOW_PORT ?= 5000
mlflow-ui: $(STAMP)
	MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false exec $(BIN)/mlflow server \
		--backend-store-uri $${MLFLOW_TRACKING_URI:-sqlite:///mlflow.db} \
		--host 127.0.0.1 --port $(MLFLOW_PORT) --workers 1

## clean: remove generated data, models, reports and the local MLflow store
clean:
	rm -rf data/raw/*.csv data/raw/*.parquet data/interim/* data/processed/* models/leadscore reports/* mlflow.db mlartifacts

.PHONY: help install demo real-data test test-fast bench bench-quick lint format mlflow-ui clean
