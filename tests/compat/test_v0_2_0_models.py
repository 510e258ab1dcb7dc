"""Models saved by audioflow 0.2.0 on each backend (``make_fixtures_v0_2_0.py``) load on this backend
with the outputs they had when saved."""

from __future__ import annotations

import warnings
from pathlib import Path

import keras
import numpy as np
import pytest

import audioflow.layers  # noqa: F401  (registers the layers for deserialisation)
from audioflow.models import classifier_info, load_classifier
from tests.helpers import to_numpy
from tests.tolerances import relative_error

FIXTURES = Path(__file__).resolve().parent / "fixtures_v0_2_0"
SAVED_BY = ("tensorflow", "jax", "torch")
#: Every kind of layer 0.2.0 has, and the classifier with each front end.
LAYER_FIXTURES = (
    "add_noise",
    "amplitude_to_db",
    "delta_interp",
    "delta_nearest",
    "inverse_stft",
    "leaf",
    "leaf_stereo_fixed_pcen",
    "logmel_stereo_max",
    "mel_scale_htk_trainable",
    "melspectrogram_trainable",
    "mfcc_dct3",
    "pcen",
    "pcen_trainable_first_frame",
    "power_to_db",
    "random_gain",
    "random_time_shift",
    "spec_augment",
    "spectrogram_tukey",
    "stft_reflect_stereo",
    "stft_uncentred",
)
CLASSIFIERS = {"tensorflow": ("logmel",), "jax": ("logmel", "pcen"), "torch": ("logmel", "leaf")}
LAYER_CASES = [(backend, name) for backend in SAVED_BY for name in LAYER_FIXTURES]
CLASSIFIER_CASES = [(backend, frontend) for backend in SAVED_BY for frontend in CLASSIFIERS[backend]]
#: float32 re-computation of the same graph (other backend or FFT library) vs the saved output.
SAVED_OUTPUT_RTOL = 1e-5


def _ids(case):
    return "-".join(case)


def test_every_fixture_is_present():
    for backend in SAVED_BY:
        names = sorted(p.stem for p in (FIXTURES / backend).glob("*.keras"))
        expected = [*LAYER_FIXTURES, "mixup", *(f"classifier_{f}" for f in CLASSIFIERS[backend])]
        assert names == sorted(expected), backend


def _assert_same(name, actual, saved):
    assert actual.shape == saved.shape
    if "db" in name or "logmel" in name or "mfcc" in name:
        np.testing.assert_allclose(actual, saved, atol=1e-3)
    else:
        assert relative_error(actual, saved) < SAVED_OUTPUT_RTOL


@pytest.mark.parametrize("case", LAYER_CASES, ids=_ids)
def test_layer_saved_by_0_2_0_loads_with_identical_outputs(case):
    backend, name = case
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.saving.load_model(FIXTURES / backend / f"{name}.keras")
    saved = np.load(FIXTURES / backend / f"{name}.npz")
    _assert_same(name, to_numpy(model(saved["x"], training=False)), saved["y"])


@pytest.mark.parametrize("backend", SAVED_BY)
def test_mixup_saved_by_0_2_0_loads(backend):
    model = keras.saving.load_model(FIXTURES / backend / "mixup.keras")
    saved = np.load(FIXTURES / backend / "mixup.npz")
    x, labels = model([saved["x"], saved["labels"]], training=False)
    np.testing.assert_array_equal(to_numpy(x), saved["y"])
    np.testing.assert_array_equal(to_numpy(labels), saved["y_labels"])
    mixup = next(layer for layer in model.layers if isinstance(layer, audioflow.layers.Mixup))
    assert (mixup.alpha, mixup.seed) == (0.4, 5)


@pytest.mark.parametrize("case", CLASSIFIER_CASES, ids=_ids)
def test_classifier_saved_by_0_2_0_loads_with_its_metadata_and_outputs(case):
    backend, frontend = case
    path = FIXTURES / backend / f"classifier_{frontend}.keras"
    model, info = load_classifier(path)
    assert info["class_names"] == ["left", "right", "up"]
    assert info["sample_rate"] == 8000 and info["clip_samples"] == 2000
    assert classifier_info(model) == info
    saved = np.load(path.with_suffix(".npz"))
    np.testing.assert_allclose(to_numpy(model(saved["x"])), saved["y"], atol=1e-5)
