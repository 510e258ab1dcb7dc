"""Chroma: librosa's chroma filterbank (NumPy, built once) and the chroma of a power spectrogram."""

from __future__ import annotations

import functools
import math

import numpy as np

from audioflow._compat import ops
from audioflow._validation import check_bool, check_int, check_number, parameter_error
from audioflow.ops._tensor import as_float, dtype_name, reduce_max

__all__ = ["check_norm", "chroma_filterbank", "chroma_from_power", "normalize_bins"]


def chroma_filterbank(
    *,
    sample_rate: float,
    n_fft: int,
    n_chroma: int = 12,
    tuning: float = 0.0,
    ctroct: float = 5.0,
    octwidth: float | None = 2.0,
    base_c: bool = True,
) -> np.ndarray:
    """``librosa.filters.chroma(sr=..., n_fft=..., ...)`` as ``(n_fft // 2 + 1, n_chroma)`` (float64).

    Each FFT bin spreads over the chroma bins by a Gaussian in pitch-class distance, normalised
    to unit L2 norm per bin, weighted by a Gaussian over octaves centred at ``ctroct`` (width
    ``octwidth``, None: flat); ``base_c`` starts at C (else at A).

    Args:
        sample_rate: of the audio in Hz, > 0.
        n_fft: FFT size in samples, >= 2.
        n_chroma: chroma bins per octave, >= 1. Default: ``12``.
        tuning: deviation from A440 in fractions of a chroma bin. Default: ``0.0``.
        ctroct: centre of the octave weighting, octaves above C0. Default: ``5.0``.
        octwidth: width of the octave weighting in octaves (None: flat). Default: ``2.0``.
        base_c: start at C (else at A). Default: ``True``.

    Raises:
        ParameterError: a non-positive ``sample_rate``, ``n_fft < 2``, ``n_chroma < 1``, a
            non-finite ``tuning``/``ctroct`` or a non-positive ``octwidth``.
    """
    sample_rate = check_number("sample_rate", sample_rate, exclusive_minimum=0)
    n_fft = check_int("n_fft", n_fft, minimum=2)
    n_chroma = check_int("n_chroma", n_chroma, minimum=1)
    tuning = check_number("tuning", tuning)
    ctroct = check_number("ctroct", ctroct)
    octwidth = check_number("octwidth", octwidth, exclusive_minimum=0, allow_none=True)
    base_c = check_bool("base_c", base_c)
    matrix = _chroma(float(sample_rate), n_fft, n_chroma, float(tuning), float(ctroct), octwidth, base_c)
    return matrix.copy()


@functools.lru_cache(maxsize=32)
def _chroma(sample_rate, n_fft, n_chroma, tuning, ctroct, octwidth, base_c) -> np.ndarray:
    frequencies = np.linspace(0, sample_rate, n_fft, endpoint=False)[1:]
    a440 = 440.0 * 2.0 ** (tuning / n_chroma)
    bins = n_chroma * np.log2(frequencies / (a440 / 16))
    bins = np.concatenate(([bins[0] - 1.5 * n_chroma], bins))  # 0 Hz: 1.5 octaves below bin 1
    widths = np.concatenate((np.maximum(bins[1:] - bins[:-1], 1.0), [1]))
    distance = np.subtract.outer(bins, np.arange(0, n_chroma, dtype="d")).T
    half = np.round(float(n_chroma) / 2)
    distance = np.remainder(distance + half + 10 * n_chroma, n_chroma) - half
    weights = np.exp(-0.5 * (2 * distance / np.tile(widths, (n_chroma, 1))) ** 2)
    norms = np.sqrt(np.sum(weights**2, axis=0, keepdims=True))
    weights = weights / np.where(norms < np.finfo(weights.dtype).tiny, 1.0, norms)
    if octwidth is not None:
        weights *= np.tile(np.exp(-0.5 * (((bins / n_chroma - ctroct) / octwidth) ** 2)), (n_chroma, 1))
    if base_c:
        weights = np.roll(weights, -3 * (n_chroma // 12), axis=0)
    matrix = np.ascontiguousarray(weights[:, : int(1 + n_fft / 2)].T)
    matrix.setflags(write=False)
    return matrix


def check_norm(norm):
    """A chroma normalisation: None, ``math.inf`` (max) or a positive p (p-norm)."""
    if norm is None:
        return None
    if isinstance(norm, (int, float, np.floating)) and not isinstance(norm, bool) and norm == math.inf:
        return math.inf
    return check_number("norm", norm, exclusive_minimum=0)


def normalize_bins(x, norm):
    """``librosa.util.normalize(x, norm=norm, axis=bins)`` on ``(..., bins)``; below ``tiny``, unchanged."""
    if norm is None:
        return x
    magnitude = ops.abs(x)
    if norm == math.inf:
        length = reduce_max(magnitude, -1, keepdims=True)
    else:
        length = ops.power(ops.sum(ops.power(magnitude, norm), axis=-1, keepdims=True), 1.0 / norm)
    tiny = float(np.finfo(dtype_name(x)).tiny)
    return x / ops.where(length < tiny, ops.ones_like(length), length)


def chroma_from_power(S, filterbank, *, norm=math.inf):
    """Chroma ``(..., frames, n_chroma)`` of a power spectrogram ``(..., frames, bins)`` (librosa ``chroma_stft``)."""
    S = as_float(S)
    if filterbank.shape[0] != S.shape[-1]:
        raise parameter_error("S", f"shaped (..., frames, {filterbank.shape[0]})", S_shape=tuple(S.shape))
    raw = ops.matmul(S, ops.convert_to_tensor(np.asarray(filterbank, dtype=dtype_name(S))))
    return normalize_bins(raw, norm)
