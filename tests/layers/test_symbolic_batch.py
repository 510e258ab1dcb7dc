"""Feature layers in models whose batch size is unknown until they run (functional models, export)."""

import keras
import numpy as np
import pytest

from audioflow import layers
from tests.helpers import BACKEND, synthetic_signals, to_numpy
from tests.tolerances import DB_ATOL, POWER_RTOL, max_db_error_above_floor, relative_error

SAMPLES = 8000
KWARGS = dict(sample_rate=16000, n_fft=512, hop_length=128, n_mels=40)
FILTERED_LAYERS = [
    (layers.MelSpectrogram, KWARGS),
    (layers.LogMelSpectrogram, KWARGS),
    (layers.MFCC, dict(KWARGS, n_mfcc=13)),
]
IDS = [layer_class.__name__ for layer_class, _ in FILTERED_LAYERS]


def _batch(size: int) -> np.ndarray:
    signals = [np.resize(s, SAMPLES) for s in synthetic_signals(sample_rate=16000).values()]
    return np.stack([signals[i % len(signals)] * (1 + i) for i in range(size)]).astype(np.float32)


def _assert_same(layer_class, actual, expected):
    if layer_class is layers.LogMelSpectrogram:
        for a, e in zip(actual, expected, strict=True):
            assert max_db_error_above_floor(a, e) < DB_ATOL
    else:  # mel power, or MFCCs: the same computation, compared relative to the norm
        assert relative_error(actual, expected) < POWER_RTOL


@pytest.mark.parametrize("layer_class, kwargs", FILTERED_LAYERS, ids=IDS)
def test_functional_model_with_unknown_batch_equals_the_layer(layer_class, kwargs):
    layer = layer_class(**kwargs)
    inputs = keras.Input(shape=(SAMPLES,))  # batch size unknown (None) when the model is traced
    model = keras.Model(inputs, layer(inputs))
    assert model.output.shape[0] is None
    for size in (3, 5):  # several batch sizes through one traced model
        x = _batch(size)
        actual = model.predict(x, batch_size=size, verbose=0)
        assert actual.shape[0] == size
        _assert_same(layer_class, actual, to_numpy(layer_class(**kwargs)(x)))


@pytest.mark.skipif(BACKEND == "torch", reason="Keras exports a TF SavedModel from TensorFlow and JAX only")
@pytest.mark.parametrize("layer_class, kwargs", FILTERED_LAYERS, ids=IDS)
def test_export_to_tf_saved_model_with_symbolic_batch(tmp_path, layer_class, kwargs):
    import tensorflow as tf

    inputs = keras.Input(shape=(SAMPLES,))
    model = keras.Model(inputs, layer_class(**kwargs)(inputs))
    model.export(str(tmp_path / "model"), format="tf_saved_model", verbose=False)
    reloaded = tf.saved_model.load(str(tmp_path / "model"))
    for size in (2, 4):
        x = _batch(size)
        actual = reloaded.serve(tf.constant(x)).numpy()
        _assert_same(layer_class, actual, to_numpy(layer_class(**kwargs)(x)))
