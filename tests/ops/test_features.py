"""Mel spectrograms, MFCCs and deltas against librosa, on synthetic and real audio."""

import librosa
import numpy as np
import pytest

from audioflow import ParameterError
from audioflow import ops as af
from tests.helpers import synthetic_signals, to_numpy
from tests.tolerances import DB_ATOL, POWER_RTOL, max_db_error_above_floor, relative_error

MEL_GRID = [
    # sample_rate, n_fft, hop_length, n_mels, f_min, f_max, htk, norm, pad_mode
    (22050, 2048, 512, 128, 0.0, None, False, "slaney", "constant"),
    (16000, 1024, 512, 64, 0.0, None, False, "slaney", "constant"),
    (16000, 512, 160, 40, 20.0, 7600.0, True, None, "reflect"),
    (22050, 1024, 256, 96, 50.0, 10000.0, False, 1, "constant"),
]


@pytest.mark.parametrize(
    ("sample_rate", "n_fft", "hop_length", "n_mels", "f_min", "f_max", "htk", "norm", "pad_mode"), MEL_GRID
)
def test_melspectrogram_and_log_mel_match_librosa(
    test_signals, sample_rate, n_fft, hop_length, n_mels, f_min, f_max, htk, norm, pad_mode
):
    mel_kwargs = dict(
        n_fft=n_fft, hop_length=hop_length, n_mels=n_mels, htk=htk, norm=norm, pad_mode=pad_mode
    )
    for name, y in test_signals.items():
        reference = librosa.feature.melspectrogram(y=y, sr=sample_rate, fmin=f_min, fmax=f_max, **mel_kwargs)
        ours = to_numpy(af.melspectrogram(y, sample_rate=sample_rate, f_min=f_min, f_max=f_max, **mel_kwargs))
        assert relative_error(ours, reference.T) < POWER_RTOL, name
        log_mel = to_numpy(
            af.log_mel_spectrogram(y, sample_rate=sample_rate, f_min=f_min, f_max=f_max, **mel_kwargs)
        )
        assert max_db_error_above_floor(log_mel, librosa.power_to_db(reference, top_db=80).T) < DB_ATOL, name


def test_log_mel_defaults_are_librosas(real_clips):
    clips = [clip for clip, _ in real_clips.values()] or list(synthetic_signals().values())
    for y in clips:
        reference = librosa.power_to_db(librosa.feature.melspectrogram(y=y), top_db=80).T
        assert max_db_error_above_floor(to_numpy(af.log_mel_spectrogram(y)), reference) < DB_ATOL


@pytest.mark.parametrize(
    ("n_mfcc", "dct_type", "norm", "lifter"),
    [(20, 2, "ortho", 0.0), (13, 2, "ortho", 22.0), (40, 3, None, 0.0), (13, 1, "ortho", 0.0)],
)
def test_mfcc_matches_librosa(test_signals, n_mfcc, dct_type, norm, lifter):
    for name, y in test_signals.items():
        log_mel = librosa.power_to_db(librosa.feature.melspectrogram(y=y, n_mels=64))
        reference = librosa.feature.mfcc(
            S=log_mel, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter
        )
        ours = to_numpy(af.mfcc(log_mel.T, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter))
        assert relative_error(ours, reference.T) < 1e-5, name


@pytest.mark.parametrize("width", [3, 5, 9])
@pytest.mark.parametrize("order", [1, 2])
def test_delta_matches_librosa(width, order):
    features = librosa.power_to_db(librosa.feature.melspectrogram(y=synthetic_signals()["chirp"], n_mels=32))
    reference = librosa.feature.delta(features, width=width, order=order)
    ours = to_numpy(af.delta(features.T, width=width, order=order))
    np.testing.assert_allclose(ours, reference.T, atol=1e-3, rtol=1e-5)


def test_delta_along_another_axis_and_batched():
    data = np.random.default_rng(0).standard_normal((2, 30, 5, 3)).astype(np.float32)
    ours = to_numpy(af.delta(data, axis=1))
    reference = librosa.feature.delta(data, axis=1)
    np.testing.assert_allclose(ours, reference, atol=1e-5)


def test_delta_of_a_ramp_is_its_slope():
    ramp = np.tile(np.arange(20, dtype=np.float32)[:, None] * 0.5, (1, 4))
    np.testing.assert_allclose(to_numpy(af.delta(ramp)), 0.5, atol=1e-5)
    np.testing.assert_allclose(to_numpy(af.delta(ramp, order=2)), 0.0, atol=1e-5)


def test_invalid_delta_arguments():
    with pytest.raises(ParameterError, match=r"`width` must be an odd integer >= 3. Received: width=4."):
        af.delta(np.zeros((20, 3), np.float32), width=4)


# --- delta modes and orders, short inputs, mfcc inputs, librosa names, absurd sizes (issue 8).

DELTA_FEATURES = np.random.default_rng(1).standard_normal((23, 6)).astype(np.float32)


@pytest.mark.parametrize("mode", ["interp", "nearest", "mirror", "constant", "wrap"])
@pytest.mark.parametrize(("width", "order"), [(3, 1), (5, 2), (9, 1), (9, 3), (11, 4)])
def test_delta_modes_and_orders_match_librosa(mode, width, order):
    reference = librosa.feature.delta(DELTA_FEATURES.T, width=width, order=order, mode=mode)
    ours = to_numpy(af.delta(DELTA_FEATURES, width=width, order=order, mode=mode))
    np.testing.assert_allclose(ours, reference.T, atol=1e-4, rtol=1e-5)


