"""The JAX routes' TensorFlow re-export: a custom layer is named when it cannot be rebuilt, and its
module is imported in the child when it can (issue 16 item 11)."""

import keras
import numpy as np
import pytest

from audioflow import ParameterError
from audioflow.export import export_model, formats_for_backend, load_exported
from audioflow.export._child import layer_modules
from audioflow.layers import LogMelSpectrogram
from tests.export.custom_layers import Doubling
from tests.helpers import BACKEND, to_numpy


class Unregistered(keras.layers.Layer):
    def call(self, x):
        return x + 1.0


def _model(extra):
    inputs = keras.Input((1600,))
    return keras.Model(inputs, extra(LogMelSpectrogram(sample_rate=16000, n_fft=256, n_mels=8)(inputs)))


def test_an_unregistered_layer_is_named():
    model = _model(Unregistered(name="my_offset"))
    with pytest.raises(
        ParameterError, match=r"'my_offset' \(Unregistered from tests.export.test_custom_layers\)"
    ):
        layer_modules(model)


def test_a_registered_layer_names_its_module():
    assert layer_modules(_model(Doubling(name="twice"))) == ["tests.export.custom_layers"]
    assert layer_modules(_model(keras.layers.Dense(3))) == []


@pytest.mark.skipif(BACKEND != "jax", reason="the TensorFlow child process is JAX's TFLite/ONNX route")
@pytest.mark.parametrize("format", ["tflite", "onnx"])
def test_jax_exports_a_model_with_a_registered_custom_layer(tmp_path, format):
    model = _model(Doubling(name="twice"))
    path = tmp_path / f"m.{format}"
    export_model(model, path, format=format)
    x = np.random.default_rng(0).standard_normal((2, 1600)).astype("float32")
    np.testing.assert_allclose(load_exported(path, format)(x), to_numpy(model(x)), atol=1e-3)


@pytest.mark.skipif(BACKEND != "jax", reason="the TensorFlow child process is JAX's TFLite/ONNX route")
def test_jax_export_of_an_unregistered_layer_names_it(tmp_path):
    assert "tflite" in formats_for_backend()
    with pytest.raises(ParameterError, match="my_offset"):
        export_model(_model(Unregistered(name="my_offset")), tmp_path / "m.tflite", format="tflite")
