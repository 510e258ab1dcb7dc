"""Checks of the augmentation, PCEN and learnable front-end arguments."""

from __future__ import annotations

import numpy as np

from audioflow._validation.basic import (
    check_choice,
    check_int,
    check_number,
    is_number,
    parameter_error,
)

# ---------------------------------------------------------------------------
# Augmentation, PCEN and learnable front ends (audioflow.ops.augment/pcen/leaf).

MASK_VALUES = ("zero", "mean")
NOISE_COLORS = ("white", "pink")


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
    *,
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


def check_gain_args(*, gain_db):
    """:func:`audioflow.ops.random_gain`'s arguments; returns ``gain_db`` as ``(low, high)`` floats."""
    return check_augment_range("gain_db", gain_db)


def check_noise_args(*, snr_db, color):
    """:func:`audioflow.ops.add_noise`'s arguments; returns ``snr_db`` as ``(low, high)`` floats."""
    snr_db = check_augment_range("snr_db", snr_db)
    check_choice("color", color, NOISE_COLORS)
    return snr_db


def check_mixup_batch(x_shape, y_shape):
    """Mixup's ``x`` and ``y`` must hold as many examples (static batch sizes; None is not checked)."""
    x_batch, y_batch = tuple(x_shape)[0], tuple(y_shape)[0]
    if x_batch is not None and y_batch is not None and x_batch != y_batch:
        raise parameter_error(
            "y",
            "of the same batch size as `x` (one label row per example)",
            x_batch_size=x_batch,
            y_batch_size=y_batch,
        )


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
