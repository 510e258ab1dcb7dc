"""CQT and VQT against librosa.cqt / librosa.vqt (float64), cqt_frequencies, shapes, bad input."""

import math

import keras
import librosa
import numpy as np
import pytest

from audioflow import ParameterError, layers, ops
from audioflow.ops.cqt import wavelet_lengths
from tests.helpers import synthetic_signals, to_numpy
from tests.keras_conformance import run_layer_test
from tests.tolerances import CONSTANT_RTOL, STFT_RTOL, relative_error

#: Per-octave error in dB against librosa over cells within 60 dB of the maximum: median, 99th
#: percentile. What is left is soxr's anti-alias filter against the fixed one halving here.
CQT_MEDIAN_DB = 0.05
CQT_P99_DB = 0.1
#: The 99th percentile where librosa first downsamples by 2 ** k in one soxr call (halved k times here).
CQT_EARLY_P99_DB = 0.6


def octave_db_errors(actual, expected, bins_per_octave):
    """``[(median, p99)]`` of ``|20 log10(|actual| / |expected|)|`` per octave (lowest first), ``(bins, frames)``."""
    actual, expected = np.abs(actual), np.abs(expected)
    within = expected > expected.max() * 10 ** (-60 / 20)
    errors = np.abs(20 * np.log10(np.maximum(actual, 1e-300) / np.maximum(expected, 1e-300)))
    result = []
    for start in range(0, expected.shape[0], bins_per_octave):
        cells = errors[start : start + bins_per_octave][within[start : start + bins_per_octave]]
        if cells.size:
            result.append((float(np.median(cells)), float(np.percentile(cells, 99))))
    return result


@pytest.fixture(scope="module")
def recordings(real_clips):
    signals = synthetic_signals(sample_rate=22050, seconds=1.5)
    clips = {name: signals[name] for name in ("chirp", "noise", "tones")}
    for name in list(real_clips)[:2]:
        clips[f"real:{name}"] = real_clips[name][0][: 2 * 22050 + 123]
    return clips


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "arguments",
    [dict(n_bins=84), dict(n_bins=7, fmin=440.0, bins_per_octave=24, tuning=0.3), dict(n_bins=1, fmin=1.0)],
)
def test_cqt_frequencies_equal_librosa(arguments):
    expected = librosa.cqt_frequencies(**{"fmin": librosa.note_to_hz("C1"), **arguments})
    assert relative_error(ops.cqt_frequencies(**arguments), expected) <= CONSTANT_RTOL


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    "arguments",
    [
        dict(),
        dict(gamma=None),
        dict(gamma=7.5, filter_scale=0.7, window="blackmanharris"),
        dict(window=("kaiser", 8.0)),
    ],
)
def test_wavelet_lengths_equal_librosa(arguments):
    freqs = librosa.cqt_frequencies(n_bins=60, fmin=40.0, bins_per_octave=12)
    arguments = {"gamma": 0.0, **arguments}
    expected, expected_cutoff = librosa.filters.wavelet_lengths(freqs=freqs, sr=22050, **arguments)
    lengths, cutoff = wavelet_lengths(freqs, sample_rate=22050, **arguments)
    assert relative_error(lengths, expected) <= CONSTANT_RTOL
    assert cutoff == pytest.approx(expected_cutoff, rel=CONSTANT_RTOL)


@pytest.mark.parametrize(
    ("cls", "arguments"),
    [
        (layers.CQT, dict()),
        (layers.VQT, dict()),
        # hop 4 * 75: two halvings, then one rate for the lower octaves
        (
            layers.CQT,
            dict(hop_length=300, filter_scale=0.8, norm=2, sparsity=0.0, scale=False, window="hamming"),
        ),
        # librosa downsamples by 16 and by 32 (one soxr call each) before the top octave
        (layers.VQT, dict(gamma=10.0, hop_length=256, fmin=55.0, n_bins=48, bins_per_octave=24)),
        (layers.CQT, dict(n_bins=36, pad_mode="reflect", norm=math.inf)),
    ],
)
def test_equals_librosa_per_octave(cls, arguments, recordings):
    function = librosa.cqt if cls is layers.CQT else librosa.vqt
    layer = cls(**arguments, dtype="float64")
    p99_bar = CQT_P99_DB if layer._plan.halvings[0] == 0 else CQT_EARLY_P99_DB
    bins_per_octave = arguments.get("bins_per_octave", 12)
    librosa_arguments = {"sr": 22050, "tuning": 0.0, **arguments}
    for name, signal in recordings.items():
        expected = function(signal.astype(np.float64), **librosa_arguments)
        actual = to_numpy(layer(signal.astype(np.float64)[None]))[0].T
        assert actual.shape == expected.shape, name
        for octave, (median, p99) in enumerate(octave_db_errors(actual, expected, bins_per_octave)):
            assert median <= CQT_MEDIAN_DB, (name, octave, median)
            assert p99 <= p99_bar, (name, octave, p99)


