"""The real DFT as matrix products, and the export-safe mode that makes :func:`stft` use it.

ONNX has no complex tensors: tf2onnx cannot convert TensorFlow's RFFT/Real/Imag and PyTorch's
exporter rejects complex STFTs. Inside :func:`export_safe_stft`, :func:`audioflow.ops.stft` frames
with a gather and transforms with two real matrix products (``frames @ cos``, ``frames @ -sin``),
and :func:`audioflow.ops.istft` inverts with two more: only MatMul, Gather and elementwise ops,
which every exporter and runtime carries. :func:`log1p` and :func:`expm1` likewise become
``log(1 + x)`` and ``exp(x) - 1`` there (tf2onnx has no Log1p/Expm1; ONNX has neither). The
default (training) path is unchanged.
"""

from __future__ import annotations

import contextlib

import numpy as np

from audioflow._compat import constant_tensor, host_constant, ops
from audioflow.ops._tensor import dtype_name

_export_safe_depth = 0


@contextlib.contextmanager
def export_safe_stft():
    """Within this context, STFTs are traced as real matrix products (for ONNX export).

    Enter it around the tracing of a model (``tf.function`` concrete functions, ``jax2tf``,
    ``torch.onnx.export``): framing becomes one gather and the FFT a real DFT computed as
    ``frames @ cos`` and ``frames @ -sin`` (float64 matrices built on the host, cast to the
    signal's dtype), and feature batches are not split into ``keras.ops.map`` chunks. The
    numbers equal the FFT path's to float32 rounding (``tests/tolerances.py``); the cost is
    ``O(n_fft)`` per bin instead of ``O(log n_fft)``. Nestable; outside it nothing changes.

    Example:
        >>> with audioflow.ops.export_safe_stft():
        ...     concrete = tf.function(model).get_concrete_function(spec)
    """
    global _export_safe_depth
    _export_safe_depth += 1
    try:
        yield
    finally:
        _export_safe_depth -= 1


def export_safe() -> bool:
    """Whether :func:`export_safe_stft` is active (STFTs as matrix products, no chunking)."""
    return _export_safe_depth > 0


_power_of_two_fft_depth = 0


@contextlib.contextmanager
def power_of_two_ffts():
    """Within this context, an STFT whose ``n_fft`` is not a power of two is a real DFT as matrix products.

    For TFLite: its RFFT2D kernel takes power-of-two lengths only (``n_fft=400``, 25 ms at 16 kHz,
    converts but fails when the interpreter prepares it). Power-of-two sizes keep the FFT.
    """
    global _power_of_two_fft_depth
    _power_of_two_fft_depth += 1
    try:
        yield
    finally:
        _power_of_two_fft_depth -= 1


def exporting() -> bool:
    """Whether an exporter is tracing (ONNX: :func:`export_safe_stft`; TFLite: :func:`power_of_two_ffts`).

    Feature batches are then not split into ``keras.ops.map`` chunks: a loop is a tensor list that
    the TFLite converter cannot lower and tf2onnx converts poorly.
    """
    return export_safe() or _power_of_two_fft_depth > 0


def dft_as_matmul(n_fft: int) -> bool:
    """Whether :func:`audioflow.ops.stft` computes its transform as matrix products here."""
    return export_safe() or (_power_of_two_fft_depth > 0 and n_fft & (n_fft - 1) != 0)


def log1p(x):
    """``keras.ops.log1p(x)``; ``log(1 + x)`` inside :func:`export_safe_stft` (ONNX has no Log1p).

    The export form loses relative precision only where ``|x| < 1e-7``, below float32's step at 1.
    """
    return ops.log(1.0 + x) if export_safe() else ops.log1p(x)


def expm1(x):
    """``keras.ops.expm1(x)``; ``exp(x) - 1`` inside :func:`export_safe_stft` (ONNX has no Expm1)."""
    return ops.exp(x) - 1.0 if export_safe() else ops.expm1(x)


@host_constant
def real_dft_matrices(n_fft: int, dtype: str = "float32"):
    """``(cos, -sin)`` of ``2 pi n k / n_fft``, each ``(n_fft, n_fft // 2 + 1)``: rows are samples.

    ``frames @ cos`` and ``frames @ -sin`` are the real and imaginary parts of
    ``numpy.fft.rfft(frames, n_fft)``. Built in float64 from ``n k mod n_fft`` (an exact integer,
    so large products lose no phase precision), then cast to ``dtype``.
    """
    n = np.arange(n_fft, dtype=np.int64)
    phase = 2.0 * np.pi * (np.outer(n, n[: n_fft // 2 + 1]) % n_fft) / n_fft
    return np.cos(phase).astype(dtype), (-np.sin(phase)).astype(dtype)


@host_constant
def inverse_real_dft_matrices(n_fft: int, dtype: str = "float32"):
    """``(A, B)``, each ``(n_fft // 2 + 1, n_fft)``, with ``real @ A + imag @ B == numpy.fft.irfft``.

    The inverse of a Hermitian spectrum from its first ``n_fft // 2 + 1`` bins: the DC bin (and the
    Nyquist bin when ``n_fft`` is even) count once, the others twice (their mirror images); the
    imaginary parts of those self-conjugate bins are ignored, as ``numpy.fft.irfft`` does.
    """
    bins = n_fft // 2 + 1
    k = np.arange(bins, dtype=np.int64)
    phase = 2.0 * np.pi * (np.outer(k, np.arange(n_fft, dtype=np.int64)) % n_fft) / n_fft
    weight = np.full(bins, 2.0)
    weight[0] = 1.0
    if n_fft % 2 == 0:
        weight[-1] = 1.0
    scale = (weight / n_fft)[:, None]
    sin = np.sin(phase)
    sin[0] = 0.0
    if n_fft % 2 == 0:
        sin[-1] = 0.0
    return (scale * np.cos(phase)).astype(dtype), (-scale * sin).astype(dtype)


def rfft_matmul(frames, n_fft: int):
    """``keras.ops.rfft(frames, n_fft)`` as two real matrix products: ``(real, imag)`` ``(..., bins)``.

    ``frames`` is ``(..., n_fft)`` (already windowed and padded to ``n_fft``).
    """
    cos, sin = (constant_tensor(m) for m in real_dft_matrices(n_fft, dtype_name(frames)))
    return ops.matmul(frames, cos), ops.matmul(frames, sin)


def irfft_matmul(spectrum, n_fft: int):
    """``keras.ops.irfft((real, imag), n_fft)`` as two real matrix products: ``(..., n_fft)``."""
    real, imag = spectrum
    a, b = (constant_tensor(m) for m in inverse_real_dft_matrices(n_fft, dtype_name(real)))
    return ops.matmul(real, a) + ops.matmul(imag, b)
