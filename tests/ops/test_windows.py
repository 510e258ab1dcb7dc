"""Windows: every scipy.signal.get_window window, as librosa accepts them, and invalid ones refused."""

from fractions import Fraction

import librosa
import numpy as np
import pytest
import scipy.signal

from audioflow import ParameterError
from audioflow import ops as af
from tests.helpers import synthetic_signals, to_numpy
from tests.tolerances import CONSTANT_RTOL, STFT_RTOL, relative_error

SCIPY_WINDOWS = [
    "hann",
    "blackmanharris",
    "flattop",
    "boxcar",
    "ones",
    "triang",
    "parzen",
    "nuttall",
    "cosine",
    "tukey",
    ("tukey", 0.25),
    ("gaussian", 7.0),
    ("general_gaussian", 1.5, 20.0),
    ("kaiser", 14.0),
    ("dpss", 3.0),
    ("chebwin", 80.0),
    14.0,  # a bare number is the kaiser beta (scipy, librosa)
    8,
]


@pytest.mark.backend_independent
@pytest.mark.parametrize("window", SCIPY_WINDOWS, ids=str)
@pytest.mark.parametrize("win_length", [7, 64, 400])
def test_any_scipy_window_equals_scipy(window, win_length):
    ours = af.get_window(window, win_length, dtype=np.float64)
    reference = scipy.signal.get_window(window, win_length, fftbins=True)
    assert relative_error(ours, reference) < CONSTANT_RTOL


@pytest.mark.backend_independent
def test_window_parameters_may_be_numpy_scalars_or_fractions():
    np.testing.assert_array_equal(
        af.get_window(("kaiser", np.float32(8.0)), 64), af.get_window(("kaiser", 8.0), 64)
    )
    np.testing.assert_array_equal(
        af.get_window(("tukey", Fraction(1, 4)), 64), af.get_window(("tukey", 0.25), 64)
    )
    np.testing.assert_array_equal(af.get_window(np.str_("hann"), 64), af.get_window("hann", 64))
    # A JSON round trip turns a tuple into a list: the same window.
    np.testing.assert_array_equal(af.get_window(["gaussian", 7.0], 64), af.get_window(("gaussian", 7.0), 64))


@pytest.mark.parametrize(
    "window", ["blackmanharris", "flattop", ("gaussian", 50.0), 14.0, ("tukey", 0.5)], ids=str
)
def test_stft_with_scipy_windows_matches_librosa(window):
    y = synthetic_signals()["chirp"]
    real, imag = af.stft(y, n_fft=512, hop_length=128, win_length=400, window=window)
    ours = to_numpy(real) + 1j * to_numpy(imag)
    reference = librosa.stft(y, n_fft=512, hop_length=128, win_length=400, window=window).T
    assert relative_error(ours.view(np.float32), reference.view(np.float32)) < STFT_RTOL


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    ("window", "message"),
    [
        (("kaiser", float("nan")), r"`window` must be \(name, \*parameters\) with finite numeric parameters"),
        (("kaiser", float("inf")), r"`window` must be \(name, \*parameters\) with finite numeric parameters"),
        (float("nan"), r"`window` must be a finite number. Received: window=nan."),
        (("kaiser", True), r"`window` must be \(name, \*parameters\)"),
        (("kaiser", 1 + 2j), r"`window` must be \(name, \*parameters\)"),
        (("gaussian", 0.0), r"`window` must be a window with finite values"),
        ("gauss", r"`window` must be a scipy.signal.get_window window. Received: window='gauss'. scipy says"),
        ("chebwin", r"`window` must be a scipy.signal.get_window window.*must have parameters"),
        (("hann", 3.0), r"`window` must be a scipy.signal.get_window window.*does not allow parameters"),
        (np.hanning(64) + 1j, r"`window` must be a window name or a real 1-D array.*dtype=complex128"),
        (np.ones(64, bool), r"`window` must be a window name or a real 1-D array.*dtype=bool"),
        ([None] * 64, r"`window` must be a window name or a real 1-D array"),
        ([1.0, "a"] * 32, r"`window` must be a window name or a real 1-D array"),
        (["hann", "hann"], r"`window` must be \(name, \*parameters\)"),
        ([[1.0, 2.0], [3.0]], r"`window` must be a window name or a real 1-D array"),
        ([Fraction(1, 2)] * 64, r"`window` must be a window name or a real 1-D array"),
        (np.ones((8, 8)), r"`window` must be a window name or a real 1-D array"),
        (np.full(64, np.nan), r"`window` must be finite"),
        (np.hanning, r"`window` must be a window name, a \(name, \*parameters\) tuple, a number or an array"),
        (None, r"`window` must be a window name, a \(name, \*parameters\) tuple"),
        ((), r"`window` must be a window name, a \(name, \*parameters\) tuple"),
    ],
)
def test_invalid_windows_are_parameter_errors(window, message):
    with pytest.raises(ParameterError, match=message):
        af.get_window(window, 64)


def test_stft_refuses_invalid_windows_before_computing():
    with pytest.raises(ParameterError, match=r"`window` must be \(name, \*parameters\)"):
        af.stft(np.zeros(1000, np.float32), n_fft=256, window=("kaiser", float("nan")))
