"""Host-side (NumPy) clip shaping: downmix, crop, pad, and seconds -> samples. Time is axis 0.

:func:`crop_start` is the one rule that places a crop (used by :func:`crop`, by the reader that
decodes only a crop's part of a file, and by the dataset's cache), and
:func:`duration_to_samples` the one conversion of seconds to samples.
"""

from __future__ import annotations

import numpy as np

from audioflow._validation import check_choice, check_int, check_number, parameter_error

__all__ = [
    "CROP_MODES",
    "PAD_MODES",
    "crop",
    "crop_start",
    "duration_to_samples",
    "fix_length",
    "pad",
    "to_mono",
]

CROP_MODES = ("random", "center", "start")
PAD_MODES = ("zeros", "repeat")


def _check_audio(audio):
    audio = np.asarray(audio)
    if audio.ndim not in (1, 2):
        raise parameter_error("audio", "a 1-D (samples,) or 2-D (samples, channels) array", audio=audio)
    return audio


def duration_to_samples(duration, sample_rate, name="duration", minimum=1):
    """``round(duration * sample_rate)``: the number of samples in ``duration`` seconds.

    The one conversion of seconds to samples (clip lengths, offsets, crops).

    Args:
        duration: seconds (> 0, or >= 0 with ``minimum=0``).
        sample_rate: Hz (positive int).
        name: the argument's name in the error message.
        minimum: the fewest samples accepted (1 for a length, 0 for an offset).

    Raises:
        ParameterError: ``duration`` is negative (or 0 when ``minimum`` is 1), or gives fewer
            than ``minimum`` samples.

    Example:
        >>> duration_to_samples(1.0, 16000)
        16000
    """
    if minimum > 0:
        check_number(name, duration, exclusive_minimum=0.0)
    else:
        check_number(name, duration, minimum=0.0)
    samples = int(round(duration * sample_rate))
    if samples < minimum:
        raise parameter_error(
            name,
            "long enough to hold one sample at `sample_rate`",
            **{name: duration, "sample_rate": sample_rate},
        )
    return samples


def crop_start(spare: int, mode: str, draw: float = 0.0) -> int:
    """Where a crop starts when a clip is ``spare`` samples longer than the crop.

    "start": 0; "center": ``spare // 2``; "random": ``floor(draw * (spare + 1))``, uniform over
    the ``spare + 1`` possible starts for ``draw`` uniform in [0, 1).
    """
    if spare <= 0 or mode == "start":
        return 0
    if mode == "center":
        return spare // 2
    return min(spare, int(draw * (spare + 1)))


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
    if mode == "random":
        start = int(np.random.default_rng(rng).integers(0, spare + 1))
    else:
        start = crop_start(spare, mode)
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
