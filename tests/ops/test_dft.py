"""The export-safe STFT (real DFT as matrix products) against librosa, and the mode's scope."""

import librosa
import numpy as np
import pytest

from audioflow import ops as af
from audioflow.ops.dft import export_safe, inverse_real_dft_matrices, real_dft_matrices
from audioflow.ops.spectral import framing_method
from tests.helpers import to_numpy
from tests.ops.test_spectral import STFT_GRID, _librosa_stft
from tests.tolerances import (
    CONSTANT_RTOL,
    POWER_RTOL,
    RECONSTRUCTION_RTOL,
    STFT_RTOL,
    relative_error,
)


@pytest.mark.backend_independent
@pytest.mark.parametrize("n_fft", [1, 2, 7, 256, 400, 1023])
def test_dft_matrices_match_numpy_fft(n_fft):
    frames = np.random.default_rng(n_fft).standard_normal((5, n_fft))
    cos, sin = real_dft_matrices(n_fft, "float64")
    expected = np.fft.rfft(frames, n_fft)
    assert relative_error(frames @ cos, expected.real) < CONSTANT_RTOL
    assert relative_error(frames @ sin, expected.imag) < CONSTANT_RTOL
    a, b = inverse_real_dft_matrices(n_fft, "float64")
    assert (
        relative_error(expected.real @ a + expected.imag @ b, np.fft.irfft(expected, n_fft)) < CONSTANT_RTOL
    )


@pytest.mark.parametrize(("n_fft", "hop_length", "win_length", "window", "center", "pad_mode"), STFT_GRID)
def test_export_safe_stft_matches_librosa(
    test_signals, n_fft, hop_length, win_length, window, center, pad_mode
):
    kwargs = dict(
        n_fft=n_fft,
        hop_length=hop_length,
        win_length=win_length,
        window=window,
        center=center,
        pad_mode=pad_mode,
    )
    for name, y in test_signals.items():
        with af.export_safe_stft():
            real, imag = af.stft(y, **kwargs)
            power = af.spectrogram(y, power=2.0, **kwargs)
        reference = _librosa_stft(y, n_fft, hop_length, win_length, window, center, pad_mode).T
        ours = to_numpy(real) + 1j * to_numpy(imag)
        assert relative_error(ours.view(np.float32), reference.view(np.float32)) < STFT_RTOL, name
        assert relative_error(to_numpy(power), np.abs(reference) ** 2) < POWER_RTOL, name


def test_export_safe_mel_and_istft_match_librosa(test_signals):
    for name, y in test_signals.items():
        with af.export_safe_stft():
            mel = af.melspectrogram(y[None].repeat(3, axis=0), sample_rate=22050, n_fft=1024, hop_length=256)
            real, imag = af.stft(y, n_fft=512, hop_length=128)
            restored = af.istft((real, imag), n_fft=512, hop_length=128, length=len(y))
        reference = librosa.feature.melspectrogram(y=y, sr=22050, n_fft=1024, hop_length=256).T
        assert relative_error(to_numpy(mel)[2], reference) < POWER_RTOL, name
        assert relative_error(to_numpy(restored), y) < RECONSTRUCTION_RTOL, name


def test_mode_is_scoped_and_leaves_default_numbers_unchanged(test_signals):
    y = np.stack(list(test_signals.values())[:1] * 4)
    default_method = framing_method()
    before = to_numpy(af.melspectrogram(y, sample_rate=22050))
    with af.export_safe_stft():
        assert export_safe() and framing_method() == "gather"
        with af.export_safe_stft():  # nested
            assert export_safe()
        assert export_safe()
    assert not export_safe()
    assert framing_method() == default_method
    np.testing.assert_array_equal(to_numpy(af.melspectrogram(y, sample_rate=22050)), before)
    with pytest.raises(RuntimeError), af.export_safe_stft():
        raise RuntimeError("left by an error")
    assert not export_safe()
