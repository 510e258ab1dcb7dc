"""torchaudio.compliance.kaldi as the reference of the Kaldi tests, with its float32 round-off floor."""

from __future__ import annotations

import numpy as np

from tests.tolerances import KALDI_RTOL, relative_error


def reference(name: str, x: np.ndarray, dtype=np.float64, **options) -> np.ndarray:
    """torchaudio's ``name`` features of each row of ``x`` (computed in ``dtype``), stacked."""
    import torch
    import torchaudio.compliance.kaldi as kaldi

    function = getattr(kaldi, name)
    return np.stack([function(torch.from_numpy(row[None].astype(dtype)), **options).numpy() for row in x])


def assert_matches_torchaudio(actual, name: str, x: np.ndarray, **options) -> None:
    """``actual`` within ``KALDI_RTOL`` of torchaudio's float64 features of ``x``, floored at float32 round-off.

    The floor is twice torchaudio's own float32 error (its float32 result against its float64 one):
    a log spectrum of int16-scale tones has bins 1e-9 below the peak, where no float32 FFT is exact.
    """
    expected = reference(name, x, **options)
    floor = 2.0 * relative_error(reference(name, x, dtype=np.float32, **options), expected)
    error = relative_error(actual, expected)
    assert error <= max(KALDI_RTOL, floor), f"relative error {error:.3g} (floor {floor:.3g}), {options}"
