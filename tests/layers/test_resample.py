"""Resample and RandomSpeed layers: torchaudio parity, shapes, channels, compiled, saved, tf.data."""

import keras
import numpy as np
import pytest

from audioflow import ParameterError, layers
from tests.helpers import BACKEND, to_numpy
from tests.keras_conformance import run_layer_test

torch = pytest.importorskip("torch")
torchaudio_transforms = pytest.importorskip("torchaudio.transforms")

RESAMPLE_ATOL = 2e-5  # as tests/ops/test_resample.py


def _waveforms(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _torchaudio(x, sample_rate, target_sample_rate, **kwargs):
    transform = torchaudio_transforms.Resample(sample_rate, target_sample_rate, dtype=torch.float64, **kwargs)
    return transform(torch.from_numpy(np.asarray(x, np.float64))).numpy()


@pytest.mark.parametrize(
    ("arguments", "input_shape", "output_shape"),
    [
        (dict(sample_rate=16000, target_sample_rate=8000), (2, 1000), (2, 500)),
        (dict(sample_rate=8000, target_sample_rate=22050), (2, 301, 2), (2, 830, 2)),
        (dict(sample_rate=44100, target_sample_rate=16000, quality="kaiser_fast"), (2, 441), (2, 160)),
    ],
)
def test_resample_passes_the_keras_conformance_harness(arguments, input_shape, output_shape):
    run_layer_test(
        layers.Resample,
        arguments,
        input_data=_waveforms(input_shape),
        expected_output_shape=output_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=False,
        run_training_check=False,
    )


def test_random_speed_passes_the_keras_conformance_harness():
    run_layer_test(
        layers.RandomSpeed,
        dict(sample_rate=8000, seed=3),
        input_data=_waveforms((2, 800)),
        expected_output_shape=(2, 800),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=1,
        supports_masking=False,
        run_training_check=False,
    )


@pytest.mark.parametrize("method", ["sinc_interp_hann", "sinc_interp_kaiser"])
def test_resample_layer_equals_torchaudio_transform(method):
    x = _waveforms((3, 4410))
    layer = layers.Resample(
        sample_rate=44100, target_sample_rate=16000, method=method, lowpass_filter_width=8
    )
    expected = _torchaudio(x, 44100, 16000, resampling_method=method, lowpass_filter_width=8)
    np.testing.assert_allclose(to_numpy(layer(x)), expected, atol=RESAMPLE_ATOL, rtol=0)


def test_quality_presets_are_resampys_filters():
    x = _waveforms((1, 2000))
    best = layers.Resample(sample_rate=16000, target_sample_rate=8000, quality="kaiser_best")
    expected = _torchaudio(
        x,
        16000,
        8000,
        lowpass_filter_width=64,
        rolloff=0.9475937167399596,
        resampling_method="sinc_interp_kaiser",
        beta=14.769656459379492,
    )
    np.testing.assert_allclose(to_numpy(best(x)), expected, atol=RESAMPLE_ATOL, rtol=0)
    with pytest.raises(ParameterError, match="`quality` must be None when filter arguments are given"):
        layers.Resample(sample_rate=16000, target_sample_rate=8000, quality="kaiser_best", rolloff=0.9)
    with pytest.raises(ParameterError, match="`quality` must be one of"):
        layers.Resample(sample_rate=16000, target_sample_rate=8000, quality="best")


def test_channels_are_resampled_alone():
    x = _waveforms((2, 999, 3))
    layer = layers.Resample(sample_rate=22050, target_sample_rate=16000)
    y = to_numpy(layer(x))
    assert y.shape == (2, 725, 3) == layer.compute_output_shape(x.shape)
    for channel in range(3):
        np.testing.assert_allclose(y[..., channel], to_numpy(layer(x[..., channel])), atol=1e-6)


@pytest.mark.parametrize("length", [0, 1, 159, 160, 161, 1000])
def test_unknown_length_in_a_functional_model(length):
    layer = layers.Resample(sample_rate=16000, target_sample_rate=10000)
    inputs = keras.Input((None,))
    model = keras.Model(inputs, layer(inputs))
    x = _waveforms((2, length))
    y = to_numpy(model(x))
    assert y.shape == (2, -(-length * 5 // 8))
    if length:
        np.testing.assert_allclose(y, _torchaudio(x, 16000, 10000), atol=RESAMPLE_ATOL, rtol=0)


def test_compiled_prediction_equals_eager():
    layer = layers.Resample(sample_rate=48000, target_sample_rate=16000)
    inputs = keras.Input((4800,))
    model = keras.Model(inputs, layer(inputs))
    x = _waveforms((4, 4800))
    np.testing.assert_allclose(model.predict(x, batch_size=2, verbose=0), to_numpy(layer(x)), atol=1e-6)
    if BACKEND == "tensorflow":
        model.compile(jit_compile=True)
        np.testing.assert_allclose(model.predict(x, verbose=0), to_numpy(layer(x)), atol=1e-5)


def test_saved_and_loaded(tmp_path):
    inputs = keras.Input((1000,))
    outputs = layers.RandomSpeed(sample_rate=8000, factors=(0.9, 1.1), seed=1)(
        layers.Resample(sample_rate=16000, target_sample_rate=8000, quality="kaiser_fast")(inputs)
    )
    model = keras.Model(inputs, outputs)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = _waveforms((2, 1000))
    np.testing.assert_array_equal(to_numpy(loaded(x)), to_numpy(model(x)))
    config = loaded.layers[1].get_config()
    assert config["quality"] == "kaiser_fast" and config["target_sample_rate"] == 8000


def test_random_speed_is_identity_at_inference():
    x = _waveforms((3, 800))
    np.testing.assert_array_equal(to_numpy(layers.RandomSpeed(sample_rate=8000)(x)), x)


def test_each_example_is_torchaudio_speed_of_one_factor_cut_to_length():
    factors = (0.8, 1.0, 1.25)
    x = _waveforms((16, 800), seed=4)
    y = to_numpy(layers.RandomSpeed(sample_rate=8000, factors=factors, seed=0)(x, training=True))
    candidates = []
    for factor in factors:
        speeded, _ = torchaudio_transforms.Speed(8000, factor)(torch.from_numpy(x))
        speeded = speeded.numpy()[:, :800]
        candidates.append(np.pad(speeded, ((0, 0), (0, 800 - speeded.shape[1]))))
    chosen = []
    for b in range(len(x)):
        errors = [np.abs(y[b] - candidate[b]).max() for candidate in candidates]
        assert min(errors) < 1e-4, errors
        chosen.append(int(np.argmin(errors)))
    assert len(set(chosen)) == 3  # per example, not one factor for the batch


def test_random_speed_draws_per_step_and_reproduces_with_seed():
    x = _waveforms((8, 400), seed=2)
    first = layers.RandomSpeed(sample_rate=8000, seed=5)
    again = layers.RandomSpeed(sample_rate=8000, seed=5)
    a, b = to_numpy(first(x, training=True)), to_numpy(first(x, training=True))
    np.testing.assert_array_equal(a, to_numpy(again(x, training=True)))
    assert not np.array_equal(a, b)


def test_random_speed_gives_channels_of_an_example_one_factor():
    x = np.repeat(_waveforms((6, 500, 1), seed=3), 2, axis=2)
    y = to_numpy(layers.RandomSpeed(sample_rate=8000, factors=(0.7, 1.3), seed=2)(x, training=True))
    np.testing.assert_array_equal(y[..., 0], y[..., 1])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (dict(sample_rate=8000, factors=()), "`factors` must be a non-empty sequence"),
        (dict(sample_rate=8000, factors="fast"), "`factors` must be a non-empty sequence"),
        (dict(sample_rate=8000, factors=(0.0,)), "`factors` must be > 0"),
        (dict(sample_rate=0), "`sample_rate` must be a positive integer"),
    ],
)
def test_random_speed_bad_arguments(arguments, message):
    with pytest.raises(ParameterError, match=message):
        layers.RandomSpeed(**arguments)
