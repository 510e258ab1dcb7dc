"""Windows given to the ops as tensors or Keras variables: the NumPy window's numbers, gradients flow."""

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError
from audioflow import ops as af
from audioflow.ops.features import filtered_spectrogram
from tests.helpers import BACKEND, to_numpy
from tests.ops.test_tensor_filterbanks import _grad_wrt
from tests.tolerances import POWER_RTOL, RECONSTRUCTION_RTOL, STFT_RTOL, relative_error

N_FFT, HOP, WIN = 512, 128, 400  # a window shorter than n_fft is zero-padded and centred


def _signals(batch=2, samples=3000, seed=0):
    return (0.3 * np.random.default_rng(seed).standard_normal((batch, samples))).astype(np.float32)


def _window(seed=1):
    # Not symmetric, so a reversed or misplaced window would show.
    return (np.hanning(WIN) * (1.0 + 0.5 * np.random.default_rng(seed).random(WIN))).astype(np.float32)


def _as(kind, window):
    if kind == "numpy":
        return window
    if kind == "tensor":
        return keras.ops.convert_to_tensor(window)
    return keras.Variable(window, trainable=True)


@pytest.mark.parametrize("kind", ["tensor", "variable"])
@pytest.mark.parametrize("pad_mode, center", [("constant", True), ("reflect", True), ("constant", False)])
def test_tensor_window_gives_the_numpy_windows_numbers(kind, pad_mode, center):
    x, window = _signals(), _window()
    kwargs = dict(n_fft=N_FFT, hop_length=HOP, win_length=WIN, center=center, pad_mode=pad_mode)
    for op in (af.stft, af.spectrogram):
        expected = op(x, window=window, **kwargs)
        got = op(x, window=_as(kind, window), **kwargs)
        for e, g in zip(
            expected if isinstance(expected, tuple) else [expected],
            got if isinstance(got, tuple) else [got],
            strict=True,
        ):
            assert relative_error(to_numpy(g), to_numpy(e)) < STFT_RTOL
    reference = np.abs(librosa.stft(x[0], window=window, **kwargs)) ** 2
    assert (
        relative_error(to_numpy(af.spectrogram(x, window=_as(kind, window), **kwargs))[0], reference.T)
        < STFT_RTOL
    )


@pytest.mark.parametrize("kind", ["tensor", "variable"])
def test_mel_spectrogram_and_istft_take_a_tensor_window(kind):
    x, window = _signals(), _window()
    stft = dict(n_fft=N_FFT, hop_length=HOP, win_length=WIN)
    expected = to_numpy(af.melspectrogram(x, sample_rate=8000, n_mels=32, window=window, **stft))
    got = to_numpy(af.melspectrogram(x, sample_rate=8000, n_mels=32, window=_as(kind, window), **stft))
    assert relative_error(got, expected) < POWER_RTOL
    spectrum = af.stft(x, window=window, **stft)
    inverse = to_numpy(af.istft(spectrum, window=_as(kind, window), length=x.shape[1], **stft))
    assert (
        relative_error(inverse, to_numpy(af.istft(spectrum, window=window, length=x.shape[1], **stft))) < 1e-6
    )
    assert relative_error(inverse, x) < RECONSTRUCTION_RTOL


def _power_sum(x, window, **kwargs):
    return float(np.sum(np.abs(librosa.stft(x, window=window, **kwargs)) ** 2))


