"""The one error format and the generic checks (integers, numbers, choices, foreign argument names)."""

from __future__ import annotations

import functools
import math
import numbers

import numpy as np

from audioflow._limits import (
    FOREIGN_NAMES,
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


def parameter_error(name: str, requirement: str, /, hint: str | None = None, **received) -> ParameterError:
    """Build the one error format: "`name` must be <requirement>. Received: k=v."."""
    if not received:
        raise TypeError("parameter_error needs at least one received value")
    got = ", ".join(f"{key}={_format_value(value)}" for key, value in received.items())
    message = f"`{name}` must be {requirement}. Received: {got}."
    if hint:
        message += f" {hint}"
    return ParameterError(message)


def memoised(function):
    """``function`` cached on its arguments when all of them are hashable (numbers, strings, tuples).

    The argument checks run on every op call, and eager PyTorch pays for them on each one: with the
    same (hashable) arguments they now run once. Arrays and tensors are not hashable and are
    checked afresh each time. Errors are never cached: a bad argument raises on every call.
    """
    cached = functools.lru_cache(maxsize=256, typed=True)(function)

    @functools.wraps(function)
    def checked(*args, **kwargs):
        try:
            hash((args, tuple(kwargs.items())))
        except TypeError:
            return function(*args, **kwargs)
        return cached(*args, **kwargs)

    return checked


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


def check_channels_last(input_shape, *, layer: str) -> None:
    """Refuse a waveform ``(batch, samples, channels)`` with more channels than samples (static shapes).

    Such an input is almost always a channels-first array, ``(batch, channels, samples)`` as
    PyTorch and torchaudio lay audio out, which would be read as ``samples`` channels of a few
    samples each. Unknown (None) or empty axes are not checked, nor up to 8 channels (7.1 surround),
    so a few samples of stereo pass.
    """
    if len(input_shape) != 3:
        return
    samples, channels = input_shape[1], input_shape[2]
    if samples is None or channels is None or samples == 0 or channels <= max(samples, 8):
        return
    raise parameter_error(
        "inputs",
        "channels-last waveforms (batch, samples, channels), with no more channels than samples",
        layer=layer,
        input_shape=tuple(input_shape),
        hint="audioflow reads the last axis as channels: a channels-first (batch, channels, samples) "
        "array, as PyTorch lays audio out, must be transposed first: x.transpose(0, 2, 1) (NumPy) or "
        "keras.ops.moveaxis(x, 1, 2). Pass allow_more_channels_than_samples=True to the layer if the "
        "input really has more channels than samples.",
    )


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
