"""Analysis windows (periodic, scipy/librosa semantics), built in NumPy once."""

from __future__ import annotations

import numpy as np

from audioflow._compat import constant_tensor, host_constant
from audioflow._validation import check_int, check_window, scipy_window

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


def window_tensor(window, win_length: int, n_fft: int, dtype: str):
    """:func:`get_window` zero-padded and centred to ``n_fft`` samples, as a tensor of ``dtype``.

    Built on the host (a constant under ``torch.compile``, XLA and JAX).
    """
    return constant_tensor(_padded_window(window, win_length, n_fft, dtype))


@host_constant
def _padded_window(window, win_length: int, n_fft: int, dtype: str) -> np.ndarray:
    return pad_center(get_window(window, win_length, dtype=np.float64), n_fft).astype(dtype)
