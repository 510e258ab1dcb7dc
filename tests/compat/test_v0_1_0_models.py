"""Models saved by audioflow 0.1.0 (``make_fixtures_v0_1_0.py``) load and give the same outputs."""

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

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LAYER_FIXTURES = sorted(p.stem for p in FIXTURES.glob("*.keras") if p.stem != "classifier")
#: float32 re-computation of the same graph (other backend or FFT library) vs the saved output.
SAVED_OUTPUT_RTOL = 1e-5


def test_every_fixture_is_present():
    assert len(LAYER_FIXTURES) == 10, LAYER_FIXTURES


@pytest.mark.parametrize("name", LAYER_FIXTURES)
def test_layer_saved_by_0_1_0_loads_with_identical_outputs(name):
    model = keras.saving.load_model(FIXTURES / f"{name}.keras")
    saved = np.load(FIXTURES / f"{name}.npz")
    actual = to_numpy(model(saved["x"]))
    assert actual.shape == saved["y"].shape
    if "db" in name or "logmel" in name:
        np.testing.assert_allclose(actual, saved["y"], atol=1e-3)
    else:
        assert relative_error(actual, saved["y"]) < SAVED_OUTPUT_RTOL


def test_classifier_saved_by_0_1_0_loads_with_its_metadata_and_outputs():
    model, info = load_classifier(FIXTURES / "classifier.keras")
    assert info["class_names"] == ["left", "right", "up"]
    assert info["sample_rate"] == 8000 and info["clip_samples"] == 2000
    assert classifier_info(model) == info
    saved = np.load(FIXTURES / "classifier.npz")
    np.testing.assert_allclose(to_numpy(model(saved["x"])), saved["y"], atol=1e-5)


@pytest.mark.parametrize("name", [*LAYER_FIXTURES, "classifier"])
def test_loading_a_0_1_0_file_warns_nothing(name):
    """0.1.0 files hold no filterbank weight: loading keeps the exact one, silently."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = keras.saving.load_model(FIXTURES / f"{name}.keras")
    filterbanks = [w for w in model.weights if w.name == "filterbank"]
    assert all(not w.trainable for w in filterbanks)
    if "mel" in name or name in ("mfcc", "classifier"):
        assert len(filterbanks) == 1
