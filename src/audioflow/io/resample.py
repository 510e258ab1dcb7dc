"""Resampling with soxr (the SoX resampler), with librosa's output length."""

from __future__ import annotations

import math

import numpy as np
import soxr

from audioflow._validation import check_choice, check_int, parameter_error

__all__ = ["resample", "resampled_length"]

_QUALITIES = ("QQ", "LQ", "MQ", "HQ", "VHQ")


def resampled_length(samples: int, orig_sample_rate: int, sample_rate: int) -> int:
    """``ceil(samples * sample_rate / orig_sample_rate)``, computed as librosa.resample does.

    librosa (``fix=True``, its default) pads or trims the resampler's output to this length;
    soxr alone rounds instead (1 sample at 16 kHz -> 22.05 kHz: soxr 1, librosa 2).
    """
    return int(math.ceil(samples * (float(sample_rate) / orig_sample_rate)))


def resample(audio, orig_sample_rate, sample_rate, quality="HQ"):
    """Change the sampling rate of a time-major signal with soxr, as ``librosa.resample``.

    Equals ``librosa.resample(audio.T, orig_sr=orig_sample_rate, target_sr=sample_rate,
    res_type="soxr_hq").T``: ``soxr.resample(audio, orig_sample_rate, sample_rate, quality)``
    padded with zeros or trimmed to :func:`resampled_length` samples.

    Args:
        audio: float array ``(samples,)`` or ``(samples, channels)``; time is axis 0.
        orig_sample_rate: rate of ``audio`` in Hz (positive int).
        sample_rate: wanted rate in Hz (positive int).
        quality: soxr recipe, one of "QQ", "LQ", "MQ", "HQ" (default, 20-bit precision,
            librosa's ``"soxr_hq"``), "VHQ" (28-bit).

    Returns:
        float32 array with ``ceil(samples * sample_rate / orig_sample_rate)`` samples on the
        time axis, same trailing shape.
    """
    check_int("orig_sample_rate", orig_sample_rate, minimum=1)
    check_int("sample_rate", sample_rate, minimum=1)
    check_choice("quality", quality, _QUALITIES)
    audio = np.asarray(audio)
    if audio.ndim not in (1, 2):
        raise parameter_error("audio", "a 1-D (samples,) or 2-D (samples, channels) array", audio=audio)
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    if orig_sample_rate == sample_rate:
        return audio
    out = soxr.resample(audio, orig_sample_rate, sample_rate, quality=quality)
    length = resampled_length(audio.shape[0], orig_sample_rate, sample_rate)
    if out.shape[0] > length:
        out = out[:length]
    elif out.shape[0] < length:
        out = np.concatenate([out, np.zeros((length - out.shape[0],) + out.shape[1:], out.dtype)])
    return out
