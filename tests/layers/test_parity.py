"""Every layer against librosa, on synthetic and real audio, mono and multichannel."""

import librosa
import numpy as np
import pytest

from audioflow import layers
from audioflow.errors import ParameterError
from tests.helpers import synthetic_signals, to_numpy
from tests.tolerances import DB_ATOL, POWER_RTOL, STFT_RTOL, max_db_error_above_floor, relative_error


@pytest.fixture(scope="module")
def batch(real_clips):
    """A batch of 3 s clips: real recordings when ../shared is present, synthetic signals always."""
    n = 3 * 22050
    clips = [clip[:n] for clip, _ in real_clips.values() if len(clip) >= n][:3]
    clips += [np.resize(signal, n) for signal in synthetic_signals().values()][: 5 - len(clips)]
    return np.stack(clips).astype(np.float32)


def test_log_mel_spectrogram_defaults_equal_librosa(batch):
    out = to_numpy(layers.LogMelSpectrogram()(batch))
    for b, y in enumerate(batch):
        reference = librosa.power_to_db(librosa.feature.melspectrogram(y=y), top_db=80).T
        assert max_db_error_above_floor(out[b], reference) < DB_ATOL


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(),
        dict(sample_rate=16000, n_fft=1024, hop_length=512, n_mels=64),
        dict(
            n_fft=512,
            win_length=400,
            hop_length=160,
            window="hamming",
            pad_mode="reflect",
            n_mels=40,
            f_min=20.0,
            f_max=8000.0,
            htk=True,
            norm=None,
            power=1.0,
        ),
        dict(n_fft=1024, hop_length=300, center=False, n_mels=80, norm=2.0),
    ],
)
def test_mel_spectrogram_equals_librosa(batch, kwargs):
    out = to_numpy(layers.MelSpectrogram(**kwargs)(batch))
    librosa_kwargs = {
        {"sample_rate": "sr", "f_min": "fmin", "f_max": "fmax"}.get(k, k): v for k, v in kwargs.items()
    }
    librosa_kwargs.setdefault("sr", 22050)
    for b, y in enumerate(batch):
        reference = librosa.feature.melspectrogram(y=y, **librosa_kwargs).T
        assert relative_error(out[b], reference) < POWER_RTOL


@pytest.mark.parametrize("kwargs", [dict(), dict(n_fft=512, hop_length=128, power=1.0, window="blackman")])
def test_spectrogram_equals_librosa(batch, kwargs):
    power = kwargs.pop("power", 2.0)
    out = to_numpy(layers.Spectrogram(power=power, **kwargs)(batch))
    for b, y in enumerate(batch):
        assert relative_error(out[b], (np.abs(librosa.stft(y, **kwargs)) ** power).T) < POWER_RTOL


