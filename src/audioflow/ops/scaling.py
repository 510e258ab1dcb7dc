"""Decibel scaling. The maxima for ``ref="max"`` and ``top_db`` are taken per example."""

from __future__ import annotations

import numpy as np
from keras import ops

from audioflow._validation import check_db_args, check_number

# Time and frequency axes of a time-major ``(..., frames, bins)`` spectrogram.
SPECTRAL_AXES = (-2, -1)


def _log10(x):
    return ops.log(x) * np.float32(1.0 / np.log(10.0))


def power_to_db(S, *, ref=1.0, amin: float = 1e-10, top_db: float | None = 80.0, axis=SPECTRAL_AXES):
    """Power to decibels: ``10 log10(max(amin, S)) - 10 log10(max(amin, ref))``, floored at ``max - top_db``.

    Args:
        S: power spectrogram ``(..., frames, bins)``, non-negative.
        ref: reference power (0 dB), or "max" for the example's own maximum.
        amin: smallest power considered, so silence gives a finite ``10 log10(amin / ref)`` dB.
        top_db: dynamic range kept below the example's maximum; None keeps everything.
        axis: axes of one example (default: its time and frequency axes). The maximum is never
            taken across the batch, so an example's features do not depend on its batch-mates.

    Matches ``librosa.power_to_db`` applied to each example.
    """
    check_db_args(ref, amin, top_db)
    S = ops.convert_to_tensor(S)
    floor = ops.cast(amin, S.dtype)
    log_spec = 10.0 * _log10(ops.maximum(S, floor))
    if ref == "max":
        log_spec = log_spec - 10.0 * _log10(ops.maximum(ops.max(S, axis=axis, keepdims=True), floor))
    else:
        log_spec = log_spec - float(10.0 * np.log10(max(amin, abs(ref))))
    if top_db is not None:
        log_spec = ops.maximum(log_spec, ops.max(log_spec, axis=axis, keepdims=True) - top_db)
    return log_spec


def amplitude_to_db(S, *, ref=1.0, amin: float = 1e-5, top_db: float | None = 80.0, axis=SPECTRAL_AXES):
    """Amplitude (magnitude) to decibels: ``power_to_db(S**2, ref=ref**2, amin=amin**2, top_db)``.

    Matches ``librosa.amplitude_to_db`` (whose ``amin`` default is 1e-5) applied to each example.
    """
    check_db_args(ref, amin, top_db)
    S = ops.abs(ops.convert_to_tensor(S))
    power_ref = "max" if ref == "max" else float(ref) ** 2
    return power_to_db(ops.square(S), ref=power_ref, amin=float(amin) ** 2, top_db=top_db, axis=axis)


def db_to_power(S_db, *, ref: float = 1.0):
    """Decibels to power: ``ref * 10 ** (S_db / 10)`` (librosa.db_to_power)."""
    check_number("ref", ref, exclusive_minimum=0.0)
    return float(ref) * ops.power(10.0, ops.convert_to_tensor(S_db) * 0.1)


def db_to_amplitude(S_db, *, ref: float = 1.0):
    """Decibels to amplitude: ``ref * 10 ** (S_db / 20)`` (librosa.db_to_amplitude)."""
    check_number("ref", ref, exclusive_minimum=0.0)
    return float(ref) * ops.power(10.0, ops.convert_to_tensor(S_db) * 0.05)
