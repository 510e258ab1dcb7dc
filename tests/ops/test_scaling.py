"""Decibel scaling against librosa, per example."""

import librosa
import numpy as np
import pytest

from audioflow import ParameterError
from audioflow import ops as af
from tests.helpers import to_numpy

RNG = np.random.default_rng(3)
# Power spectra spanning 0 to 160 dB of dynamic range, with exact zeros.
POWER = (10.0 ** RNG.uniform(-12, 4, size=(3, 20, 16))).astype(np.float32)
POWER[0, :3] = 0.0


@pytest.mark.parametrize("ref", [1.0, 0.25, "max"])
@pytest.mark.parametrize("amin", [1e-10, 1e-5])
@pytest.mark.parametrize("top_db", [80.0, 40.0, None])
def test_power_to_db_matches_librosa_per_example(ref, amin, top_db):
    ours = to_numpy(af.power_to_db(POWER, ref=ref, amin=amin, top_db=top_db))
    for b in range(len(POWER)):
        reference = librosa.power_to_db(
            POWER[b], ref=np.max if ref == "max" else ref, amin=amin, top_db=top_db
        )
        np.testing.assert_allclose(ours[b], reference, atol=1e-3, err_msg=f"example {b}")


@pytest.mark.parametrize("ref", [1.0, 2.0, "max"])
@pytest.mark.parametrize("top_db", [80.0, None])
def test_amplitude_to_db_matches_librosa_per_example(ref, top_db):
    magnitude = np.sqrt(POWER)
    ours = to_numpy(af.amplitude_to_db(magnitude, ref=ref, top_db=top_db))
    for b in range(len(POWER)):
        reference = librosa.amplitude_to_db(magnitude[b], ref=np.max if ref == "max" else ref, top_db=top_db)
        np.testing.assert_allclose(ours[b], reference, atol=1e-3)


def test_db_floor_does_not_depend_on_batch_mates():
    quiet = POWER[1] * 1e-6
    alone = to_numpy(af.power_to_db(quiet[None]))[0]
    with_loud_neighbour = to_numpy(af.power_to_db(np.stack([quiet, POWER[2] * 1e6])))[0]
    np.testing.assert_array_equal(alone, with_loud_neighbour)


def test_silence_gives_a_finite_floor():
    silence = np.zeros((2, 10, 8), np.float32)
    db = to_numpy(af.power_to_db(silence))
    assert np.all(np.isfinite(db))
    np.testing.assert_allclose(db, 10 * np.log10(1e-10))  # librosa: 10 log10(amin / ref)
    np.testing.assert_allclose(to_numpy(af.power_to_db(silence, ref="max")), 0.0, atol=1e-4)
    assert np.all(np.isfinite(to_numpy(af.amplitude_to_db(silence))))


@pytest.mark.parametrize("ref", [1.0, 3.0])
def test_db_round_trips(ref):
    power = POWER[1:] + 1e-8  # above amin, where the round trip is exact
    db = to_numpy(af.power_to_db(power, ref=ref, top_db=None))
    np.testing.assert_allclose(to_numpy(af.db_to_power(db, ref=ref)), power, rtol=1e-4)
    np.testing.assert_allclose(
        to_numpy(af.db_to_power(db, ref=ref)), librosa.db_to_power(db, ref=ref), rtol=1e-5
    )
    amp_db = to_numpy(af.amplitude_to_db(np.sqrt(power), ref=ref, top_db=None))
    np.testing.assert_allclose(
        to_numpy(af.db_to_amplitude(amp_db, ref=ref)), librosa.db_to_amplitude(amp_db, ref=ref), rtol=1e-5
    )


