"""Argument checks. The only place that words argument errors.

Every message has one format::

    `win_length` must be <= `n_fft`. Received: win_length=1024, n_fft=512.

optionally followed by a hint.
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from audioflow._limits import (
    DEFAULT_KAISER_BETA,
    DELTA_MODES,
    FOREIGN_NAMES,
    MAX_DELTA_WIDTH,
    MAX_FILTERBANK_ELEMENTS,
    MAX_N_FFT,
    MAX_N_MELS,
    MAX_SAMPLES,
    PAD_MODES,
    MelArgs,
    StftArgs,
    scipy_window,
)
from audioflow.errors import ParameterError

_SIZE_HINT = "This limit guards against sizes that cannot fit in memory."


def _format_value(value):
    value = value.item() if isinstance(value, np.generic) else value
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


def python_value(value):
    """A NumPy scalar as its Python value (``np.int64(512)`` -> 512, ``np.str_("hann")`` -> "hann")."""
    return value.item() if isinstance(value, np.generic) else value


def is_int(value) -> bool:
    value = python_value(value)
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value) -> bool:
    value = python_value(value)
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _finite(value) -> bool:
    try:
        return math.isfinite(value)
    except OverflowError:  # an int too large for a float
        return False


def check_int(
    name: str, value, *, minimum: int | None = None, maximum: int | None = None, allow_none: bool = False
):
    """An integer in ``[minimum, maximum]`` (or None when allowed), returned as a Python ``int``."""
    if value is None and allow_none:
        return value
    if not is_int(value):
        kind = "an integer" + (" or None" if allow_none else "")
        raise parameter_error(name, kind, **{name: value})
    value = int(python_value(value))
    if minimum is not None and value < minimum:
        requirement = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise parameter_error(name, requirement, **{name: value})
    if maximum is not None and value > maximum:
        raise parameter_error(name, f"<= {maximum}", **{name: value}, hint=_SIZE_HINT)
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
    """A finite real number within bounds (or None when allowed), returned as a Python int or float.

    NumPy scalars and ``fractions.Fraction`` are accepted as their Python values.
    """
    if value is None and allow_none:
        return value
    if not is_number(value) or not _finite(python_value(value)):
        kind = "a finite number" + (" or None" if allow_none else "")
        raise parameter_error(name, kind, **{name: value})
    value = python_value(value)
    value = int(value) if isinstance(value, numbers.Integral) else float(value)
    if exclusive_minimum is not None and not value > exclusive_minimum:
        raise parameter_error(name, f"> {exclusive_minimum}", **{name: value})
    if minimum is not None and value < minimum:
        raise parameter_error(name, f">= {minimum}", **{name: value})
    if maximum is not None and value > maximum:
        raise parameter_error(name, f"<= {maximum}", **{name: value})
    return value


def check_choice(name: str, value, choices):
    """One of ``choices`` (a NumPy scalar counts as its Python value). Returns the Python value."""
    value = python_value(value)
    if not any(value is choice or (type(value) is type(choice) and value == choice) for choice in choices):
        options = ", ".join(_format_value(choice) for choice in choices)
        raise parameter_error(name, f"one of {options}", **{name: value})
    return value


def check_bool(name: str, value):
    if not isinstance(value, (bool, np.bool_)):
        raise parameter_error(name, "True or False", **{name: value})
    return bool(value)


def check_librosa_names(kwargs, *, positional: str | None = None) -> None:
    """Refuse librosa / Keras / tf.signal / torchaudio argument names, naming audioflow's.

    ``kwargs`` holds keyword arguments a function or layer did not recognise: a name in
    :data:`FOREIGN_NAMES` raises a :class:`ParameterError` (:func:`check_foreign_names`); with
    ``positional`` (the name of an op's first argument), so do librosa's ``y=`` and ``S=``. Other
    names are left to the caller.
    """
    for name, value in kwargs.items():
        check_foreign_names({name: value}, set(FOREIGN_NAMES.values()))
        if positional is not None and name in ("y", "S"):
            raise parameter_error(
                name,
                f"passed as the first (positional) argument `{positional}`",
                hint=f"audioflow calls it `{positional}`.",
                **{name: value},
            )


def check_input(function: str, x, kwargs, *, positional: str = "x"):
    """An op's first argument, with unknown keywords refused: librosa's names (``y=``, ``sr=``)
    by :func:`check_librosa_names`, any other as Python does (TypeError)."""
    check_librosa_names(kwargs, positional=positional)
    for name in kwargs:
        raise TypeError(f"{function}() got an unexpected keyword argument {name!r}")
    if x is None:
        raise TypeError(f"{function}() missing 1 required positional argument: {positional!r}")
    return x


# ---------------------------------------------------------------------------
# Domain checks shared by ops and layers. Each returns the values normalised to Python types.


def _window_spec(window):
    """A name, a parameter tuple or a bare kaiser beta, normalised; None for array-like windows."""
    window = python_value(window)
    if isinstance(window, str):
        return ("kaiser", DEFAULT_KAISER_BETA) if window == "kaiser" else window
    if is_number(window):  # librosa/scipy: a bare number is the kaiser beta
        return float(check_number("window", window))
    if isinstance(window, (tuple, list)) and window and isinstance(python_value(window[0]), str):
        params = tuple(python_value(p) for p in window[1:])
        if not all(p is None or (is_number(p) and _finite(p)) for p in params):
            raise parameter_error(
                "window",
                "(name, *parameters) with finite numeric parameters",
                window=window,
                hint='Example: ("kaiser", 12.0) or ("tukey", 0.25).',
            )
        return (
            str(python_value(window[0])),
            *(p if p is None or isinstance(p, int) else float(p) for p in params),
        )
    return None


def check_window(window, win_length: int):
    """Any ``scipy.signal.get_window`` window (a name, a tuple ``(name, *params)``, a bare number as
    the kaiser beta) or a real 1-D array of ``win_length`` values. Returns it normalised: a str, a
    tuple, a float, or a read-only float64 array."""
    spec = _window_spec(window)
    if spec is not None:
        try:
            values = scipy_window(spec, win_length)
        except (ValueError, TypeError, OverflowError) as error:
            raise parameter_error(
                "window",
                "a scipy.signal.get_window window",
                window=window,
                hint=f"scipy says: {error}",
            ) from None
        if not np.all(np.isfinite(values)):
            raise parameter_error(
                "window", "a window with finite values", window=window, win_length=win_length
            )
        return spec
    if callable(window) or isinstance(window, (str, tuple, dict, set)) or window is None:
        raise parameter_error(
            "window", "a window name, a (name, *parameters) tuple, a number or an array", window=window
        )
    try:
        array = np.asarray(window)
    except (ValueError, TypeError):
        array = np.asarray(window, dtype=object)
    if array.dtype.kind not in "iuf" or array.ndim != 1 or array.shape[0] != win_length:
        raise parameter_error(
            "window",
            "a window name or a real 1-D array of length `win_length`",
            window=array if array.dtype.kind != "O" else window,
            win_length=win_length,
        )
    if not np.all(np.isfinite(array)):
        raise parameter_error("window", "finite", window=array)
    array = array.astype(np.float64)
    array.flags.writeable = False
    return array


def stft_arguments(n_fft, hop_length, win_length, window, center, pad_mode) -> StftArgs:
    """Validate STFT arguments; defaults resolved, NumPy scalars as Python values."""
    n_fft = check_int("n_fft", n_fft, minimum=2, maximum=MAX_N_FFT)
    win_length = check_int("win_length", win_length, minimum=1, allow_none=True)
    win = n_fft if win_length is None else win_length
    if win > n_fft:
        raise parameter_error("win_length", "<= `n_fft`", win_length=win_length, n_fft=n_fft)
    hop_length = check_int("hop_length", hop_length, minimum=1, maximum=MAX_SAMPLES, allow_none=True)
    hop = win // 4 if hop_length is None else hop_length
    if hop < 1:
        raise parameter_error(
            "hop_length",
            "a positive integer",
            hop_length=hop_length,
            win_length=win,
            hint="The default `win_length // 4` is 0 here: pass `hop_length` explicitly.",
        )
    window = check_window(window, win)
    center = check_bool("center", center)
    pad_mode = check_choice("pad_mode", pad_mode, PAD_MODES)
    return StftArgs(n_fft, hop, win, window, center, pad_mode)


def resolve_stft_args(n_fft, hop_length, win_length, window, center, pad_mode):
    """Validate STFT arguments and return resolved ``(hop_length, win_length)``."""
    args = stft_arguments(n_fft, hop_length, win_length, window, center, pad_mode)
    return args.hop_length, args.win_length


def check_power(power):
    return check_number("power", power, exclusive_minimum=0.0)


def mel_arguments(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm) -> MelArgs:
    """Validate mel filterbank arguments; ``f_max`` resolved, NumPy scalars as Python values."""
    sample_rate = check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
    n_fft = check_int("n_fft", n_fft, minimum=2, maximum=MAX_N_FFT)
    n_mels = check_int("n_mels", n_mels, minimum=1, maximum=MAX_N_MELS)
    if (n_fft // 2 + 1) * n_mels > MAX_FILTERBANK_ELEMENTS:
        raise parameter_error(
            "n_mels",
            f"such that (n_fft // 2 + 1) * n_mels <= {MAX_FILTERBANK_ELEMENTS}",
            n_mels=n_mels,
            n_fft=n_fft,
            hint=_SIZE_HINT,
        )
    f_min = check_number("f_min", f_min, minimum=0.0)
    f_max = check_number("f_max", f_max, exclusive_minimum=0.0, allow_none=True)
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
    htk = check_bool("htk", htk)
    norm = python_value(norm)
    p_norm = is_number(norm) and not math.isnan(norm) and norm > 0  # inf is the max-norm
    if not (norm is None or norm == "slaney" if isinstance(norm, str) or norm is None else p_norm):
        raise parameter_error("norm", '"slaney", None or a positive number (p-norm)', norm=norm)
    return MelArgs(sample_rate, n_fft, n_mels, f_min, resolved_f_max, htk, norm)


def resolve_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm):
    """Validate mel filterbank arguments and return the resolved ``f_max``."""
    return mel_arguments(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm).f_max


# float32 normal range: the dB maths runs in float32, where smaller floors flush to zero.
_FLOAT32_TINY = float(np.finfo(np.float32).tiny)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_db_args(ref, amin, top_db, *, amplitude: bool = False):
    """Validate dB arguments; returns ``(ref, amin, top_db)`` as Python values.

    ``amin`` (``amin ** 2`` for amplitudes) must lie in float32's normal range.
    """
    ref = python_value(ref)
    if not (ref == "max" if isinstance(ref, str) else is_number(ref) and _finite(ref) and ref > 0):
        raise parameter_error("ref", 'a positive number or "max"', ref=ref)
    if not isinstance(ref, str):
        ref = check_number("ref", ref)
    amin = check_number("amin", amin, exclusive_minimum=0.0)
    low, high = (
        (math.sqrt(_FLOAT32_TINY), math.sqrt(_FLOAT32_MAX)) if amplitude else (_FLOAT32_TINY, _FLOAT32_MAX)
    )
    if not low <= amin <= high:
        raise parameter_error(
            "amin",
            f"between {low:.3g} and {high:.3g}",
            amin=amin,
            hint="The floor" + (" squared" if amplitude else "") + " must be a normal float32 number.",
        )
    top_db = check_number("top_db", top_db, minimum=0.0, allow_none=True)
    return ref, amin, top_db


def check_mfcc_args(n_mfcc, n_mels, dct_type, norm, lifter, *, norm_name="norm"):
    """Validate MFCC (DCT) arguments; returns ``(n_mfcc, dct_type, norm, lifter)`` as Python values."""
    n_mels = check_int("n_mels", n_mels, minimum=1, maximum=MAX_N_MELS)
    n_mfcc = check_int("n_mfcc", n_mfcc, minimum=1)
    if n_mfcc > n_mels:
        raise parameter_error("n_mfcc", "<= `n_mels`", n_mfcc=n_mfcc, n_mels=n_mels)
    dct_type = check_choice("dct_type", dct_type, (1, 2, 3))
    if dct_type == 1 and n_mels < 2:
        raise parameter_error("n_mels", ">= 2 for `dct_type=1`", n_mels=n_mels, dct_type=dct_type)
    norm = python_value(norm)
    if not (norm is None or (isinstance(norm, str) and norm == "ortho")):
        raise parameter_error(norm_name, '"ortho" or None', **{norm_name: norm})
    lifter = check_number("lifter", lifter, minimum=0.0)
    return n_mfcc, dct_type, norm, lifter


_MFCC_INPUT_HINT = (
    "ops.mfcc takes a dB mel spectrogram, time-major (..., frames, n_mels), such as "
    "ops.log_mel_spectrogram(x, sample_rate=...); layers.MFCC takes waveforms."
)


def check_mfcc_input(log_mel, kwargs):
    """``ops.mfcc``'s input: a ``(..., frames, n_mels)`` spectrogram, not a waveform or ``y=``."""
    if "y" in kwargs:
        raise parameter_error(
            "y", "converted to a dB mel spectrogram first", y=kwargs["y"], hint=_MFCC_INPUT_HINT
        )
    check_input("mfcc", log_mel, kwargs, positional="log_mel")
    shape = tuple(np.shape(log_mel)) if isinstance(log_mel, (np.ndarray, list)) else tuple(log_mel.shape)
    if len(shape) < 2 or shape[-1] is None or shape[-1] > MAX_N_MELS:
        raise parameter_error(
            "log_mel",
            f"shaped (..., frames, n_mels <= {MAX_N_MELS})",
            log_mel_shape=shape,
            hint=_MFCC_INPUT_HINT,
        )
    return log_mel


def check_delta_args(width, order, mode="interp"):
    """Validate delta arguments; returns ``(width, order, mode)`` as Python values."""
    width = check_int("width", width, minimum=3, maximum=MAX_DELTA_WIDTH)
    if width % 2 == 0:
        raise parameter_error("width", "an odd integer >= 3", width=width)
    order = check_int("order", order, minimum=1)
    if order >= width:
        raise parameter_error(
            "order", "< `width`", order=order, width=width, hint="A Savitzky-Golay fit needs order < width."
        )
    mode = check_choice("mode", mode, DELTA_MODES)
    return width, order, mode


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
