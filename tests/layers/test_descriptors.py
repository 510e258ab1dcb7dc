"""Descriptor layers against their librosa.feature namesakes (float64 reference), shapes, edges."""

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError, layers
from tests.helpers import BACKEND, synthetic_signals, to_numpy
from tests.keras_conformance import run_layer_test
from tests.tolerances import POWER_RTOL, relative_error

#: float64 input: the algorithm itself, step for step (float32 window and output).
EXACT_RTOL = POWER_RTOL
#: float32 input on real and noisy signals, relative to the reference's norm.
FLOAT32_RTOL = 1e-4
#: float32 contrast in dB: the valleys of real spectra sit near float32's noise floor.
CONTRAST_DB_ATOL = 0.05

# (layer factory, librosa function) with non-default arguments on both sides.
CASES = {
    "centroid": (lambda: layers.SpectralCentroid(), lambda y: librosa.feature.spectral_centroid(y=y)),
    "centroid-16k": (
        lambda: layers.SpectralCentroid(sample_rate=16000, n_fft=512, hop_length=160, window="hamming"),
        lambda y: librosa.feature.spectral_centroid(
            y=y, sr=16000, n_fft=512, hop_length=160, window="hamming"
        ),
    ),
    "bandwidth": (lambda: layers.SpectralBandwidth(), lambda y: librosa.feature.spectral_bandwidth(y=y)),
    "bandwidth-p1": (
        lambda: layers.SpectralBandwidth(p=1, norm=False, center=False),
        lambda y: librosa.feature.spectral_bandwidth(y=y, p=1, norm=False, center=False),
    ),
    "rolloff": (
        lambda: layers.SpectralRolloff(roll_percent=0.5, n_fft=1024),
        lambda y: librosa.feature.spectral_rolloff(y=y, roll_percent=0.5, n_fft=1024),
    ),
    "flatness": (
        lambda: layers.SpectralFlatness(power=1.0, amin=1e-8),
        lambda y: librosa.feature.spectral_flatness(y=y, power=1.0, amin=1e-8),
    ),
    "contrast": (lambda: layers.SpectralContrast(), lambda y: librosa.feature.spectral_contrast(y=y)),
    "contrast-linear": (
        lambda: layers.SpectralContrast(
            sample_rate=16000, n_fft=512, n_bands=4, fmin=300, quantile=0.1, linear=True
        ),
        lambda y: librosa.feature.spectral_contrast(
            y=y, sr=16000, n_fft=512, n_bands=4, fmin=300, quantile=0.1, linear=True
        ),
    ),
    "rms": (lambda: layers.RMS(), lambda y: librosa.feature.rms(y=y)),
    "rms-reflect": (
        lambda: layers.RMS(frame_length=400, hop_length=160, pad_mode="reflect"),
        lambda y: librosa.feature.rms(y=y, frame_length=400, hop_length=160, pad_mode="reflect"),
    ),
    "zcr": (lambda: layers.ZeroCrossingRate(), lambda y: librosa.feature.zero_crossing_rate(y)),
    "zcr-options": (
        lambda: layers.ZeroCrossingRate(
            frame_length=511, hop_length=100, threshold=0.05, zero_pos=False, pad=True
        ),
        lambda y: librosa.feature.zero_crossing_rate(
            y, frame_length=511, hop_length=100, threshold=0.05, zero_pos=False, pad=True
        ),
    ),
    "zcr-ref": (
        lambda: layers.ZeroCrossingRate(ref_magnitude=0.5, threshold=0.1, center=False),
        lambda y: librosa.feature.zero_crossing_rate(y, ref_magnitude=0.5, threshold=0.1, center=False),
    ),
}


def _signals():
    signals = synthetic_signals()
    x = np.stack([signals[name][:20000] for name in ("chirp", "noise", "tones", "clicks")])
    x[3, 5000:9000] = 0.0  # a silent stretch: silent frames
    return x


def _reference(function, x):
    return np.stack([function(example.astype(np.float64)).T for example in x])


@pytest.mark.parametrize("name", sorted(CASES))
def test_float64_input_equals_librosa(name):
    make_layer, function = CASES[name]
    x = _signals().astype(np.float64)
    actual, expected = to_numpy(make_layer()(x)), _reference(function, x)
    if BACKEND == "jax":
        # JAX computes float64 input in float32 (x64 is off by default): the float32 tiers below
        # apply (the contrast's valleys of these pure tones sit at float32's noise floor).
        if name == "contrast":
            assert np.median(np.abs(actual - expected)) <= CONTRAST_DB_ATOL
        else:
            assert relative_error(actual, expected) <= FLOAT32_RTOL
        return
    assert relative_error(actual, expected) <= EXACT_RTOL


# Float32 spectra have a noise floor near 1e-7 of their peak: the geometric mean of the flatness
# with power=1 and a tiny amin, a bandwidth weighted by |deviation| ** p and the contrast's
# valleys read it (float64 input gives librosa's numbers, above); the defaults are checked here.
@pytest.mark.parametrize(
    "name", sorted(set(CASES) - {"contrast", "contrast-linear", "bandwidth-p1", "flatness"})
)
def test_float32_real_recordings_equal_librosa(name, real_clips):
    make_layer, function = CASES[name]
    clips = [audio[:30000] for audio, _ in list(real_clips.values())[:3]] or [_signals()[1]]
    x = np.stack(clips).astype(np.float32)
    assert relative_error(to_numpy(make_layer()(x)), _reference(function, x)) <= FLOAT32_RTOL


