"""LEAF maths: the mel-fitted Gabor initialisation, the filters' responses, Gaussian pooling."""

import numpy as np
import pytest

from audioflow import ops as af
from audioflow.ops.leaf import default_window, gaussian_windows, htk_mel_weight_matrix, num_leaf_frames
from tests.helpers import to_numpy


@pytest.mark.backend_independent
def test_htk_mel_matrix_is_tf_signals():
    import tensorflow as tf

    for n_filters, n_fft, sample_rate, f_min, f_max in [
        (40, 512, 16000, 60.0, 7800.0),
        (20, 256, 8000, 0.0, 4000.0),
    ]:
        expected = tf.signal.linear_to_mel_weight_matrix(n_filters, n_fft // 2 + 1, sample_rate, f_min, f_max)
        actual = htk_mel_weight_matrix(n_filters, n_fft, sample_rate, f_min, f_max)
        np.testing.assert_allclose(actual, expected.numpy(), atol=1e-5)


@pytest.mark.backend_independent
def test_leaf_defaults_window_and_gabor_initialisation():
    assert default_window(16000) == (401, 160)
    params = af.gabor_parameters()
    assert params.shape == (40, 2)
    centres_hz = params[:, 0] * 16000 / (2 * np.pi)
    assert np.all(np.diff(centres_hz) > 0) and 60 < centres_hz[0] < 200 and 7000 < centres_hz[-1] < 7800
    # Wider filters (higher up the mel scale) have shorter envelopes.
    assert params[0, 1] > params[-1, 1] > 0


def test_each_gabor_filter_peaks_at_its_centre_frequency():
    params = af.gabor_parameters(n_filters=10, sample_rate=8000, f_max=4000.0)
    real, imag = (to_numpy(v) for v in af.gabor_filters(params, 201))
    response = np.abs(np.fft.fft(real + 1j * imag, n=4096, axis=0))
    peaks = np.argmax(response[:2048], axis=0) * 2 * np.pi / 4096
    np.testing.assert_allclose(peaks, params[:, 0], atol=2 * np.pi / 4096 + 1e-9)


def test_a_tone_gives_most_energy_in_its_filter():
    params = af.gabor_parameters(n_filters=12, sample_rate=8000, f_max=4000.0)
    k = 7
    t = np.arange(4000)
    tone = np.cos(params[k, 0] * t).astype(np.float32)[None]
    energy = to_numpy(af.gabor_energy(tone, params, 201))
    assert energy.shape == (1, 4000, 12)
    assert np.argmax(energy[0, 1000:3000].mean(axis=0)) == k


def test_gaussian_pooling_is_a_same_padded_strided_window_sum():
    rng = np.random.default_rng(0)
    energy = rng.random((2, 203, 3)).astype(np.float32)
    widths = np.array([0.4, 0.1, 0.5], np.float32)
    size, hop = 25, 10
    out = to_numpy(af.gaussian_pooling(energy, widths, size, hop))
    frames = num_leaf_frames(203, hop)
    assert out.shape == (2, frames, 3) == (2, 21, 3)
    windows = to_numpy(gaussian_windows(widths, size))
    total = (frames - 1) * hop + size - 203
    padded = np.pad(energy, [(0, 0), (total // 2, total - total // 2), (0, 0)])
    expected = np.stack(
        [np.einsum("bsf,sf->bf", padded[:, i * hop : i * hop + size], windows) for i in range(frames)], 1
    )
    np.testing.assert_allclose(out, expected, rtol=1e-5)
    np.testing.assert_allclose(windows[size // 2], 1.0)
    np.testing.assert_allclose(windows, windows[::-1], rtol=1e-6)
