# Each target does its own set-up: a virtualenv in .venv with the three Keras backends.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of PyTorch (a plain `torch` requirement pulls a multi-GB CUDA build).
TORCH_SPEC ?= torch==2.13.0
PYTEST_ARGS ?=
# Two workers; a module marked `xdist_group` (an expensive shared fixture: a trained model, an
# exported artefact) runs on one of them, so the fixture is built once per backend.
XDIST := -n 2 --dist loadgroup

.PHONY: demo test test-tensorflow test-jax test-torch test-notf docs bench lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "$(TORCH_SPEC)"
	$(PY) -m pip install -q -e ".[tensorflow,jax,torch,test,dev,export,grain,docs]"
	# torchaudio (the Kaldi, resampling and LFCC references) and nnAudio (the CQT peer): PyPI's
	# torchaudio is a CUDA build whose compiled part cannot load on a CPU-only torch; the
	# references used (compliance.kaldi, functional, transforms) are pure Python over torch.
	$(PY) -m pip install -q --no-deps torchaudio==2.11.0 nnAudio==0.3.4
	rm -f $$($(PY) -c "import sysconfig; print(sysconfig.get_paths()['purelib'])")/torchaudio/lib/*.so
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/audioflow train --out demo-output/model --examples-per-class 150 --epochs 20 --force
	$(VENV)/bin/audioflow make-dataset --out demo-output/new-clips --examples-per-class 2 --seed 2024 --force
	@echo "--- predictions on 12 clips the model has never seen (demo-output/new-clips/<true class>/...):"
	$(VENV)/bin/audioflow predict demo-output/model/model.keras demo-output/new-clips
	$(VENV)/bin/audioflow plot demo-output/new-clips/chirp_up/chirp_up_0000.flac --kind mel --out demo-output/plots/chirp_up-mel.png --force
	$(VENV)/bin/audioflow plot demo-output/new-clips/click_train/click_train_0000.ogg --kind waveform --out demo-output/plots/click_train-waveform.png --force
	@echo "--- outputs:"
	@echo "  demo-output/model/model.keras   raw 16 kHz audio in, class probabilities out (class names inside)"
	@echo "  demo-output/model/report.json   validation accuracy, per-class accuracy, confusion matrix, timings"
	@echo "  demo-output/model/*.png         training curves, confusion matrix, a log-mel spectrogram per class"
	@echo "  demo-output/model/data/         the built-in training data (WAV/FLAC/OGG, mixed sample rates)"
	@echo "  demo-output/plots/*.png         'audioflow plot' of two new clips"
	@echo "Next: .venv/bin/audioflow train my_folder/ --out run1   (one sub-folder of audio per class)"

test: test-tensorflow test-jax test-torch test-notf

export TF_CPP_MIN_LOG_LEVEL := 3

test-tensorflow: $(STAMP)
	KERAS_BACKEND=tensorflow $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -m pytest $(XDIST) -m "not backend_independent" $(PYTEST_ARGS)

test-torch: $(STAMP)
	KERAS_BACKEND=torch $(PY) -m pytest $(XDIST) -m "not backend_independent" $(PYTEST_ARGS)

# A venv without TensorFlow (PyTorch, JAX, Grain; no reference packages): the tests marked `notf`
# (loaders, DDP, JAX data parallel, CLI train/predict) under the torch backend, as a user of
# `pip install audioflow[torch]` or `[jax]` runs them.
NOTF_VENV ?= .venv-notf
NOTF_PY := $(NOTF_VENV)/bin/python
$(NOTF_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(NOTF_VENV)
	$(NOTF_PY) -m pip install -q --upgrade pip
	$(NOTF_PY) -m pip install -q "$(TORCH_SPEC)"
	$(NOTF_PY) -m pip install -q -e ".[torch,jax,grain]" "pytest>=8"
	@if $(NOTF_PY) -c "import tensorflow" 2>/dev/null; then echo "TensorFlow got installed into $(NOTF_VENV)"; exit 1; fi
	touch $@

# The modules holding `notf` tests (the others import TensorFlow or the reference packages).
NOTF_TESTS := tests/data/test_loaders.py tests/data/test_distributed_loaders.py \
	tests/test_without_tensorflow.py tests/cli/test_train_predict.py
test-notf: $(NOTF_VENV)/.installed
	KERAS_BACKEND=torch $(NOTF_PY) -m pytest -m notf $(NOTF_TESTS) $(PYTEST_ARGS)

# The docs site (MkDocs Material + mkdocstrings), warnings as errors; the gallery's pictures are
# drawn by running examples/*.py (docs/hooks/gallery.py; cached in build/gallery).
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# Peers for the feature benchmark, outside the project's venv: kapre pins older Keras/TensorFlow,
# and PyPI's torchaudio is a CUDA build whose compiled part cannot load on a CPU-only torch (its
# transforms are pure Python over torch.stft, so the timed code is the same without it).
BENCH_SITE := .bench-site
$(BENCH_SITE)/.installed: $(STAMP)
	$(PY) -m pip install -q --no-deps --target $(BENCH_SITE) kapre==0.4.1 nnAudio==0.3.4 torchaudio==2.11.0
	rm -f $(BENCH_SITE)/torchaudio/lib/*.so
	touch $@

# BENCH_ARGS=--quick for a short run of both speed benchmarks (a few minutes each).
BENCH_ARGS ?=
bench: $(STAMP) $(BENCH_SITE)/.installed
	$(PY) benchmarks/bench_features.py --extra-site $(BENCH_SITE) $(BENCH_ARGS)
	$(PY) benchmarks/bench_training.py --extra-site $(BENCH_SITE) $(BENCH_ARGS)
	$(PY) benchmarks/bench_pipeline.py --repeats 5 --clips 300 --long 8

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks examples docs/hooks
	$(VENV)/bin/ruff format --check src tests benchmarks examples docs/hooks

format: $(STAMP)
	$(VENV)/bin/ruff format src tests benchmarks examples docs/hooks
	$(VENV)/bin/ruff check --fix src tests benchmarks examples docs/hooks

clean:
	rm -rf $(VENV) $(NOTF_VENV) $(BENCH_SITE) demo-output .pytest_cache site build/gallery