def test_float32_flatness_with_defaults_on_real_recordings(real_clips):
    clips = [audio[:30000] for audio, _ in list(real_clips.values())[:3]] or [_signals()[1]]
    x = np.stack(clips).astype(np.float32)
    expected = _reference(lambda y: librosa.feature.spectral_flatness(y=y), x)
    assert relative_error(to_numpy(layers.SpectralFlatness()(x)), expected) <= FLOAT32_RTOL


def test_float32_contrast_in_db_on_real_recordings(real_clips):
    clips = [audio[:30000] for audio, _ in list(real_clips.values())[:3]] or [_signals()[1]]
    x = np.stack(clips).astype(np.float32)
    expected = _reference(lambda y: librosa.feature.spectral_contrast(y=y), x)
    assert np.median(np.abs(to_numpy(layers.SpectralContrast()(x)) - expected)) <= CONTRAST_DB_ATOL


@pytest.mark.parametrize("name", ["centroid", "contrast", "zcr", "rms"])
def test_channels_equal_their_own_signals(name):
    layer = CASES[name][0]()
    x = np.stack([_signals()[:2], _signals()[2:]], axis=-1).astype(np.float32)  # (2, samples, 2)
    y = to_numpy(layer(x))
    assert y.shape == tuple(layer.compute_output_shape(x.shape))
    for channel in range(2):
        np.testing.assert_allclose(y[..., channel], to_numpy(layer(x[..., channel])), rtol=1e-5, atol=1e-5)


def test_silent_frames_have_librosas_values():
    x = np.zeros((1, 4096), np.float32)
    assert np.all(to_numpy(layers.SpectralCentroid()(x)) == 0)
    assert np.all(to_numpy(layers.SpectralRolloff()(x)) == 0)
    assert np.all(to_numpy(layers.ZeroCrossingRate()(x)) == 0)
    np.testing.assert_allclose(
        to_numpy(layers.SpectralFlatness()(x)), 1.0, rtol=POWER_RTOL
    )  # float32 exp(log)


@pytest.mark.parametrize("name", ["centroid", "contrast", "zcr", "rms", "flatness"])
def test_unknown_length_and_compiled_prediction(name):
    layer = CASES[name][0]()
    inputs = keras.Input((None,))
    model = keras.Model(inputs, layer(inputs))
    x = _signals()[:, :5000].astype(np.float32)
    np.testing.assert_allclose(model.predict(x, verbose=0), to_numpy(layer(x)), rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize(
    ("cls", "arguments", "output"),
    [
        (layers.SpectralCentroid, dict(sample_rate=8000, n_fft=256, hop_length=64), (2, 16, 1)),
        (layers.SpectralBandwidth, dict(sample_rate=8000, n_fft=256, hop_length=64), (2, 16, 1)),
        (layers.SpectralRolloff, dict(sample_rate=8000, n_fft=256, hop_length=64), (2, 16, 1)),
        (layers.SpectralFlatness, dict(n_fft=256, hop_length=64), (2, 16, 1)),
        (
            layers.SpectralContrast,
            dict(sample_rate=8000, n_fft=256, hop_length=64, n_bands=3, fmin=300),
            (2, 16, 4),
        ),
        (layers.RMS, dict(frame_length=256, hop_length=64), (2, 16, 1)),
        (layers.ZeroCrossingRate, dict(frame_length=256, hop_length=64), (2, 16, 1)),
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


def test_saved_and_loaded(tmp_path):
    inputs = keras.Input((4000,))
    features = [
        layers.SpectralContrast(sample_rate=16000, n_fft=512, n_bands=4)(inputs),
        layers.ZeroCrossingRate(frame_length=512, zero_pos=False)(inputs),
    ]
    model = keras.Model(inputs, features)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = _signals()[:, :4000].astype(np.float32)
    for a, b in zip(loaded(x), model(x), strict=True):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.SpectralContrast(fmin=4000), "`fmin` must be such that"),
        (lambda: layers.SpectralContrast(n_bands=0), "`n_bands` must be a positive integer"),
        (lambda: layers.SpectralContrast(quantile=1.0), "`quantile` must be in \\(0, 1\\)"),
        (lambda: layers.SpectralRolloff(roll_percent=1.0), "`roll_percent` must be in \\(0, 1\\)"),
        (lambda: layers.SpectralBandwidth(p=0), "`p` must be > 0"),
        (lambda: layers.SpectralFlatness(amin=0), "`amin` must be > 0"),
        (lambda: layers.SpectralCentroid(sample_rate=-1), "`sample_rate` must be > 0"),
        (lambda: layers.RMS(frame_length=0), "`frame_length` must be a positive integer"),
        (lambda: layers.RMS(pad_mode="mirror"), "`pad_mode` must be one of"),
        (lambda: layers.ZeroCrossingRate(threshold=-1), "`threshold` must be >= 0"),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ParameterError, match=message):
        make()
