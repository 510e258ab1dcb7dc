# Each target does its own set-up: a virtualenv in .venv with the three Keras backends.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# The CPU build of PyTorch (a plain `torch` requirement pulls a multi-GB CUDA build).
TORCH_SPEC ?= torch==2.13.0
PYTEST_ARGS ?=

.PHONY: demo test test-tensorflow test-jax test-torch docs bench lint format clean

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

test: test-tensorflow test-jax test-torch

export TF_CPP_MIN_LOG_LEVEL := 3

test-tensorflow: $(STAMP)
	KERAS_BACKEND=tensorflow $(PY) -m pytest -n 2 $(PYTEST_ARGS)

test-jax: $(STAMP)
	KERAS_BACKEND=jax $(PY) -m pytest -n 2 -m "not backend_independent" $(PYTEST_ARGS)

test-torch: $(STAMP)
	KERAS_BACKEND=torch $(PY) -m pytest -n 2 -m "not backend_independent" $(PYTEST_ARGS)

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
	rm -rf $(VENV) $(BENCH_SITE) demo-output .pytest_cache site build/gallery
