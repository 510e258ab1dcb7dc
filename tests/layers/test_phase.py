"""GriffinLim, InverseMelScale and ops.mel_to_audio against librosa (griffinlim, mel_to_stft, mel_to_audio)."""

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError, layers, ops
from tests.helpers import real_recordings, synthetic_signals, to_numpy
from tests.keras_conformance import run_layer_test
from tests.tolerances import relative_error

#: init=None: the same iterations as librosa's in float32 (16 iterations, relative to the signal).
GRIFFIN_LIM_RTOL = 1e-5
STFT = dict(n_fft=512, hop_length=128)


def _signal(name="chirp", samples=11025):
    return synthetic_signals()[name][:samples].astype(np.float64)


def _magnitudes(y):
    return np.abs(librosa.stft(y, **STFT))


def _convergence(y, S):
    return np.linalg.norm(_magnitudes(y) - S) / np.linalg.norm(S)


@pytest.mark.parametrize("n_iter", [0, 1, 16])
@pytest.mark.parametrize("momentum", [0.99, 0.0])
def test_zero_phase_start_equals_librosa(n_iter, momentum):
    S = _magnitudes(_signal())
    expected = librosa.griffinlim(S, n_iter=n_iter, init=None, momentum=momentum, **STFT)
    layer = layers.GriffinLim(n_iter=n_iter, init=None, momentum=momentum, **STFT)
    actual = to_numpy(layer(S.T[None].astype(np.float32)))[0]
    assert relative_error(actual, expected) <= GRIFFIN_LIM_RTOL


def test_length_and_window_options_equal_librosa():
    y = _signal("tones", 5000)
    S = np.abs(librosa.stft(y, n_fft=400, hop_length=100, win_length=300, window="hamming"))
    expected = librosa.griffinlim(
        S, n_iter=4, init=None, n_fft=400, hop_length=100, win_length=300, window="hamming", length=5000
    )
    layer = layers.GriffinLim(
        n_fft=400, hop_length=100, win_length=300, window="hamming", n_iter=4, init=None, length=5000
    )
    actual = to_numpy(layer(S.T[None].astype(np.float32)))[0]
    assert actual.shape == (5000,) and relative_error(actual, expected) <= GRIFFIN_LIM_RTOL


def test_random_start_reconstructs_as_well_as_librosa():
    """Spectral convergence over ten draws each: ours no worse than librosa's beyond two standard errors.

    The iterations are librosa's (``init=None`` is equal, above): only the random draw differs.
    """
    clips = [_signal("chirp", 4000)]
    clips += [
        librosa.load(path, sr=22050, duration=0.2)[0].astype(np.float64) for path in real_recordings()[:1]
    ]
    for y in clips:
        S = _magnitudes(y)
        theirs = [
            _convergence(librosa.griffinlim(S, n_iter=16, random_state=seed, **STFT), S) for seed in range(10)
        ]
        layer = layers.GriffinLim(n_iter=16, seed=0, **STFT)
        ours = [
            _convergence(to_numpy(layer(S.T[None].astype(np.float32)))[0].astype(np.float64), S)
            for _ in range(10)
        ]
        bar = np.mean(theirs) + 2 * np.sqrt((np.var(theirs) + np.var(ours)) / len(theirs))
        assert np.mean(ours) <= bar, (np.mean(ours), np.mean(theirs))
        assert len(set(np.round(ours, 8))) > 1  # a new draw per call


def test_random_start_reproduces_with_seed():
    S = _magnitudes(_signal())[None].transpose(0, 2, 1).astype(np.float32)
    a = to_numpy(layers.GriffinLim(n_iter=2, seed=3, **STFT)(S))
    b = to_numpy(layers.GriffinLim(n_iter=2, seed=3, **STFT)(S))
    np.testing.assert_array_equal(a, b)


