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
