"""Analysis windows (periodic, scipy/librosa semantics), built in NumPy once, or given as tensors."""

from __future__ import annotations

import numpy as np

from audioflow._compat import constant_tensor, host_constant, ops
from audioflow._validation import check_int, check_window, is_tensor_window, scipy_window
from audioflow._validation.basic import memoised
from audioflow.ops._tensor import cast_like, dtype_name, pad_last_axis

# The STFT ops validate their window on every call; under torch.compile that NumPy/scipy work then
# runs once, while tracing, instead of breaking the graph (both functions only read Python values).
host_constant(check_window)
host_constant(scipy_window)


def get_window(window, win_length: int, *, dtype=np.float32) -> np.ndarray:
    """A periodic ("DFT-even") window of ``win_length`` samples as a NumPy array.

    Args:
        window: any ``scipy.signal.get_window`` window, as librosa accepts it: a name ("hann",
            "hamming", "blackman", "blackmanharris", "flattop", "boxcar"/"ones"/"rectangular",
            "triang", ...), a tuple with its parameters (``("kaiser", 14.0)``, ``("gaussian", 7.0)``,
            ``("tukey", 0.25)``), or a bare number (the kaiser beta, as scipy). "kaiser" alone means
            ``("kaiser", 12.0)``. Or a real array of ``win_length`` values, used as is.
        win_length: window length in samples.
        dtype: of the array. Default: ``<class 'numpy.float32'>``.

    Matches ``scipy.signal.get_window(window, win_length, fftbins=True)``, which librosa uses.
    Invalid windows (unknown names, NaN parameters, complex or boolean arrays) raise
    :class:`audioflow.ParameterError`.

    Example:
        >>> get_window("hann", 4)
        array([0. , 0.5, 1. , 0.5], dtype=float32)
    """
    win_length = check_int("win_length", win_length, minimum=1)
    window = check_window(window, win_length)
    values = window if isinstance(window, np.ndarray) else scipy_window(window, win_length)
    return np.array(values, dtype=dtype)


def pad_center(values: np.ndarray, size: int) -> np.ndarray:
    """Zero-pad ``values`` to ``size`` samples, centred (librosa.util.pad_center)."""
    left = (size - len(values)) // 2
    return np.pad(values, (left, size - len(values) - left))


def window_weights(window, win_length: int, *, like, size: int | None = None, squared: bool = False):
    """The window as a tensor of ``like``'s dtype, zero-padded and centred to ``size`` samples.

    A name, tuple or NumPy array is built on the host (:func:`get_window`, :func:`pad_center`), so
    graphs hold it as a constant. A tensor or Keras variable of ``win_length`` samples is cast and
    padded with ``keras.ops``, so gradients flow to it. ``squared`` gives the window's square
    (the overlap-add normalisation of an inverse STFT).
    """
    if is_tensor_window(window):
        weights = cast_like(window, like)
        if size is not None and size != win_length:
            left = (size - win_length) // 2
            weights = pad_last_axis(weights, left, size - win_length - left)
        return ops.square(weights) if squared else weights
    return constant_tensor(_host_window(window, win_length, size, squared, dtype_name(like)))


@host_constant
def _host_window(window, win_length: int, size: int | None, squared: bool, dtype: str) -> np.ndarray:
    return _window_values(window, win_length, size, squared, dtype).copy()


@memoised  # built once per named window; an array window is rebuilt (it is not hashable)
def _window_values(window, win_length: int, size: int | None, squared: bool, dtype: str) -> np.ndarray:
    values = get_window(window, win_length, dtype=np.float64)
    if size is not None:
        values = pad_center(values, size)
    return (np.square(values) if squared else values).astype(dtype)
