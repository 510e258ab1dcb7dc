"""Decibel scaling. The maxima for ``ref="max"`` and ``top_db`` are taken per example."""

from __future__ import annotations

import math
import warnings

import keras
import numpy as np

from audioflow._compat import ops
from audioflow._typing import Tensor
from audioflow._validation import check_db_args, check_number
from audioflow.ops.spectral import has_empty_dim

# Time and frequency axes of a time-major ``(..., frames, bins)`` spectrogram.
SPECTRAL_AXES = (-2, -1)


def _log10(x):
    return ops.log(x) * np.float32(1.0 / np.log(10.0))


def _real_input(S, function: str, suggestion: str):
    """``|S|`` with librosa's warning when ``S`` is complex (its phase is discarded), else ``S``."""
    S = ops.convert_to_tensor(S)
    if "complex" in keras.backend.standardize_dtype(S.dtype):
        warnings.warn(
            f"{function} was called on complex input so phase information will be discarded. "
            f"To suppress this warning, call {suggestion} instead.",
            UserWarning,
            stacklevel=3,
        )
        return ops.abs(S)
    return S


def _decibels(log_spec, S, *, ref, ref_db, amin, top_db, axis, scale):
    """``log_spec`` (``scale * log10(max(amin, S))``) relative to ``ref``, floored at ``max - top_db``.

    The example maxima are skipped for an empty tensor: there is nothing to floor, and reducing
    over an empty axis fails differently on every backend.
    """
    empty = has_empty_dim(S.shape)
    # amax, not max: keras.ops.max on torch probes its result's `.values`, which breaks torch.compile's graph.
    if ref == "max":
        if not empty:
            peak = ops.maximum(ops.amax(S, axis=axis, keepdims=True), ops.cast(amin, S.dtype))
            log_spec = log_spec - scale * _log10(peak)
    else:
        log_spec = log_spec - ref_db
    if top_db is not None and not empty:
        log_spec = ops.maximum(log_spec, ops.amax(log_spec, axis=axis, keepdims=True) - top_db)
    return log_spec


def power_to_db(
    S: Tensor,
    *,
    ref: float | str = 1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
    axis: int | tuple[int, ...] = SPECTRAL_AXES,
) -> Tensor:
    """Power to decibels: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))``, floored at ``max - top_db``.

    Args:
        S: power spectrogram ``(..., frames, bins)``, non-negative. Complex input is replaced by
            its magnitude ``|S|`` with a warning, exactly as librosa.
        ref: reference power (0 dB, > 0), or "max" for the example's own maximum (librosa
            ``ref=np.max``). Default: ``1.0``.
        amin: smallest power considered, so silence gives a finite ``10 log10(amin / ref)`` dB;
            within float32's normal range (1.2e-38 to 3.4e38). Default: ``1e-10``.
        top_db: dynamic range in dB kept below the example's maximum (>= 0); None keeps
            everything. Default: ``80.0``.
        axis: axes of one example (its time and frequency axes). The maximum is never taken
            across the batch, so an example's features do not depend on its batch-mates.
            Default: ``(-2, -1)``.

    Matches ``librosa.power_to_db`` applied to each example. Empty input (no frames, or an empty
    batch) gives empty output.

    Example:
        >>> power_to_db(np.ones((2, 10, 64), "float32"), ref="max").shape
        (2, 10, 64)
    """
    ref, amin, top_db = check_db_args(ref, amin, top_db)
    return _power_to_db(S, ref=ref, amin=amin, top_db=top_db, axis=axis)


def _power_to_db(S, *, ref, amin: float, top_db: float | None, axis=SPECTRAL_AXES):
    """:func:`power_to_db` with validated arguments (what the layers call)."""
    S = _real_input(S, "power_to_db", "power_to_db(np.abs(D)**2)")
    log_spec = 10.0 * _log10(ops.maximum(S, ops.cast(amin, S.dtype)))
    ref_db = None if ref == "max" else 10.0 * math.log10(max(amin, abs(ref)))
    return _decibels(log_spec, S, ref=ref, ref_db=ref_db, amin=amin, top_db=top_db, axis=axis, scale=10.0)


def amplitude_to_db(
    S: Tensor,
    *,
    ref: float | str = 1.0,
    amin: float = 1e-5,
    top_db: float | None = 80.0,
    axis: int | tuple[int, ...] = SPECTRAL_AXES,
) -> Tensor:
    """Amplitude (magnitude) to decibels: ``power_to_db(S**2, ref=ref**2, amin=amin**2, top_db)``.

    Matches ``librosa.amplitude_to_db`` (whose ``amin`` default is 1e-5) applied to each example;
    complex input is replaced by ``|S|`` with librosa's warning.

    Args:
        S: magnitude spectrogram ``(..., frames, bins)``.
        ref: reference magnitude (0 dB, > 0), or "max" for the example's own maximum. It is used
            in the log domain, so any positive finite ``ref`` works (librosa squares it, which
            overflows above 1.3e154). Default: ``1.0``.
        amin: smallest magnitude considered; ``amin ** 2`` must lie in float32's normal range
            (``amin`` from 1.1e-19 to 1.8e19). Default: ``1e-05``.
        top_db: dynamic range in dB kept below the example's maximum (>= 0); None keeps
            everything. Default: ``80.0``.
        axis: axes of one example (its time and frequency axes), never the batch's.
            Default: ``(-2, -1)``.

    Example:
        >>> amplitude_to_db(np.ones((2, 10, 64), "float32")).shape
        (2, 10, 64)
    """
    ref, amin, top_db = check_db_args(ref, amin, top_db, amplitude=True)
    return _amplitude_to_db(S, ref=ref, amin=amin, top_db=top_db, axis=axis)


def _amplitude_to_db(S, *, ref, amin: float, top_db: float | None, axis=SPECTRAL_AXES):
    """:func:`amplitude_to_db` with validated arguments (what the layers call)."""
    power = ops.square(ops.abs(_real_input(S, "amplitude_to_db", "amplitude_to_db(np.abs(S))")))
    power_amin = amin**2
    log_spec = 10.0 * _log10(ops.maximum(power, ops.cast(power_amin, power.dtype)))
    ref_db = None if ref == "max" else 20.0 * math.log10(max(amin, ref))
    return _decibels(
        log_spec, power, ref=ref, ref_db=ref_db, amin=power_amin, top_db=top_db, axis=axis, scale=10.0
    )


def db_to_power(S_db: Tensor, *, ref: float = 1.0) -> Tensor:
    """Decibels to power: ``ref * 10 ** (S_db / 10)`` (librosa.db_to_power).

    Args:
        S_db: decibels, any shape.
        ref: the power that 0 dB stands for, > 0. Default: ``1.0``.
    """
    ref = check_number("ref", ref, exclusive_minimum=0.0)
    return float(ref) * ops.power(10.0, ops.convert_to_tensor(S_db) * 0.1)


def db_to_amplitude(S_db: Tensor, *, ref: float = 1.0) -> Tensor:
    """Decibels to amplitude: ``ref * 10 ** (S_db / 20)`` (librosa.db_to_amplitude).

    Args:
        S_db: decibels, any shape.
        ref: the amplitude that 0 dB stands for, > 0. Default: ``1.0``.
    """
    ref = check_number("ref", ref, exclusive_minimum=0.0)
    return float(ref) * ops.power(10.0, ops.convert_to_tensor(S_db) * 0.05)
