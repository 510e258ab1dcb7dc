"""Small tensor helpers shared by the ops and layers (private): dtype names, float casting, padding, axes."""

from __future__ import annotations

import keras
import numpy as np

from audioflow._compat import ops, pad

#: Float dtypes the maths runs in; anything else (integers, float16, bfloat16) becomes float32.
COMPUTE_DTYPES = ("float32", "float64")


def dtype_name(x) -> str:
    """The standard name ("float32", ...) of a tensor's (or variable's, or array's) dtype."""
    return keras.backend.standardize_dtype(x.dtype)


def as_float(x):
    """``x`` as a tensor in float32, or float64 when it already is float64."""
    x = ops.convert_to_tensor(x)
    if dtype_name(x) not in COMPUTE_DTYPES:
        x = ops.cast(x, "float32")
    return x


def cast_like(value, like):
    """``value`` (a NumPy array, tensor or Keras variable) as a tensor of ``like``'s dtype.

    NumPy constants are converted on the host; tensors and variables are cast with
    ``keras.ops.cast``, so gradients flow to them.
    """
    dtype = dtype_name(like)
    if isinstance(value, np.ndarray):
        return ops.convert_to_tensor(value.astype(dtype, copy=False))
    if hasattr(value, "dtype") and dtype_name(value) == dtype:
        return ops.convert_to_tensor(value)
    return ops.cast(value, dtype)


def pad_last_axis(x, left: int, right: int, mode: str = "constant"):
    """Pad the last axis of ``x`` by ``left`` and ``right`` samples (``keras.ops.pad`` modes)."""
    widths = [(0, 0)] * (len(x.shape) - 1) + [(left, right)]
    return pad(x, widths, mode=mode)


def is_symbolic_dim(value) -> bool:
    """Whether ``value`` is a JAX symbolic dimension (shape-polymorphic export; all have ``dimension_as_value``)."""
    return getattr(value, "dimension_as_value", None) is not None


def dim_maximum(size, floor: int):
    """``max(size, floor)`` of a dimension: an int, a JAX symbolic dimension or a scalar tensor.

    A symbolic dimension stays one (``jax.core.max_dim``), so ``arange``, ``pad`` and reshapes
    can still use it under jax2tf shape polymorphism; ``ops.maximum`` would make it a tensor.
    """
    if isinstance(size, int):
        return max(size, floor)
    if is_symbolic_dim(size):
        import jax

        return jax.core.max_dim(size, floor)
    return ops.maximum(size, floor)


def channels_first(x, *, rank: int = 2, mono_axis: bool = False):
    """The trailing channel axis of ``x`` moved to axis 1.

    ``x`` of ``rank`` axes has no channel axis (mono): it passes through, or with ``mono_axis``
    gains one of size 1 at axis 1. ``rank=2``: ``(batch, samples, channels)`` ->
    ``(batch, channels, samples)``; ``rank=3``: ``(batch, frames, bins, channels)`` ->
    ``(batch, channels, frames, bins)``.
    """
    if len(x.shape) == rank:
        return ops.expand_dims(x, 1) if mono_axis else x
    return ops.transpose(x, (0, len(x.shape) - 1, *range(1, len(x.shape) - 1)))


def channels_last(y, rank: int, *, mono_rank: int = 2, mono_axis: bool = False):
    """The inverse of :func:`channels_first` for an input of ``rank`` axes: axis 1 moved last.

    An input of ``mono_rank`` axes (mono) passes through, or with ``mono_axis`` loses the axis of
    size 1 that :func:`channels_first` added.
    """
    if rank == mono_rank:
        return y[:, 0] if mono_axis else y
    axes = tuple(range(len(y.shape)))
    return ops.transpose(y, (0,) + axes[2:] + (1,))


def reduce_max(x, axis, *, keepdims: bool = False):
    """``keras.ops.max`` that gives zeros for an empty tensor (TensorFlow's refuses one).

    A statically empty ``x`` (an empty batch) returns zeros of the reduced shape; otherwise the
    plain maximum.
    """
    if any(d == 0 for d in x.shape):
        axes = (axis,) if isinstance(axis, int) else tuple(axis)
        axes = {a % len(x.shape) for a in axes}
        shape = (
            [1 if i in axes else d for i, d in enumerate(x.shape)]
            if keepdims
            else [d for i, d in enumerate(x.shape) if i not in axes]
        )
        return ops.zeros(tuple(shape), dtype=x.dtype)
    return ops.max(x, axis=axis, keepdims=keepdims)
