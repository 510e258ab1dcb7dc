"""The quarantined Keras conformance harness works, and fails a layer that breaks its contract."""

import keras
import pytest

from audioflow import layers
from tests.keras_conformance import run_layer_test


def test_harness_passes_a_conforming_layer():
    run_layer_test(
        layers.Delta,
        dict(width=3),
        input_shape=(2, 6, 4),
        expected_output_shape=(2, 6, 4),
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        run_training_check=False,
    )


@keras.saving.register_keras_serializable(package="audioflow_tests")
class ForgetfulScale(keras.layers.Layer):
    """Leaves its (required) argument out of get_config: rebuilding it from its config fails."""

    def __init__(self, *, factor, **kwargs):
        super().__init__(**kwargs)
        self.factor = factor

    def call(self, inputs):
        return inputs * self.factor

    def get_config(self):
        return super().get_config()


def test_harness_fails_a_layer_whose_config_loses_an_argument():
    with pytest.raises(TypeError, match="factor"):
        run_layer_test(ForgetfulScale, dict(factor=3.0), input_shape=(2, 3), expected_output_shape=(2, 3))


def test_harness_fails_an_unexpected_weight_count():
    with pytest.raises(AssertionError, match="Unexpected number of non_trainable_weights"):
        run_layer_test(
            layers.MelScale,
            dict(sample_rate=8000, n_fft=64, n_mels=8),
            input_shape=(2, 5, 33),
            expected_num_non_trainable_weights=0,
        )


def test_harness_fails_a_wrong_output_shape():
    with pytest.raises(AssertionError):
        run_layer_test(layers.Delta, dict(width=3), input_shape=(2, 6, 4), expected_output_shape=(2, 6, 5))