def test_stft_equals_librosa_and_inverse_stft_reconstructs(batch):
    stft = layers.STFT(n_fft=1024, hop_length=256)
    out = to_numpy(stft(batch))
    assert out.shape == (len(batch), 1 + batch.shape[1] // 256, 513, 2)
    for b, y in enumerate(batch):
        reference = librosa.stft(y, n_fft=1024, hop_length=256).T
        assert relative_error(out[b], np.stack([reference.real, reference.imag], -1)) < STFT_RTOL
    restored = to_numpy(layers.InverseSTFT(n_fft=1024, hop_length=256, length=batch.shape[1])(out))
    assert relative_error(restored, batch) < 1e-5


def test_mfcc_equals_librosa(batch):
    out = to_numpy(layers.MFCC()(batch))
    for b, y in enumerate(batch):
        assert relative_error(out[b], librosa.feature.mfcc(y=y).T) < 1e-5
    custom = to_numpy(layers.MFCC(n_mfcc=13, n_mels=40, lifter=22.0, dct_type=3, dct_norm=None)(batch))
    reference = librosa.feature.mfcc(y=batch[0], n_mfcc=13, n_mels=40, lifter=22, dct_type=3, norm=None)
    assert relative_error(custom[0], reference.T) < 1e-5


def test_decibel_layers_equal_librosa(batch):
    power = to_numpy(layers.Spectrogram(n_fft=512)(batch))
    db = to_numpy(layers.PowerToDb(ref="max", top_db=60.0)(power))
    amp_db = to_numpy(layers.AmplitudeToDb()(np.sqrt(power)))
    for b in range(len(batch)):
        np.testing.assert_allclose(db[b], librosa.power_to_db(power[b], ref=np.max, top_db=60.0), atol=1e-3)
        np.testing.assert_allclose(amp_db[b], librosa.amplitude_to_db(np.sqrt(power[b])), atol=1e-3)


def test_delta_equals_librosa(batch):
    log_mel = to_numpy(layers.LogMelSpectrogram(n_mels=32)(batch))
    out = to_numpy(layers.Delta(width=7, order=2)(log_mel))
    for b in range(len(batch)):
        np.testing.assert_allclose(out[b], librosa.feature.delta(log_mel[b].T, width=7, order=2).T, atol=2e-4)


@pytest.mark.parametrize("mode", ["nearest", "mirror", "constant", "wrap"])
def test_delta_layer_edge_modes_equal_librosa_even_when_shorter_than_width(mode):
    features = np.random.default_rng(3).standard_normal((2, 5, 4)).astype("float32")
    layer = layers.Delta(width=7, mode=mode)
    out = to_numpy(layer(features))
    for b in range(len(features)):
        expected = librosa.feature.delta(features[b].T, width=7, mode=mode).T
        np.testing.assert_allclose(out[b], expected, atol=1e-5)
    assert layers.Delta.from_config(layer.get_config()).mode == mode


def test_delta_layer_interp_mode_still_needs_width_frames():
    with pytest.raises(ParameterError, match="`inputs` must be at least `width` frames long"):
        layers.Delta(width=7)(np.zeros((1, 5, 4), "float32"))


@pytest.mark.parametrize(
    "layer",
    [
        lambda: layers.LogMelSpectrogram(n_fft=512, n_mels=40),
        lambda: layers.MFCC(n_fft=512, n_mels=40, n_mfcc=13),
        lambda: layers.Spectrogram(n_fft=256),
        lambda: layers.STFT(n_fft=256),
    ],
    ids=["logmel", "mfcc", "spectrogram", "stft"],
)
def test_channels_are_independent_examples(batch, layer):
    layer = layer()
    stereo = np.stack([batch[0], batch[1] * 1e-3], axis=-1)[None]  # (1, samples, 2), very different levels
    out = to_numpy(layer(stereo))
    assert out.shape == layer.compute_output_shape(stereo.shape)
    for c in range(2):
        mono = to_numpy(layer(stereo[..., c]))[0]
        channel = out[0, ..., c, :] if isinstance(layer, layers.STFT) else out[0, ..., c]
        np.testing.assert_allclose(channel, mono, rtol=1e-5, atol=1e-4)


def test_batch_mates_do_not_change_an_example(batch):
    layer = layers.LogMelSpectrogram()
    quiet = batch[:1] * 1e-4
    alone = to_numpy(layer(quiet))[0]
    together = to_numpy(layer(np.concatenate([quiet, batch[1:]])))[0]
    np.testing.assert_allclose(together, alone, atol=1e-4)
    assert alone.min() == pytest.approx(max(alone.max() - 80.0, -100.0), abs=1e-3)  # its own floor


def test_silence_gives_finite_features():
    silence = np.zeros((2, 8000), np.float32)
    for layer in (layers.LogMelSpectrogram(), layers.MFCC(), layers.PowerToDb()):
        inputs = silence if not isinstance(layer, layers.PowerToDb) else np.zeros((2, 10, 5), np.float32)
        assert np.all(np.isfinite(to_numpy(layer(inputs))))
    np.testing.assert_allclose(to_numpy(layers.LogMelSpectrogram()(silence)), -100.0)  # 10 log10(amin / ref)
