"""Host-side (NumPy) clip shaping: downmix, crop, pad. Time is axis 0, channels last."""

from __future__ import annotations

import numpy as np

from audioflow._validation import check_choice, check_int, check_number, parameter_error

__all__ = ["CROP_MODES", "PAD_MODES", "crop", "fix_length", "pad", "to_mono"]

CROP_MODES = ("random", "center", "start")
PAD_MODES = ("zeros", "repeat")


def _check_audio(audio):
    audio = np.asarray(audio)
    if audio.ndim not in (1, 2):
        raise parameter_error("audio", "a 1-D (samples,) or 2-D (samples, channels) array", audio=audio)
    return audio


def to_mono(audio):
    """Average the channels of ``(samples, channels)`` audio into ``(samples,)`` (librosa's downmix).

    1-D input is returned unchanged.
    """
    audio = _check_audio(audio)
    if audio.ndim == 1:
        return audio
    if audio.shape[1] == 1:
        return audio[:, 0]
    return audio.mean(axis=1, dtype=np.float32).astype(audio.dtype, copy=False)


def crop(audio, length, mode="random", rng=None):
    """Cut ``audio`` to at most ``length`` samples along time (axis 0).

    Args:
        audio: ``(samples,)`` or ``(samples, channels)``.
        length: wanted number of samples (positive int). Shorter audio is returned unchanged.
        mode: "random" (uniform start in ``[0, samples - length]``), "center" (start
            ``(samples - length) // 2``) or "start" (the first ``length`` samples).
        rng: ``numpy.random.Generator``, int seed or None, for ``mode="random"``.
    """
    audio = _check_audio(audio)
    check_int("length", length, minimum=1)
    check_choice("mode", mode, CROP_MODES)
    spare = audio.shape[0] - length
    if spare <= 0:
        return audio
    if mode == "start":
        start = 0
    elif mode == "center":
        start = spare // 2
    else:
        start = int(np.random.default_rng(rng).integers(0, spare + 1))
    return audio[start : start + length]


def pad(audio, length, mode="zeros"):
    """Extend ``audio`` to at least ``length`` samples along time (axis 0), at the end.

    Args:
        audio: ``(samples,)`` or ``(samples, channels)``.
        length: wanted number of samples (positive int). Longer audio is returned unchanged.
        mode: "zeros" (append silence) or "repeat" (tile the clip from its start, then cut).
            Empty audio is always zero-padded.
    """
    audio = _check_audio(audio)
    check_int("length", length, minimum=1)
    check_choice("mode", mode, PAD_MODES)
    missing = length - audio.shape[0]
    if missing <= 0:
        return audio
    if mode == "repeat" and audio.shape[0] > 0:
        reps = -(-length // audio.shape[0])
        return np.concatenate([audio] * reps, axis=0)[:length]
    widths = [(0, missing)] + [(0, 0)] * (audio.ndim - 1)
    return np.pad(audio, widths)


def fix_length(audio, length, crop_mode="start", pad_mode="zeros", rng=None):
    """Crop or pad ``audio`` to exactly ``length`` samples (see :func:`crop` and :func:`pad`)."""
    return pad(crop(audio, length, crop_mode, rng), length, pad_mode)


def seconds_to_samples(name, seconds, sample_rate):
    """``round(seconds * sample_rate)``, at least one sample."""
    check_number(name, seconds, exclusive_minimum=0.0)
    samples = int(round(seconds * sample_rate))
    if samples < 1:
        raise parameter_error(
            name, "long enough to hold one sample", **{name: seconds, "sample_rate": sample_rate}
        )
    return samples
