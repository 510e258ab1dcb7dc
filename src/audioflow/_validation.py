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
