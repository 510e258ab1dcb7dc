"""Argument checks. The only place that words argument errors.

Every message has one format::

    `win_length` must be <= `n_fft`. Received: win_length=1024, n_fft=512.

optionally followed by a hint.
"""

from __future__ import annotations

import numbers

import numpy as np

from audioflow.errors import ParameterError


def _format_value(value):
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, np.ndarray):
        return f"array(shape={value.shape}, dtype={value.dtype})"
    return repr(value)


def parameter_error(name: str, requirement: str, hint: str | None = None, **received) -> ParameterError:
    """Build the one error format: "`name` must be <requirement>. Received: k=v."."""
    if not received:
        raise TypeError("parameter_error needs at least one received value")
    got = ", ".join(f"{key}={_format_value(value)}" for key, value in received.items())
    message = f"`{name}` must be {requirement}. Received: {got}."
    if hint:
        message += f" {hint}"
    return ParameterError(message)


def is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(name: str, value, *, minimum: int | None = None, allow_none: bool = False):
    """An integer >= ``minimum`` (or None when allowed). Returns the value."""
    if value is None and allow_none:
        return value
    if not is_int(value):
        kind = "an integer" + (" or None" if allow_none else "")
        raise parameter_error(name, kind, **{name: value})
    if minimum is not None and value < minimum:
        requirement = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise parameter_error(name, requirement, **{name: value})
    return value


def check_number(
    name: str,
    value,
    *,
    minimum: float | None = None,
    exclusive_minimum: float | None = None,
    maximum: float | None = None,
    allow_none: bool = False,
):
    """A finite real number within bounds (or None when allowed). Returns the value."""
    if value is None and allow_none:
        return value
    if not is_number(value) or not np.isfinite(value):
        kind = "a finite number" + (" or None" if allow_none else "")
        raise parameter_error(name, kind, **{name: value})
    if exclusive_minimum is not None and not value > exclusive_minimum:
        raise parameter_error(name, f"> {exclusive_minimum}", **{name: value})
    if minimum is not None and value < minimum:
        raise parameter_error(name, f">= {minimum}", **{name: value})
    if maximum is not None and value > maximum:
        raise parameter_error(name, f"<= {maximum}", **{name: value})
    return value


def check_choice(name: str, value, choices):
    """One of ``choices``. Returns the value."""
    if not any(value is choice or (type(value) is type(choice) and value == choice) for choice in choices):
        options = ", ".join(_format_value(choice) for choice in choices)
        raise parameter_error(name, f"one of {options}", **{name: value})
    return value


def check_bool(name: str, value):
    if not isinstance(value, (bool, np.bool_)):
        raise parameter_error(name, "True or False", **{name: value})
    return bool(value)


# ---------------------------------------------------------------------------
# Domain checks shared by ops and layers.

WINDOW_NAMES = ("hann", "hamming", "blackman", "bartlett", "kaiser", "rectangular")
PAD_MODES = ("constant", "reflect")


def check_window(window, win_length: int):
    """A window name, ("kaiser", beta), or a 1-D array of length ``win_length``."""
    if isinstance(window, str):
        return check_choice("window", window, WINDOW_NAMES)
    if isinstance(window, tuple):
        if len(window) != 2 or window[0] != "kaiser" or not is_number(window[1]):
            raise parameter_error(
                "window",
                'a name, ("kaiser", beta) or an array',
                window=window,
                hint='Example: ("kaiser", 12.0).',
            )
        return window
    array = np.asarray(window)
    if array.ndim != 1 or array.shape[0] != win_length:
        raise parameter_error(
            "window",
            "a name or a 1-D array of length `win_length`",
            window=array,
            win_length=win_length,
        )
    if not np.all(np.isfinite(array)):
        raise parameter_error("window", "finite", window=array)
    return window