@pytest.mark.parametrize("mode", ["nearest", "mirror", "constant", "wrap"])
@pytest.mark.parametrize("frames", [1, 2, 3])
def test_delta_of_fewer_frames_than_width_matches_librosa_outside_interp(mode, frames):
    features = DELTA_FEATURES[:frames]
    reference = librosa.feature.delta(features.T, width=5, mode=mode)
    np.testing.assert_allclose(to_numpy(af.delta(features, width=5, mode=mode)), reference.T, atol=1e-4)


def test_delta_interp_needs_width_frames_as_librosa():
    with pytest.raises(librosa.ParameterError):
        librosa.feature.delta(DELTA_FEATURES[:3].T, width=5)
    with pytest.raises(ParameterError, match=r"`x` must be at least `width` frames long for mode='interp'. "):
        af.delta(DELTA_FEATURES[:3], width=5)
    assert to_numpy(af.delta(DELTA_FEATURES[:0], width=5, mode="nearest")).shape == (0, 6)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(order=9), r"`order` must be < `width`. Received: order=9, width=9."),
        (dict(order=0), r"`order` must be a positive integer. Received: order=0."),
        (dict(mode="reflect"), r"`mode` must be one of 'interp', 'nearest', 'mirror', 'constant', 'wrap'."),
        (dict(width=10**7 + 1), r"`width` must be <= 1001. Received: width=10000001."),
        (dict(width=np.float64(9.0)), r"`width` must be an integer. Received: width=9.0."),
    ],
)
def test_invalid_delta_arguments_are_parameter_errors(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        af.delta(DELTA_FEATURES, **kwargs)


def test_delta_accepts_numpy_scalars():
    expected = to_numpy(af.delta(DELTA_FEATURES, width=5, order=2))
    ours = af.delta(DELTA_FEATURES, width=np.int64(5), order=np.int16(2), mode=np.str_("interp"))
    np.testing.assert_array_equal(to_numpy(ours), expected)


def test_mfcc_refuses_a_waveform():
    waveform = synthetic_signals()["chirp"]
    with pytest.raises(
        ParameterError,
        match=r"`log_mel` must be shaped \(\.\.\., frames, n_mels <= 4096\). "
        r"Received: log_mel_shape=\(28672,\). ops.mfcc takes a dB mel spectrogram",
    ):
        af.mfcc(waveform)
    with pytest.raises(
        ParameterError, match=r"`log_mel` must be shaped .* Received: log_mel_shape=\(2, 28672\)"
    ):
        af.mfcc(np.stack([waveform, waveform]))
    with pytest.raises(ParameterError, match=r"`y` must be converted to a dB mel spectrogram first"):
        af.mfcc(y=waveform, sr=22050)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda y: af.melspectrogram(y=y, sr=22050),
            r"`y` must be passed as the first \(positional\) argument `x`",
        ),
        (
            lambda y: af.melspectrogram(y, sr=16000),
            r"`sr` is not an audioflow argument: audioflow calls it `sample_rate`. Received: sr=16000.",
        ),
        (
            lambda y: af.melspectrogram(y, fmin=20.0),
            r"`fmin` is not an audioflow argument: audioflow calls it `f_min`",
        ),
        (
            lambda y: af.log_mel_spectrogram(y, fmax=8000.0),
            r"`fmax` is not an audioflow argument: audioflow calls it `f_max`",
        ),
        (
            lambda y: af.melspectrogram(y, num_mel_bins=40),
            r"`num_mel_bins` is not an audioflow argument: audioflow calls it `n_mels`",
        ),
        (
            lambda y: af.melspectrogram(y, sample_rate=8000, n_fft=256, n_mels=10**7),
            r"`n_mels` must be <= 4096. Received: n_mels=10000000.",
        ),
        (
            lambda y: af.melspectrogram(y, sample_rate=8000, n_fft=2**20, n_mels=4096),
            r"`n_mels` must be such that \(n_fft // 2 \+ 1\) \* n_mels <= 134217728",
        ),
        (
            lambda y: af.melspectrogram(y, norm=np.array([1.0, 2.0])),
            r"`norm` must be \"slaney\", None or a positive",
        ),
        (lambda y: af.melspectrogram(y, norm=float("nan")), r"`norm` must be \"slaney\", None or a positive"),
    ],
)
def test_melspectrogram_argument_errors(call, message):
    with pytest.raises(ParameterError, match=message):
        call(np.zeros(4000, np.float32))


def test_unknown_keyword_arguments_are_type_errors_as_in_python():
    with pytest.raises(TypeError, match=r"melspectrogram\(\) got an unexpected keyword argument 'colour'"):
        af.melspectrogram(np.zeros(100, np.float32), colour="red")
    with pytest.raises(TypeError, match=r"melspectrogram\(\) missing 1 required positional argument: 'x'"):
        af.melspectrogram()


def test_mel_and_mfcc_accept_numpy_scalars():
    from fractions import Fraction

    y = synthetic_signals()["tones"]
    kwargs = dict(sample_rate=16000, n_fft=512, hop_length=128, n_mels=40, f_min=20.0, f_max=7000.0)
    expected = to_numpy(af.log_mel_spectrogram(y, **kwargs))
    ours = af.log_mel_spectrogram(
        y,
        sample_rate=np.float32(16000),
        n_fft=np.int64(512),
        hop_length=np.uint16(128),
        n_mels=np.int32(40),
        f_min=Fraction(20),
        f_max=np.float64(7000.0),
        htk=np.bool_(False),
        norm=np.str_("slaney"),
    )
    np.testing.assert_allclose(to_numpy(ours), expected, atol=1e-4)
    mfcc = af.mfcc(
        expected, n_mfcc=np.int64(13), dct_type=np.int64(2), norm=np.str_("ortho"), lifter=np.float32(0)
    )
    np.testing.assert_allclose(to_numpy(mfcc), to_numpy(af.mfcc(expected, n_mfcc=13)), atol=1e-5)
