"""The LEAF layer: shapes, gradients to every parameter, saving, channels, precision, errors."""

import keras
import numpy as np
import pytest

from audioflow import ParameterError, layers
from tests.helpers import BACKEND, to_numpy


def _small(**kwargs):
    return layers.Leaf(sample_rate=8000, n_filters=8, **kwargs)


def _waveforms(batch=2, samples=2000, channels=None, seed=0):
    shape = (batch, samples) + (() if channels is None else (channels,))
    return (0.3 * np.random.default_rng(seed).standard_normal(shape)).astype(np.float32)


def test_paper_defaults_give_40_filters_every_10_ms():
    layer = layers.Leaf()
    out = to_numpy(layer(_waveforms(samples=16000)))
    assert out.shape == (2, 100, 40) and np.all(np.isfinite(out))
    assert layer._win_length == 401 and layer._hop_length == 160
    assert sorted(w.name for w in layer.trainable_weights) == [
        "gabor",
        "log_bias",
        "log_gain",
        "log_power",
        "pooling_width",
        "smoothing",
    ]


def test_shapes_for_every_remainder_multichannel_and_unknown_length():
    layer = _small()
    for samples in (1, 79, 80, 81, 1999):
        for channels in (None, 2):
            x = _waveforms(samples=samples, channels=channels)
            assert tuple(layer(x).shape) == layer.compute_output_shape(x.shape)
    stereo = _waveforms(channels=2)
    out = to_numpy(layer(stereo))
    np.testing.assert_allclose(out[..., 1], to_numpy(layer(stereo[..., 1])), rtol=1e-5, atol=1e-6)
    inputs = keras.Input((None,))
    model = keras.Model(inputs, _small()(inputs))
    assert to_numpy(model(_waveforms(samples=1234))).shape == (2, 16, 8)


def _gradients(layer, x):
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(tf.square(layer(x)))
        return [g.numpy() for g in tape.gradient(loss, [v.value for v in layer.trainable_variables])]
    if BACKEND == "jax":
        import jax

        def loss(trainable):
            out, _ = layer.stateless_call(trainable, [v.value for v in layer.non_trainable_variables], x)
            return (out**2).sum()

        return [np.asarray(g) for g in jax.grad(loss)([v.value for v in layer.trainable_variables])]
    import torch

    (layer(torch.tensor(x)) ** 2).sum().backward()
    return [v.value.grad.numpy() for v in layer.trainable_variables]


def test_gradients_reach_every_parameter():
    layer = _small()
    x = _waveforms(batch=1, samples=800)
    layer.build(x.shape)
    grads = dict(zip([v.name for v in layer.trainable_variables], _gradients(layer, x), strict=True))
    assert set(grads) == {"gabor", "pooling_width", "log_gain", "log_bias", "log_power", "smoothing"}
    for name, grad in grads.items():
        assert np.all(np.isfinite(grad)) and np.abs(grad).max() > 0, name


def test_learn_flags_freeze_parts():
    layer = _small(learn_filters=False, learn_pcen=False)
    layer.build((None, 1000))
    assert [w.name for w in layer.trainable_weights] == ["pooling_width"]


def test_round_trip_gives_identical_outputs(tmp_path):
    inputs = keras.Input((2000,))
    layer = _small(f_min=100.0)
    model = keras.Model(inputs, layer(inputs))
    layer.pooling_width.assign(np.linspace(0.2, 0.45, 8).astype(np.float32))
    model.save(tmp_path / "leaf.keras")
    restored = keras.saving.load_model(tmp_path / "leaf.keras")
    x = _waveforms()
    np.testing.assert_array_equal(to_numpy(restored(x)), to_numpy(model(x)))
    assert restored.layers[1].get_config()["f_min"] == 100.0


def test_mixed_precision_returns_float16():
    out = _small(dtype="mixed_float16")(_waveforms())
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    assert np.all(np.isfinite(to_numpy(out).astype(np.float32)))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.Leaf(n_filters=0), r"`n_filters` must be a positive integer."),
        (lambda: layers.Leaf(sample_rate=8000, f_max=6000.0), r"`f_max` must be <= sample_rate / 2."),
        (
            lambda: layers.Leaf(f_min=8000.0),
            r"`f_min` must be < `f_max`. Received: f_min=8000.0, f_max=7800.0.",
        ),
        (
            lambda: layers.Leaf(hop_length=0),
            r"`hop_length` must be an integer >= 1|`hop_length` must be a positive",
        ),
        (lambda: layers.Leaf(learn_pcen="yes"), r"`learn_pcen` must be True or False."),
        (lambda: layers.Leaf(sr=16000), r"`sr` is not an audioflow argument"),
    ],
)
def test_invalid_arguments(make, message):
    with pytest.raises(ParameterError, match=message):
        make()
