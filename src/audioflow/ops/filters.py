"""Host-side constants in NumPy: mel scale, mel filterbanks, DCT and delta filters.

These are built once (in a layer's ``__init__``) and are testable against librosa with no
Keras backend involved.
"""

from __future__ import annotations

import functools
import warnings

import numpy as np
import numpy.typing as npt
import scipy.fft
import scipy.signal

from audioflow._compat import host_constant
from audioflow._validation import (
    check_delta_args,
    check_int,
    check_mfcc_args,
    check_number,
    resolve_mel_scale,
)
from audioflow.config import MelConfig

# Slaney's Auditory Toolbox scale: linear below 1 kHz, logarithmic above.
_SLANEY_F_SP = 200.0 / 3
_SLANEY_MIN_LOG_HZ = 1000.0
_SLANEY_MIN_LOG_MEL = _SLANEY_MIN_LOG_HZ / _SLANEY_F_SP
_SLANEY_LOGSTEP = np.log(6.4) / 27.0


def hz_to_mel(frequencies, *, mel_scale: str = "slaney", htk: bool | None = None):
    """Hz to mels: Slaney (default, librosa) or HTK ``2595 * log10(1 + f / 700)``.

    ``mel_scale`` is "slaney" or "htk"; ``htk=True`` is the older (librosa, audioflow 0.1.0)
    spelling of ``mel_scale="htk"``. Equals ``librosa.hz_to_mel(frequencies, htk=...)``.

    Args:
        frequencies: in Hz, a number or an array.
        mel_scale: "slaney" (librosa's default) or "htk". Default: ``'slaney'``.
        htk: the older spelling: ``htk=True`` means ``mel_scale="htk"``; None leaves ``mel_scale``
            to decide. Default: ``None``.
    """
    mel_scale = resolve_mel_scale(mel_scale, htk)
    frequencies = np.asanyarray(frequencies, dtype=np.float64)
    if mel_scale == "htk":
        return 2595.0 * np.log10(1.0 + frequencies / 700.0)
    mels = frequencies / _SLANEY_F_SP
    log_region = frequencies >= _SLANEY_MIN_LOG_HZ
    safe = np.where(log_region, frequencies, _SLANEY_MIN_LOG_HZ)
    return np.where(
        log_region, _SLANEY_MIN_LOG_MEL + np.log(safe / _SLANEY_MIN_LOG_HZ) / _SLANEY_LOGSTEP, mels
    )


def mel_to_hz(mels, *, mel_scale: str = "slaney", htk: bool | None = None):
    """Mels to Hz, the inverse of :func:`hz_to_mel` (same ``mel_scale`` and ``htk``).

    Args:
        mels: mel values, a number or an array.
        mel_scale: "slaney" (librosa's default) or "htk". Default: ``'slaney'``.
        htk: the older spelling: ``htk=True`` means ``mel_scale="htk"``; None leaves ``mel_scale``
            to decide. Default: ``None``.
    """
    mel_scale = resolve_mel_scale(mel_scale, htk)
    mels = np.asanyarray(mels, dtype=np.float64)
    if mel_scale == "htk":
        return 700.0 * (10.0 ** (mels / 2595.0) - 1.0)
    linear = _SLANEY_F_SP * mels
    return np.where(
        mels >= _SLANEY_MIN_LOG_MEL,
        _SLANEY_MIN_LOG_HZ * np.exp(_SLANEY_LOGSTEP * (mels - _SLANEY_MIN_LOG_MEL)),
        linear,
    )


def fft_frequencies(sample_rate: float, n_fft: int) -> np.ndarray:
    """Centre frequency in Hz of each of the ``n_fft // 2 + 1`` FFT bins.

    Args:
        sample_rate: of the audio in Hz, > 0.
        n_fft: FFT size in samples, >= 1.
    """
    check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    check_int("n_fft", n_fft, minimum=1)
    return np.fft.rfftfreq(n=n_fft, d=1.0 / sample_rate)


