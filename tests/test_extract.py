"""audioflow.extract: features by kind name, equal to librosa's, with options checked by kind."""

from __future__ import annotations

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError
from audioflow.extract import (
    FEATURE_OPTIONS,
    LIBROSA_KINDS,
    extract_features,
    feature_layer,
    feature_settings,
)
from audioflow.ops import num_frames
from tests.helpers import synthetic_signals
from tests.tolerances import DB_ATOL, POWER_RTOL, max_db_error_above_floor, relative_error

SR = 16000
OPTIONS = {"n_fft": 512, "hop_length": 160, "n_mels": 40}


@pytest.fixture(scope="module")
def chirp():
    return synthetic_signals(sample_rate=SR, seconds=0.7)["chirp"]


def _librosa(kind, y, **options):
    n_fft, hop = options["n_fft"], options["hop_length"]
    power = np.abs(librosa.stft(y, n_fft=n_fft, hop_length=hop, pad_mode="constant")) ** 2
    if kind == "spectrogram":
        return power.T
    if kind == "logspectrogram":
        return librosa.power_to_db(power, ref=options.get("ref", 1.0)).T
    mel = librosa.feature.melspectrogram(S=power, sr=SR, n_mels=options["n_mels"])
    if kind == "mel":
        return mel.T
    logmel = librosa.power_to_db(mel, ref=options.get("ref", 1.0))
    if kind == "logmel":
        return logmel.T
    return librosa.feature.mfcc(S=logmel, n_mfcc=options.get("n_mfcc", 20)).T


@pytest.mark.parametrize("kind", LIBROSA_KINDS)
def test_every_kind_equals_librosa(kind, chirp):
    options = {k: v for k, v in OPTIONS.items() if k in FEATURE_OPTIONS[kind]}
    ours = extract_features(chirp, sample_rate=SR, kind=kind, **options)
    reference = _librosa(kind, chirp.astype(np.float64), **OPTIONS)
    assert ours.dtype == np.float32
    assert ours.shape == reference.shape == (num_frames(chirp.size, n_fft=512, hop_length=160), ours.shape[1])
    if kind in ("spectrogram", "mel"):
        assert relative_error(ours, reference) < POWER_RTOL
    elif kind == "mfcc":
        assert relative_error(ours, reference) < 1e-4
    else:
        assert max_db_error_above_floor(ours, reference) < DB_ATOL


def test_ref_max_as_librosa_np_max(chirp):
    ours = extract_features(chirp, sample_rate=SR, kind="logmel", ref="max", **OPTIONS)
    mel = librosa.feature.melspectrogram(
        y=chirp.astype(np.float64), sr=SR, n_fft=512, hop_length=160, n_mels=40, pad_mode="constant"
    )
    reference = librosa.power_to_db(mel, ref=np.max).T
    assert ours.max() == pytest.approx(0.0, abs=1e-4)
    assert max_db_error_above_floor(ours, reference) < DB_ATOL


def test_batch_equals_one_by_one():
    signals = synthetic_signals(sample_rate=SR, seconds=0.4)
    batch = np.stack([signals["noise"], signals["tones"]])
    together = extract_features(batch, sample_rate=SR, kind="mfcc", n_mfcc=13, **OPTIONS)
    assert together.shape[0] == 2 and together.shape[2] == 13
    for i, y in enumerate(batch):
        np.testing.assert_allclose(
            together[i], extract_features(y, sample_rate=SR, kind="mfcc", n_mfcc=13, **OPTIONS), atol=1e-3
        )


def test_feature_layer_is_a_keras_layer_in_a_model():
    layer = feature_layer("logspectrogram", sample_rate=SR, n_fft=256)
    inputs = keras.Input(shape=(SR // 2,))
    model = keras.Model(inputs, layer(inputs))
    assert model.output_shape == (None, num_frames(SR // 2, n_fft=256, hop_length=64), 129)
    mel = feature_layer("logmel", sample_rate=SR, n_mels=32)
    assert mel.__class__.__name__ == "LogMelSpectrogram" and mel.n_mels == 32


def test_settings_resolve_the_defaults():
    assert feature_settings("spectrogram") == {"n_fft": 2048, "hop_length": 512}
    assert feature_settings("logmel", sample_rate=8000, n_fft=256) == {
        "n_fft": 256,
        "hop_length": 64,
        "n_mels": 128,
        "f_min": 0.0,
        "f_max": 4000.0,
        "top_db": 80.0,
    }
    mfcc = feature_settings("mfcc", sample_rate=SR, win_length=400, n_fft=512, ref="max", n_mfcc=13)
    assert mfcc["hop_length"] == 100 and mfcc["ref"] == "max" and mfcc["n_mfcc"] == 13
    assert mfcc["win_length"] == 400


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: feature_layer("chroma"), "`kind` must be one of"),
        (lambda: feature_layer("spectrogram", n_mels=40), "`n_mels` must be an option of 'spectrogram'"),
        (lambda: feature_layer("mel", top_db=80.0), "`top_db` must be an option of 'mel'"),
        (lambda: feature_settings("logmel", n_mfcc=13), "`n_mfcc` must be an option of 'logmel'"),
        (
            lambda: feature_layer("logmel", sample_rate=8000, f_max=9000.0),
            "`f_max` must be <= sample_rate / 2",
        ),
        (lambda: extract_features(np.zeros((2, 3, 4)), sample_rate=SR), "`waveform` must be mono samples"),
        (lambda: extract_features(np.zeros(4000), sample_rate=0), "`sample_rate` must be > 0"),
    ],
)
def test_bad_arguments_are_parameter_errors(call, match):
    with pytest.raises(ParameterError, match=match):
        call()
