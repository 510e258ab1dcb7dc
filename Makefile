# Each target does its own set-up: a virtualenv in .venv with the three Keras backends.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of PyTorch (a plain `torch` requirement pulls a multi-GB CUDA build).
TORCH_SPEC ?= torch==2.13.0
PYTEST_ARGS ?=

.PHONY: demo test test-tensorflow test-jax test-torch bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[tensorflow,jax,torch,test,dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/python -m audioflow.demo

test: test-tensorflow test-jax test-torch

test-tensorflow: $(STAMP)
	KERAS_BACKEND=tensorflow $(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -m pytest -n 2 -m "not backend_independent" $(PYTEST_ARGS)

test-torch: $(STAMP)
	KERAS_BACKEND=torch $(PY) -m pytest -n 2 -m "not backend_independent" $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_features.py
	$(PY) benchmarks/bench_pipeline.py

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/ruff format --check src tests benchmarks

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks
	$(VENV)/bin/ruff check --fix src tests benchmarks

clean:
	rm -rf $(VENV) demo-output .pytest_cache
