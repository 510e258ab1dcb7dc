"""Linear-frequency cepstra (LFCC, torchaudio's): a linear triangular filterbank and its DCT, NumPy."""

from __future__ import annotations

import numpy as np
import scipy.fft

from audioflow._validation import check_choice, check_int, check_number, parameter_error

__all__ = ["lfcc_dct_matrix", "linear_filterbank"]


def linear_filterbank(
    *, sample_rate: int, n_fft: int, n_filter: int, f_min: float = 0.0, f_max: float | None = None
):
    """``torchaudio.functional.linear_fbanks(n_fft // 2 + 1, f_min, f_max, n_filter, sample_rate)``, float64.

    ``n_filter`` triangles with corners equally spaced from ``f_min`` to ``f_max`` (None:
    ``sample_rate // 2``) over bins at ``linspace(0, sample_rate // 2, n_fft // 2 + 1)`` (torchaudio's
    bin grid), peak 1, unnormalised: ``(n_fft // 2 + 1, n_filter)``.

    Args:
        sample_rate: of the audio in Hz, > 0.
        n_fft: FFT size in samples, >= 2.
        n_filter: number of triangular filters, >= 1.
        f_min: lowest corner in Hz, >= 0. Default: ``0.0``.
        f_max: highest corner in Hz (None: ``sample_rate // 2``). Default: ``None``.

    Raises:
        ParameterError: non-positive ``sample_rate``/``n_filter``, ``f_min < 0`` or ``f_max <= f_min``.
    """
    sample_rate = check_number("sample_rate", sample_rate, exclusive_minimum=0)
    n_fft = check_int("n_fft", n_fft, minimum=2)
    n_filter = check_int("n_filter", n_filter, minimum=1)
    f_min = check_number("f_min", f_min, minimum=0)
    f_max = float(sample_rate // 2) if f_max is None else check_number("f_max", f_max)
    if f_max <= f_min:
        raise parameter_error("f_max", "> `f_min`", f_max=f_max, f_min=f_min)
    all_freqs = np.linspace(0, sample_rate // 2, n_fft // 2 + 1)
    corners = np.linspace(f_min, f_max, n_filter + 2)
    spacing = corners[1:] - corners[:-1]
    slopes = corners[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / spacing[:-1]
    up = slopes[:, 2:] / spacing[1:]
    return np.maximum(0.0, np.minimum(down, up))


def lfcc_dct_matrix(*, n_lfcc: int, n_filter: int, norm: str | None = "ortho") -> np.ndarray:
    """torchaudio's ``create_dct(n_lfcc, n_filter, norm)``: DCT-II ``(n_filter, n_lfcc)``, float64.

    Raises:
        ParameterError: ``n_lfcc`` outside 1..``n_filter`` or ``norm`` not "ortho"/None.
    """
    n_filter = check_int("n_filter", n_filter, minimum=1)
    n_lfcc = check_int("n_lfcc", n_lfcc, minimum=1)
    if n_lfcc > n_filter:
        raise parameter_error("n_lfcc", "<= `n_filter`", n_lfcc=n_lfcc, n_filter=n_filter)
    norm = check_choice("norm", norm, ("ortho", None))
    return scipy.fft.dct(np.eye(n_filter), type=2, norm=norm, axis=0)[:n_lfcc].T