def test_inverse_mel_scale_fits_better_than_librosa():
    y = _signal()
    M = librosa.feature.melspectrogram(y=y, n_mels=64, **STFT)
    basis = librosa.filters.mel(sr=22050, n_fft=512, n_mels=64)
    theirs = librosa.feature.inverse.mel_to_stft(M, n_fft=512)
    ours = to_numpy(layers.InverseMelScale(n_fft=512, n_mels=64)(M.T[None].astype(np.float32)))[0].T

    def residual(X):
        return np.linalg.norm(basis @ X**2 - M) / np.linalg.norm(M)

    assert ours.min() >= 0 and ours.shape == theirs.shape
    assert residual(ours) <= residual(theirs)


def test_mel_to_audio_reconstructs_a_signal_with_its_mel_spectrum():
    """Mel error of the reconstruction: the median over draws within 1.25x of librosa's median."""
    y = _signal("tones", 4000)
    M = librosa.feature.melspectrogram(y=y, n_mels=64, **STFT)

    def mel_error(z):
        return relative_error(librosa.feature.melspectrogram(y=z.astype(np.float64), n_mels=64, **STFT), M)

    ours = [
        to_numpy(ops.mel_to_audio(M.T[None].astype(np.float32), n_iter=8, seed=seed, **STFT))[0]
        for seed in range(3)
    ]
    theirs = [librosa.feature.inverse.mel_to_audio(M, n_iter=8, **STFT) for _ in range(5)]  # unseeded
    assert ours[0].shape == theirs[0].shape
    assert np.median([mel_error(z) for z in ours]) <= 1.25 * np.median([mel_error(z) for z in theirs])


def test_channels_and_conformance():
    S = np.abs(np.random.default_rng(0).standard_normal((2, 9, 65, 2))).astype(np.float32)
    layer = layers.GriffinLim(n_fft=128, hop_length=32, n_iter=2, init=None)
    y = to_numpy(layer(S))
    assert y.shape == layer.compute_output_shape(S.shape) == (2, 256, 2)
    np.testing.assert_allclose(y[..., 1], to_numpy(layer(S[..., 1])), rtol=1e-5, atol=1e-6)
    run_layer_test(
        layers.GriffinLim,
        dict(n_fft=128, hop_length=32, n_iter=2, seed=1),
        input_data=S[..., 0],
        expected_output_shape=(2, 256),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=1,
        supports_masking=False,
        run_training_check=False,
    )
    run_layer_test(
        layers.InverseMelScale,
        dict(sample_rate=8000, n_fft=128, n_mels=16, n_iter=5),
        input_data=np.abs(S[:, :, :16, 0]),
        expected_output_shape=(2, 9, 65),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=False,
        run_training_check=False,
    )


def test_saved_and_loaded(tmp_path):
    inputs = keras.Input((None, 16))
    outputs = layers.GriffinLim(n_fft=128, hop_length=32, n_iter=3, init=None)(
        layers.InverseMelScale(sample_rate=8000, n_fft=128, n_mels=16, n_iter=5)(inputs)
    )
    model = keras.Model(inputs, outputs)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    M = np.abs(np.random.default_rng(1).standard_normal((2, 7, 16))).astype(np.float32)
    np.testing.assert_allclose(to_numpy(loaded(M)), to_numpy(model(M)), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.GriffinLim(momentum=-0.1), "`momentum` must be >= 0"),
        (lambda: layers.GriffinLim(momentum=1.0), "`momentum` must be < 1"),
        (lambda: layers.GriffinLim(init="zeros"), "`init` must be one of"),
        (lambda: layers.GriffinLim(n_iter=-1), "`n_iter` must be"),
        (lambda: layers.InverseMelScale(n_iter=-1), "`n_iter` must be"),
        (
            lambda: layers.GriffinLim(n_fft=64, hop_length=32, length=100)(np.ones((1, 6, 33), "float32")),
            "`length` must be a signal length whose STFT has the input's frame count",
        ),
        (lambda: layers.InverseMelScale(power=0), "`power` must be > 0"),
        (lambda: layers.InverseMelScale(n_mels=0), "`n_mels`"),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ParameterError, match=message):
        make()
