"""Spectral and frame descriptors: librosa.feature's centroid, bandwidth, rolloff, flatness, contrast,
RMS and zero-crossing rate, time-major.

The spectral ones take a magnitude (or power) spectrogram ``(..., frames, bins)`` and the bin
frequencies as a NumPy array; they return ``(..., frames, 1)`` (contrast: ``n_bands + 1``). RMS and
the zero-crossing rate take waveforms ``(..., samples)``. Each follows librosa 0.11's arithmetic
step by step, including its choices at the edges (a silent frame has centroid 0, a frame's L1
normalisation is skipped below float ``tiny``, the contrast's dB applies the power formula to
magnitudes).
"""

from __future__ import annotations

import numpy as np

from audioflow._compat import ops
from audioflow._validation import check_bool, check_choice, check_int, check_number, parameter_error
from audioflow.ops._tensor import as_float, dtype_name, pad_last_axis, reduce_max
from audioflow.ops.framing import frame

__all__ = [
    "contrast_bands",
    "rms",
    "spectral_bandwidth",
    "spectral_centroid",
    "spectral_contrast",
    "spectral_flatness",
    "spectral_rolloff",
    "zero_crossing_rate",
]


#: Padding modes of :func:`rms` (as ``np.pad``).
RMS_PAD_MODES = ("constant", "edge", "reflect")


def _tiny(x) -> float:
    return float(np.finfo(dtype_name(x)).tiny)


def _l1_normalised(S):
    """``librosa.util.normalize(S, norm=1, axis=bins)``: frames whose sum is below ``tiny`` stay as they are."""
    total = ops.sum(ops.abs(S), axis=-1, keepdims=True)
    return S / ops.where(total < _tiny(S), ops.ones_like(total), total)


def _frequencies(freq, like):
    return ops.convert_to_tensor(np.asarray(freq, dtype=dtype_name(like)))


def spectral_centroid(S, *, freq: np.ndarray):
    """Each frame's centre of mass in Hz: ``sum(freq * S) / sum(S)`` (librosa ``spectral_centroid``).

    Args:
        S: magnitude spectrogram ``(..., frames, bins)``, non-negative.
        freq: each bin's centre frequency in Hz, ``(bins,)`` (:func:`audioflow.ops.fft_frequencies`).

    Returns:
        ``(..., frames, 1)``; 0 for a silent frame, as librosa.
    """
    S = as_float(S)
    return ops.sum(_frequencies(freq, S) * _l1_normalised(S), axis=-1, keepdims=True)


def spectral_bandwidth(S, *, freq: np.ndarray, p: float = 2.0, norm: bool = True):
    """``(sum(S * |freq - centroid| ** p)) ** (1 / p)`` per frame (librosa ``spectral_bandwidth``).

    Args:
        S: magnitude spectrogram ``(..., frames, bins)``, non-negative.
        freq: each bin's centre frequency in Hz, ``(bins,)`` (:func:`audioflow.ops.fft_frequencies`).
        p: order, > 0. Default: ``2.0``.
        norm: normalise each frame to sum 1 first. Default: ``True``.
    """
    S = as_float(S)
    p = check_number("p", p, exclusive_minimum=0)
    norm = check_bool("norm", norm)
    deviation = ops.abs(_frequencies(freq, S) - spectral_centroid(S, freq=freq))
    weights = _l1_normalised(S) if norm else S
    return ops.power(ops.sum(weights * ops.power(deviation, p), axis=-1, keepdims=True), 1.0 / p)


def spectral_rolloff(S, *, freq: np.ndarray, roll_percent: float = 0.85):
    """The lowest bin frequency below which ``roll_percent`` of the frame's energy lies (librosa).

    Args:
        S: magnitude spectrogram ``(..., frames, bins)``, non-negative.
        freq: each bin's centre frequency in Hz, ``(bins,)`` (:func:`audioflow.ops.fft_frequencies`).
        roll_percent: fraction in (0, 1). Default: ``0.85``.
    """
    S = as_float(S)
    roll_percent = check_number("roll_percent", roll_percent, exclusive_minimum=0)
    if roll_percent >= 1:
        raise parameter_error("roll_percent", "in (0, 1)", roll_percent=roll_percent)
    energy = ops.cumsum(S, axis=-1)
    reached = energy >= roll_percent * energy[..., -1:]
    candidates = ops.where(reached, _frequencies(freq, S), ops.full_like(S, np.inf))
    return -reduce_max(-candidates, -1, keepdims=True)


