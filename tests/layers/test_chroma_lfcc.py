"""ChromaSTFT against librosa.feature.chroma_stft and LFCC against torchaudio.transforms.LFCC."""

import math

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow.ops.chroma import chroma_filterbank
from audioflow.ops.lfcc import linear_filterbank
from tests.helpers import synthetic_signals, to_numpy
from tests.keras_conformance import run_layer_test
from tests.tolerances import CONSTANT_RTOL, POWER_RTOL, relative_error

torch = pytest.importorskip("torch")
transforms = pytest.importorskip("torchaudio.transforms")
functional = pytest.importorskip("torchaudio.functional")

#: LFCC (dB cepstra) from float32 audio, relative to torchaudio's in float64.
LFCC_RTOL = 1e-5


def _signals(sample_rate=22050, samples=20000):
    signals = synthetic_signals(sample_rate=sample_rate)
    return np.stack([signals[name][:samples] for name in ("chirp", "noise", "tones", "clicks")])


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "arguments",
    [
        dict(sr=22050, n_fft=2048),
        dict(sr=16000, n_fft=512, n_chroma=24, tuning=0.3),
        dict(sr=44100, n_fft=4096, ctroct=4.0, octwidth=None, base_c=False),
        dict(sr=8000, n_fft=255, n_chroma=7, octwidth=1.0),
    ],
)
def test_chroma_filterbank_equals_librosa(arguments):
    expected = librosa.filters.chroma(**arguments, dtype=np.float64)
    ours = dict(arguments)
    ours["sample_rate"] = ours.pop("sr")
    assert relative_error(chroma_filterbank(**ours).T, expected) <= CONSTANT_RTOL


@pytest.mark.parametrize(
    "arguments",
    [
        dict(),
        dict(norm=2, tuning=-0.2, n_fft=1024, hop_length=256),
        dict(norm=None, n_chroma=24, base_c=False),
    ],
)
def test_chroma_stft_equals_librosa(arguments):
    x = _signals()
    librosa_arguments = {"tuning": 0.0, **arguments}
    expected = np.stack(
        [librosa.feature.chroma_stft(y=e.astype(np.float64), **librosa_arguments).T for e in x]
    )
    actual = to_numpy(layers.ChromaSTFT(**arguments)(x.astype(np.float32)))
    assert relative_error(actual, expected) <= POWER_RTOL


def test_chroma_of_a_tone_peaks_at_its_pitch_class():
    t = np.arange(22050) / 22050
    a4 = np.sin(2 * np.pi * 440 * t).astype(np.float32)[None]
    chroma = to_numpy(layers.ChromaSTFT()(a4))[0]
    assert np.all(np.argmax(chroma[2:-2], axis=-1) == 9)  # C, C#, ..., A is bin 9
    np.testing.assert_allclose(chroma.max(axis=-1), 1.0, rtol=1e-6)  # norm=inf


@pytest.mark.backend_independent
def test_linear_filterbank_equals_torchaudio():
    expected = functional.linear_fbanks(257, 50.0, 7000.0, 60, 16000).double().numpy()
    actual = linear_filterbank(sample_rate=16000, n_fft=512, n_filter=60, f_min=50.0, f_max=7000.0)
    assert relative_error(actual, expected) <= POWER_RTOL  # torchaudio builds it in float32


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        (dict(), dict()),
        (
            dict(n_filter=40, n_lfcc=20, log_lf=True, f_min=100.0, f_max=6000.0),
            dict(n_filter=40, n_lfcc=20, log_lf=True, f_min=100.0, f_max=6000.0),
        ),
        (
            dict(n_fft=512, hop_length=160, norm=None),
            dict(norm=None, speckwargs=dict(n_fft=512, hop_length=160)),
        ),
    ],
)
def test_lfcc_equals_torchaudio(ours, theirs, real_clips):
    x = _signals(16000, 16000)
    if real_clips:
        audio, rate = next(iter(real_clips.values()))
        x = np.concatenate(
            [x, librosa.resample(audio[: 2 * rate], orig_sr=rate, target_sr=16000)[None, :16000]]
        )
    transform = transforms.LFCC(sample_rate=16000, **theirs).double()
    expected = np.stack([transform(torch.from_numpy(e.astype(np.float64))).numpy().T for e in x])
    actual = to_numpy(layers.LFCC(**ours)(x.astype(np.float32)))
    assert relative_error(actual, expected) <= LFCC_RTOL


@pytest.mark.parametrize("cls", [layers.ChromaSTFT, layers.LFCC])
def test_channels_equal_their_own_signals(cls):
    layer = cls(sample_rate=16000)
    x = np.stack([_signals(16000, 8000)[:2], _signals(16000, 8000)[2:]], axis=-1).astype(np.float32)
    y = to_numpy(layer(x))
    assert y.shape == tuple(layer.compute_output_shape(x.shape))
    for channel in range(2):
        np.testing.assert_allclose(y[..., channel], to_numpy(layer(x[..., channel])), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    ("cls", "arguments", "output"),
    [
        (layers.ChromaSTFT, dict(sample_rate=8000, n_fft=256, hop_length=64), (2, 16, 12)),
        (layers.LFCC, dict(sample_rate=8000, n_fft=256, n_filter=20, n_lfcc=10), (2, 8, 10)),
    ],
)
def test_keras_conformance(cls, arguments, output):
    run_layer_test(
        cls,
        arguments,
        input_data=np.random.default_rng(0).standard_normal((2, 1000)).astype(np.float32),
        expected_output_shape=output,
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=False,
        run_training_check=False,
    )


def test_saved_and_loaded_with_unknown_length(tmp_path):
    inputs = keras.Input((None,))
    model = keras.Model(
        inputs,
        [layers.ChromaSTFT(sample_rate=16000, norm=math.inf)(inputs), layers.LFCC(log_lf=True)(inputs)],
    )
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = _signals(16000, 6000).astype(np.float32)
    for a, b in zip(loaded(x), model(x), strict=True):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    assert loaded.layers[2].get_config()["hop_length"] is None  # as passed, not the resolved 200


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.ChromaSTFT(n_chroma=0), "`n_chroma` must be"),
        (lambda: layers.ChromaSTFT(norm=-1), "`norm` must be > 0"),
        (lambda: layers.ChromaSTFT(octwidth=0), "`octwidth` must be > 0"),
        (lambda: layers.ChromaSTFT(tuning=math.nan), "`tuning` must be a finite number"),
        (lambda: layers.LFCC(n_lfcc=200), "`n_lfcc` must be <= `n_filter`"),
        (lambda: layers.LFCC(dct_type=3), "`dct_type` must be 2"),
        (lambda: layers.LFCC(f_min=5000.0, f_max=4000.0), "`f_max` must be > `f_min`"),
        (lambda: layers.LFCC(norm="l2"), "`norm` must be one of"),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ParameterError, match=message):
        make()
