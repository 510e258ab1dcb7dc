"""Fixed lengths and per-example normalisation, as the Hugging Face feature extractors apply them."""

from __future__ import annotations

from audioflow._compat import ops
from audioflow._validation import check_int, check_number, is_int
from audioflow.ops._tensor import as_float, dtype_name

__all__ = ["fix_length", "zero_mean_unit_variance"]


def fix_length(x, *, length: int, axis: int = 1):
    """``x`` zero-padded at the end or trimmed to ``length`` along ``axis`` (librosa ``util.fix_length``).

    Args:
        x: a tensor; ``axis`` may have an unknown size (a graph traced with ``None``).
        length: the size of ``axis`` afterwards (>= 0).
        axis: the axis to pad or trim (non-negative; 1 is the samples of ``(batch, samples)`` and the
            frames of ``(batch, frames, bins)``). Default: ``1``.

    Example:
        >>> fix_length(np.ones((2, 5), "float32"), length=8).shape
        (2, 8)
    """
    length = check_int("length", length, minimum=0)
    axis = check_int("axis", axis, minimum=0)
    x = ops.convert_to_tensor(x)
    size = x.shape[axis]
    trim = (slice(None),) * axis + (slice(0, length),)
    if is_int(size) and size >= length:
        return x[trim]
    shape = list(ops.shape(x))
    shape[axis] = length if not is_int(size) else length - size
    zeros = ops.zeros(tuple(shape), dtype=dtype_name(x))
    return ops.concatenate([x, zeros], axis=axis)[trim]


def zero_mean_unit_variance(x, *, epsilon: float = 1e-7):
    """Each example ``(batch, samples)`` minus its mean, divided by ``sqrt(variance + epsilon)``.

    The normalisation of transformers' ``Wav2Vec2FeatureExtractor(do_normalize=True)`` (its
    epsilon is 1e-7; the variance is the population variance, NumPy's ``var``).

    Args:
        x: waveforms ``(batch, samples)``; each row is normalised over its last axis.
        epsilon: added to the variance (>= 0). Default: ``1e-07``.

    Example:
        >>> zero_mean_unit_variance(np.array([[1.0, 3.0]], "float32"))  # ~[[-1, 1]]
    """
    epsilon = float(check_number("epsilon", epsilon, minimum=0.0))
    x = as_float(x)
    mean = ops.mean(x, axis=-1, keepdims=True)
    centred = x - mean
    variance = ops.mean(ops.square(centred), axis=-1, keepdims=True)
    return centred / ops.sqrt(variance + epsilon)