def test_custom_axis_takes_the_max_over_those_axes():
    # Channels-last layout (batch, frames, bins, channels): per example and channel.
    stacked = np.stack([POWER[1], POWER[2] * 1e-8], axis=-1)[None]
    ours = to_numpy(af.power_to_db(stacked, axis=(1, 2)))
    for c in range(2):
        np.testing.assert_allclose(ours[0, ..., c], librosa.power_to_db(stacked[0, ..., c]), atol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(ref=0.0), r"`ref` must be a positive number or \"max\". Received: ref=0.0."),
        (dict(ref="min"), r"`ref` must be a positive number or \"max\". Received: ref='min'."),
        (dict(amin=0.0), r"`amin` must be > 0.0. Received: amin=0.0."),
        (dict(top_db=-1.0), r"`top_db` must be >= 0.0. Received: top_db=-1.0."),
    ],
)
def test_invalid_db_arguments(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        af.power_to_db(POWER, **kwargs)


# --- Complex, empty and extreme inputs (issue 8: 12, 13, 22).


def test_complex_power_to_db_takes_the_magnitude_and_warns_as_librosa():
    rng = np.random.default_rng(4)
    spectrum = (rng.standard_normal((20, 16)) + 1j * rng.standard_normal((20, 16))).astype(np.complex64)
    with pytest.warns(UserWarning, match="power_to_db was called on complex input so phase information"):
        ours = to_numpy(af.power_to_db(spectrum))
    with pytest.warns(UserWarning, match="power_to_db was called on complex input"):
        reference = librosa.power_to_db(spectrum)
    np.testing.assert_allclose(ours, reference, atol=1e-3)
    with pytest.warns(UserWarning, match="amplitude_to_db was called on complex input"):
        ours = to_numpy(af.amplitude_to_db(spectrum))
    with pytest.warns(UserWarning, match="amplitude_to_db was called on complex input"):
        reference = librosa.amplitude_to_db(spectrum)
    np.testing.assert_allclose(ours, reference, atol=1e-3)


@pytest.mark.parametrize("ref", [1.0, "max"])
@pytest.mark.parametrize("shape", [(2, 0, 16), (0, 20, 16), (2, 20, 0)])
def test_empty_spectra_give_empty_decibels(ref, shape):
    empty = np.zeros(shape, np.float32)
    assert to_numpy(af.power_to_db(empty, ref=ref)).shape == shape
    assert to_numpy(af.amplitude_to_db(empty, ref=ref, top_db=None)).shape == shape


def test_a_huge_amplitude_reference_is_computed_in_the_log_domain():
    # librosa squares `ref` (1e400 overflows); 20 log10(ref) is exact.
    ours = to_numpy(af.amplitude_to_db(np.sqrt(POWER), ref=1e200, top_db=None))
    expected = to_numpy(af.amplitude_to_db(np.sqrt(POWER), ref=1.0, top_db=None)) - 4000.0
    np.testing.assert_allclose(ours, expected, rtol=1e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: af.power_to_db(POWER, amin=1e39),
            r"`amin` must be between 1.18e-38 and 3.4e\+38. Received: amin=1e\+39",
        ),
        (lambda: af.power_to_db(POWER, amin=1e-45), r"`amin` must be between 1.18e-38 and 3.4e\+38"),
        (lambda: af.amplitude_to_db(POWER, amin=1e20), r"`amin` must be between 1.08e-19 and 1.84e\+19"),
        (lambda: af.power_to_db(POWER, ref=float("nan")), r"`ref` must be a positive number or \"max\""),
        (
            lambda: af.power_to_db(POWER, ref=np.array([1.0, 2.0])),
            r"`ref` must be a positive number or \"max\"",
        ),
        (lambda: af.power_to_db(POWER, top_db=float("inf")), r"`top_db` must be a finite number or None"),
        (
            lambda: af.db_to_power(POWER, ref=float("inf")),
            r"`ref` must be a finite number. Received: ref=inf.",
        ),
    ],
)
def test_db_arguments_out_of_float32_range_are_parameter_errors(call, message):
    with pytest.raises(ParameterError, match=message):
        call()


def test_numpy_scalar_db_arguments_are_their_python_values():
    from fractions import Fraction

    expected = to_numpy(af.power_to_db(POWER, ref=2.0, amin=1e-8, top_db=60.0))
    ours = af.power_to_db(POWER, ref=np.float32(2.0), amin=np.float64(1e-8), top_db=np.int64(60))
    np.testing.assert_allclose(to_numpy(ours), expected, atol=1e-5)
    np.testing.assert_allclose(
        to_numpy(af.power_to_db(POWER, ref=Fraction(2), amin=1e-8, top_db=60)), expected
    )
    np.testing.assert_allclose(
        to_numpy(af.power_to_db(POWER, ref=np.str_("max"))), to_numpy(af.power_to_db(POWER, ref="max"))
    )
