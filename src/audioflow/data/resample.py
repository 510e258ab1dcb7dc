"""Resampling with soxr (the SoX resampler), high quality by default."""

from __future__ import annotations

import numpy as np
import soxr

from audioflow._validation import check_choice, check_int, parameter_error

__all__ = ["resample"]

_QUALITIES = ("QQ", "LQ", "MQ", "HQ", "VHQ")


def resample(audio, orig_sample_rate, sample_rate, quality="HQ"):
    """Change the sampling rate of a time-major signal with soxr.

    Equals ``soxr.resample(audio, orig_sample_rate, sample_rate, quality)`` (and so
    ``librosa.resample(..., res_type="soxr_hq")`` on the transposed array).

    Args:
        audio: float array ``(samples,)`` or ``(samples, channels)``; time is axis 0.
        orig_sample_rate: rate of ``audio`` in Hz (positive int).
        sample_rate: wanted rate in Hz (positive int).
        quality: soxr recipe, one of "QQ", "LQ", "MQ", "HQ" (default, 20-bit precision),
            "VHQ" (28-bit).

    Returns:
        float32 array with time axis ``ceil(samples * sample_rate / orig_sample_rate)``
        (soxr's output length), same trailing shape.
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
    return soxr.resample(audio, orig_sample_rate, sample_rate, quality=quality)