def resolve_stft_args(n_fft, hop_length, win_length, window, center, pad_mode):
    """Validate STFT arguments and return resolved ``(hop_length, win_length)``."""
    check_int("n_fft", n_fft, minimum=2)
    check_int("win_length", win_length, minimum=1, allow_none=True)
    win = n_fft if win_length is None else win_length
    if win > n_fft:
        raise parameter_error("win_length", "<= `n_fft`", win_length=win_length, n_fft=n_fft)
    check_int("hop_length", hop_length, minimum=1, allow_none=True)
    hop = win // 4 if hop_length is None else hop_length
    if hop < 1:
        raise parameter_error(
            "hop_length",
            "a positive integer",
            hop_length=hop_length,
            win_length=win,
            hint="The default `win_length // 4` is 0 here: pass `hop_length` explicitly.",
        )
    check_window(window, win)
    check_bool("center", center)
    check_choice("pad_mode", pad_mode, PAD_MODES)
    return hop, win


def check_power(power):
    return check_number("power", power, exclusive_minimum=0.0)


def resolve_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm):
    """Validate mel filterbank arguments and return the resolved ``f_max``."""
    check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    check_int("n_fft", n_fft, minimum=2)
    check_int("n_mels", n_mels, minimum=1)
    check_number("f_min", f_min, minimum=0.0)
    check_number("f_max", f_max, exclusive_minimum=0.0, allow_none=True)
    nyquist = sample_rate / 2.0
    resolved_f_max = nyquist if f_max is None else float(f_max)
    if resolved_f_max > nyquist:
        raise parameter_error(
            "f_max",
            "<= sample_rate / 2",
            f_max=f_max,
            sample_rate=sample_rate,
            hint="Frequencies above Nyquist do not exist.",
        )
    if f_min >= resolved_f_max:
        raise parameter_error("f_min", "< `f_max`", f_min=f_min, f_max=resolved_f_max)
    check_bool("htk", htk)
    if not (norm is None or norm == "slaney" or (is_number(norm) and norm > 0)):
        raise parameter_error("norm", '"slaney", None or a positive number (p-norm)', norm=norm)
    return resolved_f_max


def check_db_args(ref, amin, top_db):
    if not (ref == "max" if isinstance(ref, str) else is_number(ref) and np.isfinite(ref) and ref > 0):
        raise parameter_error("ref", 'a positive number or "max"', ref=ref)
    check_number("amin", amin, exclusive_minimum=0.0)
    check_number("top_db", top_db, minimum=0.0, allow_none=True)


def check_mfcc_args(n_mfcc, n_mels, dct_type, norm, lifter, *, norm_name="norm"):
    check_int("n_mfcc", n_mfcc, minimum=1)
    if n_mfcc > n_mels:
        raise parameter_error("n_mfcc", "<= `n_mels`", n_mfcc=n_mfcc, n_mels=n_mels)
    check_choice("dct_type", dct_type, (1, 2, 3))
    if not (norm is None or norm == "ortho"):
        raise parameter_error(norm_name, '"ortho" or None', **{norm_name: norm})
    check_number("lifter", lifter, minimum=0.0)


def check_delta_args(width, order):
    check_int("width", width, minimum=3)
    if width % 2 == 0:
        raise parameter_error("width", "an odd integer >= 3", width=width)
    check_choice("order", order, (1, 2))


# ---------------------------------------------------------------------------
# Mel scales, and names users bring from other libraries.

MEL_SCALES = ("slaney", "htk")


def resolve_mel_scale(mel_scale, htk=None) -> str:
    """The mel scale named by ``mel_scale``, or by the older ``htk`` flag when that is given.

    ``htk=True`` means ``mel_scale="htk"`` (the default ``"slaney"`` gives way to it); ``htk=False``
    with ``mel_scale="htk"`` contradicts itself.
    """
    check_choice("mel_scale", mel_scale, MEL_SCALES)
    if htk is None:
        return mel_scale
    htk = check_bool("htk", htk)
    if not htk and mel_scale == "htk":
        raise parameter_error(
            "htk",
            'True or None when `mel_scale="htk"`',
            htk=htk,
            mel_scale=mel_scale,
            hint="`htk` is the older spelling of `mel_scale`: pass only `mel_scale`.",
        )
    return "htk" if htk else mel_scale


