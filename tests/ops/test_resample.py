"""ops.resample against torchaudio.functional.resample (float64 reference), and its settings."""

import numpy as np
import pytest

from audioflow import ops
from audioflow.errors import ParameterError
from audioflow.ops.resample import RESAMPLE_PRESETS, resample_settings, speed_settings
from tests.helpers import to_numpy

torch = pytest.importorskip("torch")
functional = pytest.importorskip("torchaudio.functional")

# Reference within 2e-5 (absolute, on unit-scale signals): float32 round-off of a long FIR sum.
RESAMPLE_ATOL = 2e-5
RATES = [(16000, 8000), (8000, 16000), (44100, 16000), (16000, 22050), (48000, 44100), (3, 7)]


def reference(x, sample_rate, target_sample_rate, preset):
    return functional.resample(
        torch.from_numpy(np.asarray(x, np.float64)),
        sample_rate,
        target_sample_rate,
        lowpass_filter_width=preset["lowpass_filter_width"],
        rolloff=preset["rolloff"],
        resampling_method=preset["method"],
        beta=preset["beta"],
    ).numpy()


@pytest.mark.parametrize("rates", RATES)
@pytest.mark.parametrize("preset", sorted(RESAMPLE_PRESETS))
def test_matches_torchaudio(rates, preset):
    x = np.random.default_rng(1).standard_normal((2, 1237)).astype(np.float32)
    arguments = RESAMPLE_PRESETS[preset]
    actual = to_numpy(ops.resample(x, sample_rate=rates[0], target_sample_rate=rates[1], **arguments))
    expected = reference(x, *rates, arguments)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, atol=RESAMPLE_ATOL, rtol=0)


@pytest.mark.parametrize("length", [1, 2, 3, 159, 160, 161, 441, 442])
def test_every_length_matches(length):
    x = np.random.default_rng(length).standard_normal((1, length)).astype(np.float32)
    actual = to_numpy(ops.resample(x, sample_rate=44100, target_sample_rate=16000))
    expected = reference(x, 44100, 16000, RESAMPLE_PRESETS["default"])
    np.testing.assert_allclose(actual, expected, atol=RESAMPLE_ATOL, rtol=0)


def test_real_recording_matches(real_clips):
    if not real_clips:
        pytest.skip("../shared real recordings absent")
    audio, rate = next(iter(real_clips.values()))
    actual = to_numpy(ops.resample(audio[None, :20000], sample_rate=rate, target_sample_rate=16000))
    expected = reference(audio[None, :20000], rate, 16000, RESAMPLE_PRESETS["default"])
    np.testing.assert_allclose(actual, expected, atol=RESAMPLE_ATOL, rtol=0)


def test_tone_keeps_its_frequency_and_level():
    rate, target, tone = 44100, 16000, 1000.0
    t = np.arange(44100) / rate
    y = to_numpy(
        ops.resample(
            np.sin(2 * np.pi * tone * t)[None].astype(np.float32), sample_rate=rate, target_sample_rate=target
        )
    )[0]
    spectrum = np.abs(np.fft.rfft(y[1000:-1000] * np.hanning(len(y) - 2000)))
    peak = np.argmax(spectrum) * target / (len(y) - 2000)
    assert abs(peak - tone) < 2.0
    assert abs(np.sqrt(np.mean(y[1000:-1000] ** 2)) - np.sqrt(0.5)) < 1e-3


def test_same_rate_is_identity_and_empty_stays_empty():
    x = np.random.default_rng(0).standard_normal((2, 50)).astype(np.float32)
    np.testing.assert_array_equal(to_numpy(ops.resample(x, sample_rate=8000, target_sample_rate=8000)), x)
    assert to_numpy(
        ops.resample(np.zeros((2, 0), "float32"), sample_rate=16000, target_sample_rate=8000)
    ).shape == (2, 0)


@pytest.mark.backend_independent
def test_rates_are_reduced_by_their_gcd():
    settings = resample_settings(sample_rate=44100, target_sample_rate=16000)
    assert (settings.orig, settings.new) == (441, 160)
    assert settings.output_length(44100) == 16000
    assert settings.output_length(1) == 1
    speed = speed_settings(sample_rate=16000, factor=1.1)
    assert (speed.orig, speed.new) == (11, 10)  # torchaudio's Speed: int(1.1 * 16000) -> 16000


@pytest.mark.backend_independent
@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (dict(sample_rate=0, target_sample_rate=8000), "`sample_rate` must be a positive integer"),
        (dict(sample_rate=16000, target_sample_rate=-1), "`target_sample_rate` must be a positive integer"),
        (dict(sample_rate=16000.5, target_sample_rate=8000), "`sample_rate` must be an integer"),
        (dict(sample_rate=16000, target_sample_rate=8000, lowpass_filter_width=0), "`lowpass_filter_width`"),
        (dict(sample_rate=16000, target_sample_rate=8000, rolloff=0), "`rolloff` must be > 0"),
        (dict(sample_rate=16000, target_sample_rate=8000, rolloff=1.5), "`rolloff` must be <= 1"),
        (dict(sample_rate=16000, target_sample_rate=8000, method="linear"), "`method` must be one of"),
        (dict(sample_rate=16000, target_sample_rate=8000, beta=-1.0), "`beta` must be >= 0"),
        (dict(sample_rate=8001, target_sample_rate=16000), "reduces to small integers"),
    ],
)
def test_bad_arguments(arguments, message):
    with pytest.raises(ParameterError, match=message):
        resample_settings(**arguments)
