"""Filterbanks and DCT matrices given to the ops as tensors or variables: same numbers, gradients flow."""

import keras
import numpy as np

from audioflow import ops as af
from audioflow.ops.features import filtered_spectrogram
from tests.helpers import BACKEND, to_numpy
from tests.tolerances import POWER_RTOL, relative_error


def _grad_wrt(fn, value):
    """d sum(fn(value)) / d value on the current backend (value a NumPy array)."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        variable = tf.Variable(value)
        with tf.GradientTape() as tape:
            loss = tf.reduce_sum(fn(variable))
        return tape.gradient(loss, variable).numpy()
    if BACKEND == "jax":
        import jax

        return np.asarray(jax.grad(lambda v: fn(v).sum())(value))
    import torch

    tensor = torch.tensor(value, requires_grad=True)
    fn(tensor).sum().backward()
    return tensor.grad.numpy()


def test_filtered_spectrogram_takes_a_variable_filterbank_and_its_gradient():
    x = np.random.default_rng(0).standard_normal((3, 4000)).astype("float32")
    filterbank = af.mel_filterbank(8000, 256, 20)
    stft = dict(n_fft=256, hop_length=64)
    constant = to_numpy(filtered_spectrogram(x, filterbank, **stft))
    variable = keras.Variable(filterbank, trainable=True)
    assert relative_error(to_numpy(filtered_spectrogram(x, variable, **stft)), constant) < POWER_RTOL
    power = to_numpy(af.spectrogram(x, **stft)).astype(np.float64)
    grad = _grad_wrt(lambda fb: filtered_spectrogram(x, fb, **stft), filterbank)
    # sum(S @ W) is linear in W: its gradient is S summed over batch and frames, for every band.
    expected = np.repeat(power.sum(axis=(0, 1))[:, None], 20, axis=1)
    assert relative_error(grad, expected) < 1e-5


def test_apply_filterbank_takes_a_tensor_dct_matrix():
    log_mel = np.random.default_rng(1).standard_normal((2, 30, 40)).astype("float32")
    dct = af.dct_matrix(13, 40)
    expected = to_numpy(af.mfcc(log_mel, n_mfcc=13))
    np.testing.assert_allclose(
        to_numpy(af.apply_filterbank(log_mel, keras.ops.convert_to_tensor(dct))),
        expected,
        rtol=1e-5,
        atol=1e-5,
    )
    grad = _grad_wrt(lambda matrix: af.apply_filterbank(log_mel, matrix), dct)
    np.testing.assert_allclose(
        grad, np.repeat(log_mel.sum(axis=(0, 1))[:, None], 13, axis=1), rtol=1e-5, atol=1e-4
    )
