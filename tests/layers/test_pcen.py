"""PCEN layer: librosa's numbers when fixed, per-channel learnable (sPCEN) when trainable."""

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow import ops as af
from tests.helpers import BACKEND, to_numpy
from tests.tolerances import relative_error

PCEN_RTOL = 1e-5


def _spectra(batch=2, frames=120, bins=24, channels=None, seed=0):
    rng = np.random.default_rng(seed)
    shape = (batch, frames, bins) + (() if channels is None else (channels,))
    return (rng.random(shape) ** 4 * 1e4).astype(np.float32)


@pytest.mark.parametrize("max_size", [1, 3])
def test_fixed_layer_is_librosa_pcen_per_example_and_channel(max_size):
    S = _spectra(channels=2)
    layer = layers.PCEN(sample_rate=16000, hop_length=160, max_size=max_size)
    out = to_numpy(layer(S))
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 4
    for i in range(2):
        for c in range(2):
            expected = librosa.pcen(S[i, :, :, c].T, sr=16000, hop_length=160, max_size=max_size)
            assert relative_error(out[i, :, :, c].T, expected) < PCEN_RTOL


def _loss_gradients(layer, x, weights):
    """d sum(w * layer(x)) / d each trainable weight, on the current backend."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(layer(x) * weights)
        return [g.numpy() for g in tape.gradient(loss, [v.value for v in layer.trainable_variables])]
    if BACKEND == "jax":
        import jax

        def loss(trainable):
            out, _ = layer.stateless_call(trainable, [v.value for v in layer.non_trainable_variables], x)
            return (out * weights).sum()

        return [np.asarray(g) for g in jax.grad(loss)([v.value for v in layer.trainable_variables])]
    import torch

    loss = (layer(torch.tensor(x)) * torch.tensor(weights)).sum()
    loss.backward()
    return [v.value.grad.numpy() for v in layer.trainable_variables]


def test_trainable_layer_has_per_channel_weights_and_exact_gradients():
    S = _spectra(batch=1, frames=40, bins=6)
    layer = layers.PCEN(sample_rate=16000, hop_length=160, trainable=True)
    layer.build(S.shape)
    names = sorted(v.name for v in layer.trainable_variables)
    assert names == ["log_bias", "log_gain", "log_power", "smoothing"]
    assert all(tuple(v.shape) == (6,) for v in layer.trainable_variables)
    weights = np.random.default_rng(1).standard_normal(S.shape).astype(np.float32)
    grads = _loss_gradients(layer, S, weights)
    assert all(np.all(np.isfinite(g)) and np.all(np.abs(g) > 0) for g in grads)
    # Central differences on one bin of each weight.
    for variable, grad in zip(layer.trainable_variables, grads, strict=True):
        value = to_numpy(variable.value).copy()
        step = 1e-3
        losses = []
        for sign in (1, -1):
            moved = value.copy()
            moved[2] += sign * step
            variable.assign(moved)
            losses.append(float(np.sum(to_numpy(layer(S)).astype(np.float64) * weights)))
        variable.assign(value)
        numeric = (losses[0] - losses[1]) / (2 * step)
        assert grad[2] == pytest.approx(numeric, rel=2e-2, abs=1e-2), variable.name


def test_trainable_layer_starts_at_librosas_values_and_learns():
    S = _spectra(batch=8, frames=50, bins=10)
    inputs = keras.Input((None, 10))
    pcen = layers.PCEN(sample_rate=16000, hop_length=160, trainable=True)
    outputs = keras.layers.Dense(1)(keras.layers.GlobalAveragePooling1D()(pcen(inputs)))
    model = keras.Model(inputs, outputs)
    expected = librosa.pcen(S[0].T, sr=16000, hop_length=160)
    assert relative_error(to_numpy(pcen(S))[0].T, expected) < PCEN_RTOL
    before = [to_numpy(v.value).copy() for v in pcen.trainable_variables]
    model.compile(keras.optimizers.SGD(0.05), "mse")
    model.fit(S, np.arange(8, dtype=np.float32), epochs=2, batch_size=4, verbose=0)
    after = [to_numpy(v.value) for v in pcen.trainable_variables]
    assert all(not np.allclose(a, b) for a, b in zip(after, before, strict=True))


def test_round_trip_keeps_trained_weights(tmp_path):
    S = _spectra(channels=2)
    inputs = keras.Input((None, 24, 2))
    layer = layers.PCEN(sample_rate=16000, hop_length=160, gain=0.8, max_size=3, trainable=True)
    model = keras.Model(inputs, layer(inputs))
    layer.log_gain.assign(np.linspace(-1.0, 0.0, 24).astype(np.float32))
    model.save(tmp_path / "pcen.keras")
    restored = keras.saving.load_model(tmp_path / "pcen.keras")
    np.testing.assert_array_equal(to_numpy(restored(S)), to_numpy(model(S)))
    config = restored.layers[1].get_config()
    assert config["gain"] == 0.8 and config["b"] is None and config["trainable"] is True


def test_first_frame_start_follows_leaf():
    S = _spectra(batch=1, frames=30, bins=4)
    layer = layers.PCEN(gain=0.96, bias=2.0, power=0.5, b=0.04, eps=1e-12, initial_state="first_frame")
    M = af.exponential_moving_average(S, 0.04, initial_state=S[:, :1, :])
    expected = (S / (1e-12 + to_numpy(M)) ** 0.96 + 2.0) ** 0.5 - 2.0**0.5
    assert relative_error(to_numpy(layer(S)), expected) < PCEN_RTOL


def test_mixed_precision_is_stable_over_a_wide_dynamic_range():
    S = (10.0 ** np.random.default_rng(3).uniform(-10, 10, (2, 80, 16))).astype(np.float32)
    S[:, 20:30] = 0.0
    reference = to_numpy(layers.PCEN(trainable=True)(S))
    assert np.all(np.isfinite(reference))
    out = layers.PCEN(trainable=True, dtype="mixed_float16")(S)
    assert keras.backend.standardize_dtype(out.dtype) == "float16"
    out = to_numpy(out).astype(np.float32)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out, reference, rtol=2e-3, atol=1e-3)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.PCEN(gain=0.0), r"`gain` must be > 0.0. Received: gain=0.0."),
        (lambda: layers.PCEN(bias=0.0), r"`bias` must be > 0.0."),
        (lambda: layers.PCEN(power=-1.0), r"`power` must be >= 0.0."),
        (lambda: layers.PCEN(b=2.0), r"`b` must be <= 1.0."),
        (
            lambda: layers.PCEN(initial_state="zeros"),
            r"`initial_state` must be one of 'librosa', 'first_frame'.",
        ),
        (
            lambda: layers.PCEN(sr=16000),
            r"`sr` is not an audioflow argument: audioflow calls it `sample_rate`.",
        ),
    ],
)
def test_invalid_arguments(make, message):
    with pytest.raises(ParameterError, match=message):
        make()


def test_unknown_bins_or_wrong_rank_fail_at_build():
    with pytest.raises(ParameterError, match=r"`inputs` must be of known size on the bins axis"):
        layers.PCEN().build((None, None, None))
    with pytest.raises(ParameterError, match=r"`inputs` must be of rank 3 or 4"):
        layers.PCEN().build((None, 100))


@pytest.mark.skipif(BACKEND != "tensorflow", reason="graphs with unknown dimensions are a TensorFlow feature")
def test_graph_with_unknown_batch_and_length_and_xla_equal_eager():
    import tensorflow as tf

    pcen = layers.PCEN(trainable=True, max_size=3)
    leaf = layers.Leaf(sample_rate=8000, n_filters=8)
    S = _spectra(batch=3, frames=77)
    x = np.random.default_rng(4).standard_normal((2, 1500)).astype(np.float32)
    graph = tf.function(pcen, input_signature=[tf.TensorSpec([None, None, 24], tf.float32)])
    np.testing.assert_allclose(graph(S).numpy(), to_numpy(pcen(S)), rtol=1e-5, atol=1e-5)
    xla = tf.function(lambda inputs: pcen(inputs), jit_compile=True)
    np.testing.assert_allclose(xla(S).numpy(), to_numpy(pcen(S)), rtol=1e-5, atol=1e-5)
    leaf_graph = tf.function(leaf, input_signature=[tf.TensorSpec([None, None], tf.float32)])
    np.testing.assert_allclose(leaf_graph(x).numpy(), to_numpy(leaf(x)), rtol=1e-5, atol=1e-5)
