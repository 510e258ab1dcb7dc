"""Domain checks of the spectral ops and layers: windows, STFT, mel, dB, MFCC, delta, mel scales."""

from __future__ import annotations

import math

import numpy as np

from audioflow._limits import (
    DEFAULT_KAISER_BETA,
    DELTA_MODES,
    MAX_DELTA_WIDTH,
    MAX_FILTERBANK_ELEMENTS,
    MAX_N_FFT,
    MAX_N_MELS,
    MAX_SAMPLES,
    PAD_MODES,
    scipy_window,
)
from audioflow._validation.basic import (
    _SIZE_HINT,
    _finite,
    check_bool,
    check_choice,
    check_input,
    check_int,
    check_number,
    is_int,
    is_number,
    parameter_error,
    python_value,
)

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


def is_tensor_window(window) -> bool:
    """Whether ``window`` is a tensor or a Keras variable (not a NumPy array, name or tuple)."""
    return (
        hasattr(window, "shape")
        and hasattr(window, "dtype")
        and not isinstance(window, (np.ndarray, np.generic))
    )


def _check_tensor_window(window, win_length: int):
    """A tensor window's static shape: 1-D, ``win_length`` long where known; real dtype."""
    shape = tuple(window.shape)
    dtype = str(getattr(window.dtype, "name", window.dtype))
    length = shape[0] if len(shape) == 1 else None
    if len(shape) != 1 or (is_int(length) and length != win_length) or "complex" in dtype or "bool" in dtype:
        raise parameter_error(
            "window",
            "a window name or a real 1-D array of length `win_length`",
            window_shape=shape,
            window_dtype=dtype,
            win_length=win_length,
        )
    return window


def check_window(window, win_length: int):
    """Any ``scipy.signal.get_window`` window (a name, a tuple ``(name, *params)``, a bare number as
    the kaiser beta) or a real 1-D array of ``win_length`` values. Returns it normalised: a str, a
    tuple, a float, or a read-only float64 array. A tensor or Keras variable is checked by its static
    shape and dtype (its values are not read) and returned as is."""
    if is_tensor_window(window):
        return _check_tensor_window(window, win_length)
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


def check_stft_args(n_fft, hop_length, win_length, window, center, pad_mode) -> tuple:
    """Validate STFT arguments: ``(n_fft, hop_length, win_length, window, center, pad_mode)`` with
    the defaults resolved, the window normalised (:func:`check_window`), NumPy scalars as Python
    values. Only :class:`audioflow.config.StftConfig` calls it: that is where they are held."""
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
    return n_fft, hop, win, window, center, pad_mode


def check_power(power):
    return check_number("power", power, exclusive_minimum=0.0)


def check_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm) -> tuple:
    """Validate mel filterbank arguments: ``(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm)``
    with ``f_max`` resolved, NumPy scalars as Python values. Only :class:`audioflow.config.MelConfig`
    calls it: that is where they are held."""
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
    return sample_rate, n_fft, n_mels, f_min, resolved_f_max, htk, norm


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