def spectral_flatness(S, *, amin: float = 1e-10, power: float = 2.0):
    """Geometric over arithmetic mean of ``max(amin, S ** power)`` per frame, S a magnitude (librosa).

    Args:
        S: magnitude spectrogram ``(..., frames, bins)``, non-negative.
        amin: floor of ``S ** power``, > 0. Default: ``1e-10``.
        power: exponent of the magnitude, > 0. Default: ``2.0``.
    """
    S = as_float(S)
    amin = check_number("amin", amin, exclusive_minimum=0)
    power = check_number("power", power, exclusive_minimum=0)
    thresholded = ops.maximum(ops.power(S, power), amin)
    geometric = ops.exp(ops.mean(ops.log(thresholded), axis=-1, keepdims=True))
    return geometric / ops.mean(thresholded, axis=-1, keepdims=True)


def contrast_bands(freq: np.ndarray, *, sample_rate: float, fmin: float = 200.0, n_bands: int = 6):
    """librosa's octave sub-bands of ``spectral_contrast``: the bin indices of each, in order.

    Args:
        freq: each bin's centre frequency in Hz, ``(bins,)`` (:func:`audioflow.ops.fft_frequencies`).
        sample_rate: Hz, > 0.
        fmin: upper edge of the lowest band in Hz, > 0. Default: ``200.0``.
        n_bands: octave bands above the first, >= 1. Default: ``6``.

    Raises:
        ParameterError: ``n_bands < 1``, ``fmin <= 0``, or a band edge at or above Nyquist.
    """
    n_bands = check_int("n_bands", n_bands, minimum=1)
    fmin = check_number("fmin", fmin, exclusive_minimum=0)
    edges = np.zeros(n_bands + 2)
    edges[1:] = fmin * 2.0 ** np.arange(0, n_bands + 1)
    if np.any(edges[:-1] >= 0.5 * sample_rate):
        raise parameter_error(
            "fmin",
            "such that fmin * 2 ** n_bands < sample_rate / 2 (every band below Nyquist)",
            "Reduce either `fmin` or `n_bands`.",
            fmin=fmin,
            n_bands=n_bands,
            sample_rate=sample_rate,
        )
    freq = np.asarray(freq)
    bands = []
    for k, (low, high) in enumerate(zip(edges[:-1], edges[1:], strict=True)):
        current = np.logical_and(freq >= low, freq <= high)
        index = np.flatnonzero(current)
        if index.size == 0:
            raise parameter_error(
                "n_fft", f"large enough to give band {k} ({low:g}-{high:g} Hz) a bin", n_bands=n_bands
            )
        if k > 0:
            current[index[0] - 1] = True
        if k == n_bands:
            current[index[-1] + 1 :] = True
        selected = np.flatnonzero(current)
        bands.append(selected[:-1] if k < n_bands else selected)
    return bands


def spectral_contrast(S, *, bands, quantile: float = 0.02, linear: bool = False):
    """Peak minus valley of each sub-band per frame (librosa ``spectral_contrast``), ``(..., frames, bands)``.

    ``bands`` from :func:`contrast_bands`. The valley (peak) is the mean of the lowest (highest)
    ``max(1, rint(quantile * band size))`` values; in dB unless ``linear`` (librosa's
    ``power_to_db`` of the magnitudes, with its ``amin=1e-10``, ``ref=1``).

    Args:
        S: magnitude spectrogram ``(..., frames, bins)``, non-negative.
        bands: the bin indices of each band (:func:`contrast_bands`).
        quantile: fraction of each band averaged for its peak and valley, in (0, 1). Default: ``0.02``.
        linear: peak minus valley of the magnitudes, not their dB difference. Default: ``False``.
    """
    S = as_float(S)
    quantile = check_number("quantile", quantile, exclusive_minimum=0)
    if quantile >= 1:
        raise parameter_error("quantile", "in (0, 1)", quantile=quantile)
    contrasts = []
    for k, band in enumerate(bands):
        # librosa counts the band before the last-band extension is dropped (its sum(current_band))
        size = len(band) + (1 if k < len(bands) - 1 else 0)
        count = int(max(np.rint(quantile * size), 1))
        ordered = ops.sort(ops.take(S, ops.convert_to_tensor(band), axis=-1), axis=-1)
        valley = ops.mean(ordered[..., :count], axis=-1)
        peak = ops.mean(ordered[..., -count:], axis=-1)
        contrasts.append((peak, valley))
    peak, valley = (ops.stack([pair[i] for pair in contrasts], axis=-1) for i in (0, 1))
    if linear:
        return peak - valley
    return _contrast_db(peak) - _contrast_db(valley)


