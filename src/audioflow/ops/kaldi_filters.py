"""NumPy constants of the Kaldi front end: windows, mel banks (with VTLN warping), DCT with lifter.

Each builder is computed once per set of arguments (cached, read-only float64 arrays) and equals
the tensor torchaudio.compliance.kaldi builds for the same options (torchaudio computes its mel
banks in float32; these are float64).
"""

from __future__ import annotations

import functools
import math

import numpy as np

__all__ = [
    "kaldi_dct_matrix",
    "kaldi_mel_banks",
    "kaldi_window",
    "kaldi_mel_scale",
    "kaldi_inverse_mel_scale",
]


def _read_only(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@functools.lru_cache(maxsize=64)
def kaldi_window(window_type: str, window_size: int, blackman_coeff: float = 0.42) -> np.ndarray:
    """Kaldi's frame window of ``window_size`` samples, symmetric (``periodic=False``), float64.

    "hanning" is the symmetric Hann window, "hamming" ``0.54 - 0.46 cos``, "povey" Hann to the
    power 0.85, "rectangular" ones and "blackman" the generalised Blackman window with
    ``blackman_coeff``, as ``torchaudio.compliance.kaldi._feature_window_function``.
    """
    n = np.arange(window_size, dtype=np.float64)
    a = 2.0 * math.pi / (window_size - 1)
    hann = 0.5 - 0.5 * np.cos(a * n)
    windows = {
        "hanning": lambda: hann,
        "hamming": lambda: 0.54 - 0.46 * np.cos(a * n),
        "povey": lambda: hann**0.85,
        "rectangular": lambda: np.ones(window_size),
        "blackman": lambda: blackman_coeff - 0.5 * np.cos(a * n) + (0.5 - blackman_coeff) * np.cos(2 * a * n),
    }
    return _read_only(np.asarray(windows[window_type](), dtype=np.float64))


def kaldi_mel_scale(freq):
    """Hz to Kaldi's mel: ``1127 ln(1 + f / 700)``."""
    return 1127.0 * np.log(1.0 + np.asarray(freq, dtype=np.float64) / 700.0)


def kaldi_inverse_mel_scale(mel):
    """Kaldi's mel to Hz: ``700 (exp(m / 1127) - 1)``."""
    return 700.0 * (np.exp(np.asarray(mel, dtype=np.float64) / 1127.0) - 1.0)


def _vtln_warp_freq(low_cutoff, high_cutoff, low_freq, high_freq, warp, freq):
    """Kaldi's piecewise-linear VTLN warp of ``freq`` (Hz), as torchaudio's ``vtln_warp_freq``."""
    lower = low_cutoff * max(1.0, warp)
    upper = high_cutoff * min(1.0, warp)
    scale = 1.0 / warp
    scale_left = (scale * lower - low_freq) / (lower - low_freq)
    scale_right = (high_freq - scale * upper) / (high_freq - upper)
    warped = np.where(freq < upper, scale * freq, high_freq + scale_right * (freq - high_freq))
    warped = np.where(freq < lower, low_freq + scale_left * (freq - low_freq), warped)
    return np.where((freq < low_freq) | (freq > high_freq), freq, warped)


@functools.lru_cache(maxsize=64)
def kaldi_mel_banks(
    num_mel_bins: int,
    padded_window_size: int,
    sample_frequency: float,
    low_freq: float,
    high_freq: float,
    vtln_low: float,
    vtln_high: float,
    vtln_warp: float,
) -> np.ndarray:
    """Kaldi's triangular mel filters as ``(padded_window_size // 2 + 1, num_mel_bins)``, float64.

    ``high_freq`` and ``vtln_high`` are already resolved (Hz, not offsets). The triangles are
    built in the mel domain at FFT bin frequencies ``k * sample_frequency / padded_window_size``;
    the Nyquist row is zero and nothing is area-normalised, as Kaldi's ``MelBanks`` and
    ``torchaudio.compliance.kaldi.get_mel_banks`` (transposed, with the zero row appended).
    """
    mel_low = kaldi_mel_scale(low_freq)
    mel_delta = (kaldi_mel_scale(high_freq) - mel_low) / (num_mel_bins + 1)
    index = np.arange(num_mel_bins, dtype=np.float64)[:, None]
    left, center, right = (mel_low + (index + k) * mel_delta for k in (0.0, 1.0, 2.0))
    if vtln_warp != 1.0:
        left, center, right = (
            kaldi_mel_scale(
                _vtln_warp_freq(
                    vtln_low, vtln_high, low_freq, high_freq, vtln_warp, kaldi_inverse_mel_scale(edge)
                )
            )
            for edge in (left, center, right)
        )
    bin_width = sample_frequency / padded_window_size
    mel = kaldi_mel_scale(bin_width * np.arange(padded_window_size // 2, dtype=np.float64))[None, :]
    up = (mel - left) / (center - left)
    down = (right - mel) / (right - center)
    if vtln_warp == 1.0:
        banks = np.maximum(0.0, np.minimum(up, down))
    else:
        banks = np.where(
            (mel > left) & (mel <= center), up, np.where((mel > center) & (mel < right), down, 0.0)
        )
    banks = np.concatenate([banks, np.zeros((num_mel_bins, 1))], axis=1)
    return _read_only(np.ascontiguousarray(banks.T))


@functools.lru_cache(maxsize=64)
def kaldi_dct_matrix(num_ceps: int, num_mel_bins: int, cepstral_lifter: float = 22.0) -> np.ndarray:
    """Kaldi's MFCC matrix ``(num_mel_bins, num_ceps)``: orthonormal DCT-II columns times the lifter.

    Column ``i`` is ``sqrt(2 / M) cos(pi i (n + 1/2) / M)`` (``sqrt(1 / M)`` for ``i = 0``), scaled
    by ``1 + 0.5 L sin(pi i / L)`` when ``cepstral_lifter`` L is not 0, as torchaudio's
    ``_get_dct_matrix`` and ``_get_lifter_coeffs``.
    """
    n = np.arange(num_mel_bins, dtype=np.float64)[:, None]
    i = np.arange(num_ceps, dtype=np.float64)[None, :]
    matrix = math.sqrt(2.0 / num_mel_bins) * np.cos(math.pi / num_mel_bins * (n + 0.5) * i)
    matrix[:, 0] = math.sqrt(1.0 / num_mel_bins)
    if cepstral_lifter != 0.0:
        matrix = matrix * (1.0 + 0.5 * cepstral_lifter * np.sin(math.pi * i / cepstral_lifter))
    return _read_only(matrix)