#: Argument names of librosa, torchaudio, tf.signal and Keras, and audioflow's name for each.
FOREIGN_NAMES = {
    "sr": "sample_rate",
    "sampling_rate": "sample_rate",
    "fmin": "f_min",
    "fmax": "f_max",
    "min_freq": "f_min",
    "max_freq": "f_max",
    "lower_edge_hertz": "f_min",
    "upper_edge_hertz": "f_max",
    "num_mel_bins": "n_mels",
    "n_mel": "n_mels",
    "num_mfcc": "n_mfcc",
    "n_mfccs": "n_mfcc",
    "fft_length": "n_fft",
    "frame_length": "win_length",
    "sequence_length": "win_length",
    "frame_step": "hop_length",
    "sequence_stride": "hop_length",
    "hop_size": "hop_length",
    "win_size": "win_length",
    "mel_norm": "norm",
}


def check_foreign_names(arguments: dict, accepted) -> None:
    """Refuse another library's spelling of an argument this function or layer accepts.

    "`sr` is not an audioflow argument: audioflow calls it `sample_rate`. Received: sr=16000."
    """
    for name, value in arguments.items():
        ours = FOREIGN_NAMES.get(name)
        if ours is not None and ours in accepted:
            raise ParameterError(
                f"`{name}` is not an audioflow argument: audioflow calls it `{ours}`. "
                f"Received: {name}={_format_value(value)}."
            )


# ---------------------------------------------------------------------------
# Augmentation, PCEN and learnable front ends (audioflow.ops.augment/pcen/leaf).

MASK_VALUES = ("zero", "mean")


def check_augment_range(name: str, value, *, minimum: float | None = None):
    """A ``(low, high)`` pair of finite numbers with low <= high (a list from a config too)."""
    if (
        not isinstance(value, (tuple, list))
        or len(value) != 2
        or not all(is_number(v) and np.isfinite(v) for v in value)
    ):
        raise parameter_error(name, "a (low, high) pair of finite numbers", **{name: value})
    low, high = float(value[0]), float(value[1])
    if low > high:
        raise parameter_error(name, "a (low, high) pair with low <= high", **{name: value})
    if minimum is not None and low < minimum:
        raise parameter_error(name, f"a (low, high) pair with low >= {minimum}", **{name: value})
    return low, high


def check_spec_augment_args(
    freq_mask_param,
    n_freq_masks,
    time_mask_param,
    n_time_masks,
    time_mask_max_ratio,
    time_warp_param,
    mask_value,
):
    check_int("freq_mask_param", freq_mask_param, minimum=0)
    check_int("n_freq_masks", n_freq_masks, minimum=0)
    check_int("time_mask_param", time_mask_param, minimum=0)
    check_int("n_time_masks", n_time_masks, minimum=0)
    check_number("time_mask_max_ratio", time_mask_max_ratio, minimum=0.0, maximum=1.0)
    check_int("time_warp_param", time_warp_param, minimum=0)
    check_choice("mask_value", mask_value, MASK_VALUES)


def check_fits_axis(name: str, width: int, axis: str, length, hint: str | None = None):
    """``width`` (a mask or warp parameter) must fit a static axis of ``length`` (None: unknown, not checked)."""
    if length is not None and width > length:
        raise parameter_error(name, f"<= the number of {axis}", hint=hint, **{name: width, axis: length})


def check_pcen_args(sample_rate, hop_length, gain, bias, power, time_constant, eps, b, max_size):
    """librosa.pcen's constraints: gain, bias, power >= 0; eps, time_constant > 0; 0 <= b <= 1."""
    check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    check_int("hop_length", hop_length, minimum=1)
    check_number("gain", gain, minimum=0.0)
    check_number("bias", bias, minimum=0.0)
    check_number("power", power, minimum=0.0)
    check_number("time_constant", time_constant, exclusive_minimum=0.0)
    check_number("eps", eps, exclusive_minimum=0.0)
    check_number("b", b, minimum=0.0, maximum=1.0, allow_none=True)
    check_int("max_size", max_size, minimum=1)
