"""Host-side constants (NumPy) against librosa/scipy and the independent MATLAB reference."""

import itertools
import warnings

import librosa
import numpy as np
import pytest
import scipy.fft
import scipy.io
import scipy.signal

from audioflow import ParameterError
from audioflow import ops as af
from tests.helpers import MATLAB_REFERENCE
from tests.tolerances import CONSTANT_RTOL, relative_error

pytestmark = pytest.mark.backend_independent


@pytest.mark.parametrize(
    ("sample_rate", "n_fft", "n_mels", "f_min", "f_max", "htk", "norm"),
    [
        (22050, 2048, 128, 0.0, None, False, "slaney"),
        (16000, 1024, 64, 0.0, None, False, "slaney"),
        (16000, 512, 40, 20.0, 7600.0, True, None),
        (44100, 4096, 96, 30.0, 16000.0, False, 1),
        (8000, 256, 20, 0.0, 4000.0, True, "slaney"),
        (48000, 2048, 80, 50.0, None, False, 2.0),
        (22050, 2048, 128, 0.0, None, True, np.inf),
    ],
)
def test_mel_filterbank_matches_librosa(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm):
    ours = af.mel_filterbank(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm)
    reference = librosa.filters.mel(
        sr=sample_rate, n_fft=n_fft, n_mels=n_mels, fmin=f_min, fmax=f_max, htk=htk, norm=norm
    ).T
    assert ours.shape == (n_fft // 2 + 1, n_mels)
    assert ours.dtype == np.float32
    assert relative_error(ours, reference) < CONSTANT_RTOL


def _matlab_files(pattern):
    return sorted(MATLAB_REFERENCE.glob(pattern)) if MATLAB_REFERENCE.is_dir() else []


def _scalar(data, key):
    return data[key].ravel()[0].item()


@pytest.mark.parametrize("path", _matlab_files("feature-melfb-*.mat"), ids=lambda p: p.stem)
def test_mel_filterbank_matches_matlab_reference(path):
    data = scipy.io.loadmat(path)
    n_fft = int(_scalar(data, "nfft"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # some reference settings have empty filters
        ours = af.mel_filterbank(
            float(_scalar(data, "sr")),
            n_fft,
            int(_scalar(data, "nfilts")),
            float(_scalar(data, "fmin")),
            float(_scalar(data, "fmax")),
            bool(_scalar(data, "htk")),
        )
    reference = data["wts"][:, : n_fft // 2 + 1].T
    np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("path", _matlab_files("feature-melfbnorm-*.mat"), ids=lambda p: p.stem)
def test_unnormalised_mel_filterbank_matches_matlab_reference(path):
    data = scipy.io.loadmat(path)
    n_fft = int(_scalar(data, "nfft"))
    ours = af.mel_filterbank(
        float(_scalar(data, "sr")),
        n_fft,
        int(_scalar(data, "nfilts")),
        float(_scalar(data, "fmin")),
        float(_scalar(data, "fmax")),
        bool(_scalar(data, "htk")),
        norm=None,
    )
    np.testing.assert_allclose(ours, data["wts"][:, : n_fft // 2 + 1].T, rtol=1e-5, atol=1e-6)


def test_matlab_reference_is_present_when_shared_exists():
    # Guards the reference tests above from silently collecting nothing.
    if MATLAB_REFERENCE.parent.parent.is_dir():
        assert len(_matlab_files("feature-melfb-*.mat")) >= 100


@pytest.mark.parametrize(
    ("path", "function"),
    [(p, "hz_to_mel") for p in _matlab_files("feature-hz_to_mel-*.mat")]
    + [(p, "mel_to_hz") for p in _matlab_files("feature-mel_to_hz-*.mat")],
    ids=lambda value: getattr(value, "stem", value),
)
def test_mel_conversions_match_matlab_reference(path, function):
    data = scipy.io.loadmat(path)
    ours = getattr(af, function)(data["f"].astype(np.float64), htk=bool(_scalar(data, "htk")))
    np.testing.assert_allclose(ours, data["result"], rtol=1e-7)


@pytest.mark.parametrize("htk", [False, True])
def test_mel_conversions_match_librosa_and_invert(htk):
    hz = np.concatenate([np.linspace(0, 2000, 101), np.geomspace(2000, 24000, 57)])
    mels = af.hz_to_mel(hz, htk=htk)
    np.testing.assert_allclose(mels, librosa.hz_to_mel(hz, htk=htk), rtol=1e-12)
    np.testing.assert_allclose(af.mel_to_hz(mels, htk=htk), hz, rtol=1e-10, atol=1e-9)
    assert af.hz_to_mel(1000.0, htk=False) == pytest.approx(15.0)  # the linear/log break of Slaney's scale


def test_frequency_grids_match_librosa():
    np.testing.assert_allclose(af.fft_frequencies(16000, 1024), librosa.fft_frequencies(sr=16000, n_fft=1024))
    for htk in (False, True):
        np.testing.assert_allclose(
            af.mel_frequencies(40, 20.0, 8000.0, htk),
            librosa.mel_frequencies(40, fmin=20.0, fmax=8000.0, htk=htk),
        )


def test_empty_filters_warn_and_name_the_bins():
    with pytest.warns(UserWarning, match=r"Empty mel filters \[2, 3, 4, 7, .*\] \(of 128\)") as record:
        weights = af.mel_filterbank(16000, 128, n_mels=128, f_min=100.0)
    named = [int(i) for i in str(record[0].message).split("[")[1].split("]")[0].split(",")]
    assert named == np.flatnonzero(weights.max(axis=0) == 0).tolist()
    assert "n_mels" in str(record[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        af.mel_filterbank(16000, 1024, n_mels=64)  # a sane setting does not warn


def test_mel_filterbank_is_read_only_copy_safe():
    first = af.mel_filterbank(16000, 512, 40)
    first[:] = 0  # the returned array is the caller's own
    assert af.mel_filterbank(16000, 512, 40).max() > 0


@pytest.mark.parametrize("dct_type", [1, 2, 3])
@pytest.mark.parametrize("norm", ["ortho", None])
@pytest.mark.parametrize("lifter", [0.0, 22.0])
def test_dct_matrix_matches_librosa_mfcc(dct_type, norm, lifter):
    S = np.random.default_rng(1).standard_normal((40, 17))  # (n_mels, frames), librosa layout
    reference = librosa.feature.mfcc(S=S, n_mfcc=13, dct_type=dct_type, norm=norm, lifter=lifter)
    ours = S.T @ af.dct_matrix(13, 40, dct_type=dct_type, norm=norm, lifter=lifter, dtype=np.float64)
    np.testing.assert_allclose(ours, reference.T, rtol=1e-10, atol=1e-10)


def test_dct_matrix_is_orthonormal():
    matrix = af.dct_matrix(32, 32, dtype=np.float64)
    np.testing.assert_allclose(matrix.T @ matrix, np.eye(32), atol=1e-12)


@pytest.mark.parametrize(
    ("window", "scipy_window"),
    [
        ("hann", "hann"),
        ("hamming", "hamming"),
        ("blackman", "blackman"),
        ("bartlett", "bartlett"),
        (("kaiser", 8.6), ("kaiser", 8.6)),
        ("kaiser", ("kaiser", 12.0)),
        ("rectangular", "boxcar"),
    ],
)
@pytest.mark.parametrize("length", [400, 512, 1023])
def test_windows_are_periodic_scipy_windows(window, scipy_window, length):
    expected = scipy.signal.get_window(scipy_window, length, fftbins=True)
    np.testing.assert_allclose(af.get_window(window, length), expected, rtol=1e-6, atol=1e-7)


def test_window_array_is_used_as_is():
    values = np.linspace(0, 1, 16)
    np.testing.assert_array_equal(af.get_window(values, 16), values.astype(np.float32))


@pytest.mark.parametrize(("width", "order"), itertools.product([3, 5, 9, 11], [1, 2]))
def test_savgol_weights_reproduce_librosa_delta(width, order):
    data = np.random.default_rng(width).standard_normal((3, 25))
    interior, head, tail = af.savgol_delta_weights(width, order)
    reference = librosa.feature.delta(data, width=width, order=order)
    half = width // 2
    np.testing.assert_allclose(data[:, :width] @ head.T, reference[:, :half], atol=1e-12)
    np.testing.assert_allclose(data[:, -width:] @ tail.T, reference[:, -half:], atol=1e-12)
    np.testing.assert_allclose(data[:, 3 : 3 + width] @ interior, reference[:, 3 + half], atol=1e-12)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: af.mel_filterbank(16000, 512, 0),
            r"`n_mels` must be a positive integer. Received: n_mels=0.",
        ),
        (
            lambda: af.mel_filterbank(16000, 512, 40, f_max=9000.0),
            r"`f_max` must be <= sample_rate / 2. Received: f_max=9000.0, sample_rate=16000.",
        ),
        (
            lambda: af.mel_filterbank(16000, 512, 40, f_min=4000.0, f_max=3000.0),
            r"`f_min` must be < `f_max`. Received: f_min=4000.0, f_max=3000.0.",
        ),
        (
            lambda: af.mel_filterbank(16000, 512, 40, norm="area"),
            r"`norm` must be \"slaney\", None or a positive",
        ),
        (lambda: af.mel_filterbank(-1, 512), r"`sample_rate` must be > 0.0. Received: sample_rate=-1."),
        (lambda: af.dct_matrix(30, 20), r"`n_mfcc` must be <= `n_mels`. Received: n_mfcc=30, n_mels=20."),
        (
            lambda: af.dct_matrix(13, 40, dct_type=4),
            r"`dct_type` must be one of 1, 2, 3. Received: dct_type=4.",
        ),
        (lambda: af.dct_matrix(13, 40, norm="forward"), r"`norm` must be \"ortho\" or None"),
        (lambda: af.savgol_delta_weights(8), r"`width` must be an odd integer >= 3. Received: width=8."),
        (lambda: af.savgol_delta_weights(9, 9), r"`order` must be < `width`. Received: order=9, width=9."),
        (
            lambda: af.get_window("gauss", 64),
            r"`window` must be a scipy.signal.get_window window. Received: window='gauss'. scipy says: ",
        ),
        (
            lambda: af.get_window(np.ones(10), 64),
            r"`window` must be a window name or a real 1-D array of length `win_length`. "
            r"Received: window=array\(shape=\(10,\)",
        ),
        (
            lambda: af.get_window(("kaiser", "x"), 64),
            r"`window` must be \(name, \*parameters\) with finite numeric parameters",
        ),
        (lambda: af.hz_to_mel(100.0, htk="yes"), r"`htk` must be True or False. Received: htk='yes'."),
    ],
)
def test_invalid_arguments_raise_parameter_errors(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_parameter_error_is_a_value_error():
    with pytest.raises(ValueError):
        af.mel_filterbank(16000, 512, n_mels=-3)