def test_complex_output_equals_librosa(recordings):
    signal = recordings["chirp"].astype(np.float64)
    expected = librosa.vqt(signal, sr=22050, tuning=0.0, n_bins=48, fmin=110.0, hop_length=128)
    actual = to_numpy(
        layers.VQT(n_bins=48, fmin=110.0, hop_length=128, output="complex", dtype="float64")(signal[None])
    )
    assert actual.shape == (1, expected.shape[1], 48, 2)
    # the top octave, which librosa does not resample, to float64 round-off; all of it to 1e-3
    top = expected[-12:].T
    assert relative_error(actual[0, :, -12:, 0] + 1j * actual[0, :, -12:, 1], top) <= STFT_RTOL
    assert relative_error(actual[0, ..., 0] + 1j * actual[0, ..., 1], expected.T) <= 1e-3


def test_float32_magnitude_matches_float64():
    x = synthetic_signals(sample_rate=22050)["noise"][None, :20000]
    layer = layers.CQT(n_bins=60, fmin=65.4)
    expected = to_numpy(layers.CQT(n_bins=60, fmin=65.4, dtype="float64")(x.astype(np.float64)))
    assert relative_error(to_numpy(layer(x)), expected) <= STFT_RTOL


def test_a_tone_peaks_at_its_bin():
    t = np.arange(22050 * 2) / 22050
    a4 = np.sin(2 * np.pi * 440.0 * t).astype(np.float32)[None]
    spectrum = to_numpy(layers.CQT()(a4))[0]
    assert np.all(np.argmax(spectrum[20:-20], axis=-1) == 45)  # A4 is 45 semitones above C1


def test_channels_equal_their_own_signals():
    layer = layers.VQT(n_bins=36, fmin=110.0, output="complex")
    signals = synthetic_signals(sample_rate=22050)
    x = np.stack(
        [np.stack([signals["chirp"], signals["noise"]]), np.stack([signals["tones"], signals["clicks"]])], -1
    )
    y = to_numpy(layer(x))
    assert y.shape == tuple(layer.compute_output_shape(x.shape)) == (2, 1 + x.shape[1] // 512, 36, 2, 2)
    for channel in range(2):
        np.testing.assert_allclose(y[..., channel, :], to_numpy(layer(x[..., channel])), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    ("cls", "arguments", "output"),
    [
        (layers.CQT, dict(sample_rate=8000, hop_length=64, fmin=100.0, n_bins=24), (2, 32, 24)),
        (
            layers.VQT,
            dict(sample_rate=8000, hop_length=128, fmin=100.0, n_bins=12, output="complex"),
            (2, 16, 12, 2),
        ),
    ],
)
def test_keras_conformance(cls, arguments, output):
    run_layer_test(
        cls,
        arguments,
        input_data=np.random.default_rng(0).standard_normal((2, 2000)).astype(np.float32),
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
        [
            layers.CQT(n_bins=48, fmin=65.4)(inputs),
            layers.VQT(n_bins=24, fmin=220.0, output="complex")(inputs),
        ],
    )
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    x = synthetic_signals(sample_rate=22050)["chirp"][None, :9000]
    for a, b in zip(loaded(x), model(x), strict=True):
        np.testing.assert_array_equal(to_numpy(a), to_numpy(b))
    assert loaded.layers[2].get_config()["output"] == "complex"
    assert "gamma" not in loaded.layers[1].get_config()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: layers.CQT(n_bins=110), "`n_bins` must be such that the top filter stays below Nyquist"),
        (lambda: layers.CQT(sample_rate=8000, fmin=3000.0, n_bins=12), "`n_bins` must be such that"),
        (lambda: layers.CQT(fmin=0.0), "`fmin` must be > 0"),
        (lambda: layers.CQT(n_bins=0), "`n_bins` must be"),
        (lambda: layers.CQT(bins_per_octave=0), "`bins_per_octave` must be"),
        (lambda: layers.CQT(hop_length=0), "`hop_length` must be"),
        (lambda: layers.VQT(gamma=-1.0), "`gamma` must be >= 0"),
        (lambda: layers.CQT(filter_scale=0), "`filter_scale` must be > 0"),
        (lambda: layers.CQT(sparsity=1.0), "`sparsity` must be < 1"),
        (lambda: layers.CQT(norm=-1), "`norm` must be > 0"),
        (lambda: layers.CQT(output="power"), "`output` must be one of"),
        (lambda: layers.CQT(pad_mode="mean"), "`pad_mode` must be one of"),
        (lambda: layers.CQT(window="nope"), "window"),
    ],
)
def test_bad_arguments(make, message):
    with pytest.raises(ParameterError, match=message):
        make()