@pytest.mark.parametrize("op", ["spectrogram", "filtered_spectrogram", "stft"], ids=lambda name: name)
def test_gradient_reaches_the_window(op):
    x, window = _signals(), _window()
    kwargs = dict(n_fft=N_FFT, hop_length=HOP, win_length=WIN)
    identity = np.eye(N_FFT // 2 + 1, dtype=np.float32)
    functions = {
        "spectrogram": lambda w: af.spectrogram(x, window=w, **kwargs),
        "filtered_spectrogram": lambda w: filtered_spectrogram(x, identity, window=w, **kwargs),
        "stft": lambda w: (
            keras.ops.square(af.stft(x, window=w, **kwargs)[0])
            + keras.ops.square(af.stft(x, window=w, **kwargs)[1])
        ),
    }
    grad = _grad_wrt(functions[op], window)
    assert grad.shape == (WIN,)
    assert np.all(np.isfinite(grad)) and np.any(grad != 0)
    # The summed power is quadratic in the window, so central differences are exact (float64).
    for i in (0, 57, 199, 200, 399):
        step = np.zeros(WIN)
        step[i] = 1e-3
        w = window.astype(np.float64)
        numeric = sum(
            (
                _power_sum(x[b].astype(np.float64), w + step, **kwargs)
                - _power_sum(x[b].astype(np.float64), w - step, **kwargs)
            )
            / 2e-3
            for b in range(len(x))
        )
        assert abs(grad[i] - numeric) <= 1e-3 * np.abs(grad).max(), (i, grad[i], numeric)


def test_a_variable_window_is_learnt_through_a_layer_free_model():
    x = _signals()
    window = keras.Variable(_window(), trainable=True)
    before = to_numpy(af.spectrogram(x, n_fft=N_FFT, hop_length=HOP, win_length=WIN, window=window))
    window.assign(window * 2.0)
    after = to_numpy(af.spectrogram(x, n_fft=N_FFT, hop_length=HOP, win_length=WIN, window=window))
    assert relative_error(after, 4.0 * before) < POWER_RTOL  # the op reads the variable's value


@pytest.mark.parametrize("shape", [(WIN - 1,), (1, WIN), (WIN, 1)])
def test_a_tensor_window_of_the_wrong_shape_is_refused(shape):
    window = keras.ops.ones(shape)
    with pytest.raises(
        ParameterError, match=r"`window` must be a window name or a real 1-D array of length `win_length`"
    ):
        af.spectrogram(_signals(), n_fft=N_FFT, win_length=WIN, window=window)
    with pytest.raises(ParameterError, match=r"window_shape="):
        af.stft(_signals(), n_fft=N_FFT, win_length=WIN, window=keras.Variable(np.ones(shape, "float32")))


@pytest.mark.skipif(
    BACKEND != "tensorflow", reason="TensorFlow graphs: strided, gathered and chunked framing"
)
@pytest.mark.parametrize("jit_compile", [False, True])
def test_tensorflow_graphs_with_a_variable_window(jit_compile):
    import tensorflow as tf

    window = _window()
    variable = tf.Variable(window)
    identity = np.eye(N_FFT // 2 + 1, dtype=np.float32)
    kwargs = dict(n_fft=N_FFT, hop_length=HOP, win_length=WIN)
    x = _signals(batch=3, samples=40000)  # >= 256 frames a signal: the unknown batch is chunked

    @tf.function(jit_compile=jit_compile, input_signature=[tf.TensorSpec((None, None), tf.float32)])
    def power_and_gradient(signals):
        with tf.GradientTape() as tape:
            power = filtered_spectrogram(signals, identity, window=variable, **kwargs)
            loss = tf.reduce_sum(power)
        return power, tape.gradient(loss, variable)

    @tf.function(jit_compile=jit_compile, input_signature=[tf.TensorSpec((None, 40000), tf.float32)])
    def chunked(signals):
        return filtered_spectrogram(signals, identity, window=variable, **kwargs)

    expected = to_numpy(af.spectrogram(x, window=window, **kwargs))
    power, grad = power_and_gradient(tf.constant(x))
    assert relative_error(power.numpy(), expected) < POWER_RTOL
    assert relative_error(chunked(tf.constant(x)).numpy(), expected) < POWER_RTOL
    eager = _grad_wrt(lambda w: af.spectrogram(x, window=w, **kwargs), window)
    assert relative_error(grad.numpy(), eager) < 1e-4


@pytest.mark.skipif(BACKEND != "jax", reason="jax.jit")
def test_jax_jit_with_a_traced_window():
    import jax

    x, window = _signals(), _window()
    kwargs = dict(n_fft=N_FFT, hop_length=HOP, win_length=WIN)
    compiled = jax.jit(lambda w: af.spectrogram(x, window=w, **kwargs))
    expected = to_numpy(af.spectrogram(x, window=window, **kwargs))
    assert relative_error(np.asarray(compiled(window)), expected) < POWER_RTOL
    grad = jax.jit(jax.grad(lambda w: af.spectrogram(x, window=w, **kwargs).sum()))(window)
    assert np.all(np.isfinite(grad)) and np.any(np.asarray(grad) != 0)
