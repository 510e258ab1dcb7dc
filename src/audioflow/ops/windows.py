"""Analysis windows (periodic, scipy/librosa semantics), built in NumPy once."""

from __future__ import annotations

import numpy as np
import scipy.signal

from audioflow._validation import check_int, check_window


def get_window(window, win_length: int, *, dtype=np.float32) -> np.ndarray:
    """A periodic ("DFT-even") window of ``win_length`` samples as a NumPy array.

    Args:
        window: "hann", "hamming", "blackman", "bartlett", "rectangular", ("kaiser", beta),
            "kaiser" (beta 12.0), or an array of length ``win_length`` used as is.
        win_length: window length in samples.

    Matches ``scipy.signal.get_window(window, win_length, fftbins=True)``, which librosa uses.
    """
    check_int("win_length", win_length, minimum=1)
    check_window(window, win_length)
    if isinstance(window, str):
        spec = ("kaiser", 12.0) if window == "kaiser" else ("boxcar" if window == "rectangular" else window)
        values = scipy.signal.get_window(spec, win_length, fftbins=True)
    elif isinstance(window, tuple):
        values = scipy.signal.get_window((window[0], float(window[1])), win_length, fftbins=True)
    else:
        values = np.asarray(window, dtype=np.float64)
    return np.asarray(values, dtype=dtype)


def pad_center(values: np.ndarray, size: int) -> np.ndarray:
    """Zero-pad ``values`` to ``size`` samples, centred (librosa.util.pad_center)."""
    left = (size - len(values)) // 2
    return np.pad(values, (left, size - len(values) - left))