def _contrast_db(values):
    """librosa's ``power_to_db(values)`` (amin 1e-10, ref 1, top_db 80 below the maximum of the whole
    ``(frames, bands)`` array of each example and channel)."""
    db = 10.0 * ops.log10(ops.maximum(values, 1e-10))
    return ops.maximum(db, reduce_max(db, (-2, -1), keepdims=True) - 80.0)


def rms(
    x, *, frame_length: int = 2048, hop_length: int = 512, center: bool = True, pad_mode: str = "constant"
):
    """Root mean square of each frame of waveforms ``(..., samples)`` -> ``(..., frames, 1)`` (librosa ``rms``).

    Args:
        x: waveforms ``(..., samples)``.
        frame_length: samples per frame, >= 1. Default: ``2048``.
        hop_length: samples between frames, >= 1. Default: ``512``.
        center: pad ``frame_length // 2`` on both sides. Default: ``True``.
        pad_mode: "constant", "edge" or "reflect". Default: ``'constant'``.
    """
    x = as_float(x)
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    pad_mode = check_choice("pad_mode", pad_mode, RMS_PAD_MODES)
    if center and pad_mode == "edge":
        x = _pad_edge(x, frame_length // 2)
    elif center:
        x = pad_last_axis(x, frame_length // 2, frame_length // 2, mode=pad_mode)
    frames = frame(x, frame_length=frame_length, hop_length=hop_length)
    return ops.sqrt(ops.mean(ops.square(frames), axis=-1, keepdims=True))


def _pad_edge(x, width: int):
    """``np.pad(x, width, mode="edge")`` on the last axis (zeros for an empty signal), on every backend."""
    if width == 0:
        return x
    first = pad_last_axis(x, 0, 1)[..., :1]  # x[..., 0], or the pad's zero when x is empty
    last = pad_last_axis(x, 1, 0)[..., -1:]
    return ops.concatenate([ops.repeat(first, width, axis=-1), x, ops.repeat(last, width, axis=-1)], axis=-1)


def zero_crossing_rate(
    x,
    *,
    frame_length: int = 2048,
    hop_length: int = 512,
    center: bool = True,
    threshold: float = 1e-10,
    ref_magnitude: float | None = None,
    zero_pos: bool = True,
    pad: bool = False,
):
    """Fraction of sign changes in each frame of ``(..., samples)`` -> ``(..., frames, 1)`` (librosa).

    ``center`` pads ``frame_length // 2`` edge samples on both sides, as librosa does. Samples with
    ``|x| <= threshold`` (times ``ref_magnitude`` when given) count as zero; ``zero_pos`` counts
    zero as positive (else as its own sign); ``pad`` counts the first sample of a frame as a crossing.

    Args:
        x: waveforms ``(..., samples)``.
        frame_length: samples per frame, >= 1. Default: ``2048``.
        hop_length: samples between frames, >= 1. Default: ``512``.
        center: pad with edge samples on both sides. Default: ``True``.
        threshold: magnitude counted as zero, >= 0. Default: ``1e-10``.
        ref_magnitude: scales ``threshold`` when given. Default: ``None``.
        zero_pos: zero counts as positive. Default: ``True``.
        pad: count each frame's first sample as a crossing. Default: ``False``.
    """
    x = as_float(x)
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    threshold = check_number("threshold", threshold, minimum=0)
    ref_magnitude = check_number("ref_magnitude", ref_magnitude, minimum=0, allow_none=True)
    if ref_magnitude is not None:
        threshold = threshold * ref_magnitude
    if center:
        x = _pad_edge(x, frame_length // 2)
    frames = frame(x, frame_length=frame_length, hop_length=hop_length)
    if threshold > 0:
        frames = ops.where(ops.abs(frames) <= threshold, ops.zeros_like(frames), frames)
    sign = ops.cast(frames < 0, "int32") if zero_pos else ops.cast(ops.sign(frames), "int32")
    changes = ops.cast(ops.not_equal(sign[..., 1:], sign[..., :-1]), x.dtype)
    count = ops.sum(changes, axis=-1, keepdims=True) + (1.0 if pad else 0.0)
    return count / frame_length