def mel_frequencies(
    n_mels: int = 128,
    f_min: float = 0.0,
    f_max: float = 11025.0,
    htk: bool | None = None,
    *,
    mel_scale: str = "slaney",
) -> np.ndarray:
    """``n_mels`` frequencies in Hz, evenly spaced on the mel scale from ``f_min`` to ``f_max``.

    Args:
        n_mels: frequencies, >= 1. Default: ``128``.
        f_min: the first frequency in Hz, >= 0. Default: ``0.0``.
        f_max: the last frequency in Hz, >= 0. Default: ``11025.0``.
        htk: the older spelling: ``htk=True`` means ``mel_scale="htk"``. Default: ``None``.
        mel_scale: "slaney" (librosa's default) or "htk". Default: ``'slaney'``.
    """
    check_int("n_mels", n_mels, minimum=1)
    check_number("f_min", f_min, minimum=0.0)
    check_number("f_max", f_max, minimum=0.0)
    mel_scale = resolve_mel_scale(mel_scale, htk)
    low, high = hz_to_mel(f_min, mel_scale=mel_scale), hz_to_mel(f_max, mel_scale=mel_scale)
    return mel_to_hz(np.linspace(low, high, n_mels), mel_scale=mel_scale)


@host_constant  # built in `build`, which runs inside torch.compile when the first call is compiled
def mel_filterbank(
    sample_rate: float,
    n_fft: int,
    n_mels: int = 128,
    f_min: float = 0.0,
    f_max: float | None = None,
    htk: bool | None = None,
    norm: str | float | None = "slaney",
    *,
    mel_scale: str = "slaney",
    dtype: npt.DTypeLike = np.float32,
) -> np.ndarray:
    """Mel filterbank of shape ``(n_fft // 2 + 1, n_mels)``: ``mel = spectrogram @ filterbank``.

    Triangles built in Hz between mel-spaced edges, DC bin included (librosa / Slaney). Equals
    ``librosa.filters.mel(sr=..., n_fft=..., ...).T``. Warns when a filter is empty (too many mel
    bins for this FFT size) and names those filters. The array is a host-side constant; a layer
    holds it as a weight (:class:`audioflow.layers.MelScale`).

    Args:
        sample_rate: of the audio in Hz, > 0 (librosa ``sr``).
        n_fft: FFT size of the spectrogram it applies to, from 2 to 2**20 (``n_fft // 2 + 1`` bins).
        n_mels: mel bands, >= 1. Default: ``128``.
        f_min: lowest filter edge in Hz, >= 0 (librosa ``fmin``). Default: ``0.0``.
        f_max: highest filter edge in Hz, <= ``sample_rate / 2``; None means ``sample_rate / 2``
            (librosa ``fmax``). Default: ``None``.
        htk: the older spelling of ``mel_scale="htk"`` (librosa ``htk``); None leaves
            ``mel_scale`` to decide. Default: ``None``.
        norm: "slaney" scales each triangle to unit area (``2 / (f[i+2] - f[i])``), None keeps
            peak 1, a number ``p`` divides each filter by its p-norm. Default: ``'slaney'``.
        mel_scale: "slaney" or "htk". Default: ``'slaney'``.
        dtype: of the array. Default: ``<class 'numpy.float32'>``.
    """
    settings = MelConfig.from_arguments(locals())
    return mel_filterbank_for(settings, dtype=dtype)


@host_constant
def mel_filterbank_for(settings: MelConfig, *, dtype: npt.DTypeLike = np.float32) -> np.ndarray:
    """:func:`mel_filterbank` of validated settings (what :class:`audioflow.layers.MelScale` builds)."""
    return _mel_filterbank(
        float(settings.sample_rate),
        int(settings.n_fft),
        int(settings.n_mels),
        float(settings.f_min),
        settings.resolved_f_max,
        settings.mel_scale,
        settings.norm,
        np.dtype(dtype).name,
    ).copy()


@functools.lru_cache(maxsize=64)
def _mel_filterbank(sample_rate, n_fft, n_mels, f_min, f_max, mel_scale, norm, dtype_name):
    fft_freqs = fft_frequencies(sample_rate, n_fft)
    edges = mel_frequencies(n_mels + 2, f_min, f_max, mel_scale=mel_scale)
    widths = np.diff(edges)
    ramps = np.subtract.outer(edges, fft_freqs)
    weights = np.zeros((n_mels, len(fft_freqs)), dtype=dtype_name)
    for i in range(n_mels):
        lower = -ramps[i] / widths[i]
        upper = ramps[i + 2] / widths[i + 1]
        weights[i] = np.maximum(0, np.minimum(lower, upper))
    if norm == "slaney":
        weights *= (2.0 / (edges[2 : n_mels + 2] - edges[:n_mels]))[:, np.newaxis]
    elif norm is not None:
        weights = _p_normalize(weights, norm)
    empty = np.flatnonzero((edges[:-2] != 0) & ~(weights.max(axis=1) > 0))
    if empty.size:
        warnings.warn(
            f"Empty mel filters {empty.tolist()} (of {n_mels}): no FFT bin falls inside them with "
            f"sample_rate={sample_rate}, n_fft={n_fft}, f_min={f_min}, f_max={f_max}. "
            "Use fewer mel bins (`n_mels`) or a larger `n_fft`.",
            UserWarning,
            stacklevel=3,
        )
    weights.flags.writeable = False
    return weights.T


def _p_normalize(weights: np.ndarray, p: float) -> np.ndarray:
    magnitude = np.abs(weights).astype(np.float64)
    if np.isinf(p):
        length = magnitude.max(axis=1, keepdims=True)
    else:
        length = np.sum(magnitude**p, axis=1, keepdims=True) ** (1.0 / p)
    length[length < np.finfo(weights.dtype).tiny] = 1.0
    return (weights / length).astype(weights.dtype)


def dct_matrix(
    n_mfcc: int,
    n_mels: int,
    *,
    dct_type: int = 2,
    norm: str | None = "ortho",
    lifter: float = 0.0,
    dtype: npt.DTypeLike = np.float32,
) -> np.ndarray:
    """DCT matrix ``(n_mels, n_mfcc)`` so that ``mfcc = log_mel @ matrix``.

    The rows of ``scipy.fft.dct(eye(n_mels), type=dct_type, norm=norm)`` kept to ``n_mfcc``
    coefficients, as ``librosa.feature.mfcc``.

    Args:
        n_mfcc: coefficients kept, 1 <= ``n_mfcc`` <= ``n_mels``.
        n_mels: mel bands of the input, >= 1.
        dct_type: 1, 2 or 3 (librosa ``dct_type``). Default: ``2``.
        norm: "ortho" (orthonormal, librosa's default) or None. Default: ``'ortho'``.
        lifter: when > 0, librosa's sinusoidal liftering ``1 + (lifter / 2) * sin(pi * (k + 1) /
            lifter)`` folded into the columns; 0 for none. Default: ``0.0``.
        dtype: of the array. Default: ``<class 'numpy.float32'>``.
    """
    n_mfcc, dct_type, norm, lifter = check_mfcc_args(n_mfcc, n_mels, dct_type, norm, lifter)
    return _dct_matrix(n_mfcc, int(n_mels), dct_type, norm, lifter, dtype)


def _dct_matrix(n_mfcc: int, n_mels: int, dct_type: int, norm, lifter: float, dtype) -> np.ndarray:
    """:func:`dct_matrix` of validated arguments."""
    matrix = scipy.fft.dct(np.eye(n_mels), type=dct_type, norm=norm, axis=0)[:n_mfcc].T
    if lifter > 0:
        matrix = matrix * (1 + (lifter / 2) * np.sin(np.pi * np.arange(1, 1 + n_mfcc) / lifter))
    return np.asarray(matrix, dtype=dtype)


def savgol_delta_weights(width: int = 9, order: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Savitzky-Golay derivative filters as librosa.feature.delta applies them.

    Args:
        width: odd window length in frames, ``3 <= width <= 1001``. Default: ``9``.
        order: derivative order, ``1 <= order < width``. Default: ``1``.

    Returns ``(interior, head, tail)``: ``interior`` (``width``,) weights a centred window (every
    frame in modes other than "interp");
    ``head`` and ``tail`` (``width // 2``, ``width``) give the first and last ``width // 2`` outputs
    from the first and last ``width`` inputs (the polynomial fit scipy uses at the edges).
    """
    width, order, _ = check_delta_args(width, order)
    return _savgol_delta_weights(width, order)


def _savgol_delta_weights(width: int, order: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`savgol_delta_weights` of validated arguments."""
    response = scipy.signal.savgol_filter(
        np.eye(width), width, polyorder=order, deriv=order, axis=0, mode="interp"
    )
    half = width // 2
    return response[half], response[:half], response[half + 1 :]
