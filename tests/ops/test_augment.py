"""Augmentation ops: statistics of the random draws, their bounds, and their exact effect."""

import keras
import numpy as np
import pytest

from audioflow import ParameterError, layers
from audioflow import ops as af
from tests.helpers import to_numpy


def _ones(batch, frames, bins, channels=None):
    shape = (batch, frames, bins) + (() if channels is None else (channels,))
    return np.ones(shape, np.float32)


def _bands(masked_axis):
    """Lengths of the runs of True along the last axis, per row."""
    runs = []
    for row in masked_axis.reshape(-1, masked_axis.shape[-1]):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
        runs.append(edges[1::2] - edges[::2])
    return runs


def test_frequency_masks_have_the_expected_widths_and_fraction():
    x = _ones(3000, 12, 40)
    out = to_numpy(
        af.spec_augment(x, freq_mask_param=10, n_freq_masks=1, n_time_masks=0, mask_value="zero", seed=0)
    )
    masked_bins = out[:, 0, :] == 0
    # A frequency mask covers whole columns: every frame of a masked bin is masked.
    np.testing.assert_array_equal(np.all(out == 0, axis=1), masked_bins)
    widths = masked_bins.sum(axis=1)
    assert widths.max() == 10 and widths.min() == 0
    assert all(len(runs) <= 1 for runs in _bands(masked_bins))
    # w ~ U{0..10}: mean width 5, i.e. 12.5% of 40 bins (standard error 0.002 over 3000 draws).
    assert masked_bins.mean() == pytest.approx(5 / 40, abs=0.01)
    # Every width value is drawn about equally often.
    counts = np.bincount(widths, minlength=11)
    assert counts.min() > 0.6 * len(widths) / 11
    # Starts are uniform where the band fits: every bin is sometimes masked.
    assert masked_bins.any(axis=0).all()


def test_time_masks_respect_the_count_and_the_ratio_cap():
    x = _ones(2000, 30, 8)
    out = to_numpy(
        af.spec_augment(
            x,
            n_freq_masks=0,
            time_mask_param=20,
            n_time_masks=2,
            time_mask_max_ratio=0.2,
            mask_value="zero",
            seed=1,
        )
    )
    masked = out[:, :, 0] == 0
    np.testing.assert_array_equal(np.all(out == 0, axis=2), masked)
    # p = 0.2 caps each mask at 6 of 30 frames; two masks cover at most 12.
    assert all(len(runs) <= 2 and all(r <= 12 for r in runs) for runs in _bands(masked))
    assert masked.sum(axis=1).max() <= 12
    # Each mask ~ U{0..6} frames (mean 3); two overlap sometimes: between 5 and 6 frames on average.
    assert 5.0 / 30 < masked.mean() < 6.0 / 30


def test_masks_wider_than_the_axis_are_clipped_and_cover_it_sometimes():
    out = to_numpy(
        af.spec_augment(
            _ones(500, 4, 6), freq_mask_param=50, n_freq_masks=1, n_time_masks=0, mask_value="zero", seed=2
        )
    )
    widths = (out[:, 0, :] == 0).sum(axis=1)
    assert widths.max() == 6 and widths.min() == 0


def test_masks_differ_per_example_and_channel_and_mean_fill_uses_each_own_mean():
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((8, 20, 16, 2)) + np.arange(2) * 10).astype(np.float32)
    out = to_numpy(af.spec_augment(x, freq_mask_param=8, time_mask_param=8, seed=3))
    changed = out != x
    patterns = {changed[b, :, :, c].tobytes() for b in range(8) for c in range(2)}
    assert len(patterns) == 16
    for b in range(8):
        for c in range(2):
            fill = out[b, :, :, c][changed[b, :, :, c]]
            np.testing.assert_allclose(fill, x[b, :, :, c].mean(), rtol=1e-5)


def test_time_warp_is_a_monotone_warp_within_w_that_fixes_the_ends():
    frames, warp = 50, 6
    ramp = np.tile(np.arange(frames, dtype=np.float32)[None, :, None], (400, 1, 3))
    out = to_numpy(af.time_warp(ramp, max_warp=warp, seed=4))
    np.testing.assert_allclose(out[:, 0], 0.0, atol=1e-5)
    np.testing.assert_allclose(out[:, -1], frames - 1, atol=1e-4)
    assert np.all(np.diff(out[:, :, 0], axis=1) >= -1e-4)
    displacement = out[:, :, 0] - np.arange(frames)
    assert np.abs(displacement).max() <= warp + 1e-4
    # The warp is large sometimes (a uniform shift in [-6, 6] frames) and the same for every bin.
    assert np.abs(displacement).max(axis=1).mean() > 1.5
    np.testing.assert_array_equal(out[:, :, 0], out[:, :, 2])
    # Too short to warp (frames <= 2 W + 1): unchanged.
    for short in (1, 2, 3, 13):
        np.testing.assert_array_equal(
            to_numpy(af.time_warp(ramp[:, :short], max_warp=warp, seed=4)), ramp[:, :short]
        )


def test_time_warp_keeps_channels_aligned():
    x = np.random.default_rng(1).standard_normal((4, 40, 5)).astype(np.float32)
    stereo = np.stack([x, x], axis=-1)
    out = to_numpy(af.time_warp(stereo, max_warp=5, seed=5))
    np.testing.assert_array_equal(out[..., 0], out[..., 1])


def test_random_gain_is_one_gain_per_example_within_the_range():
    x = np.random.default_rng(2).standard_normal((2000, 64, 2)).astype(np.float32) + 3.0
    out = to_numpy(af.random_gain(x, gain_db=(-12.0, 3.0), seed=6))
    ratio = out / x
    gain_db = 20 * np.log10(ratio[:, 0, 0])
    np.testing.assert_allclose(ratio, ratio[:, :1, :1] * np.ones_like(ratio), rtol=1e-5)
    assert gain_db.min() >= -12.0 - 1e-4 and gain_db.max() <= 3.0 + 1e-4
    assert gain_db.min() < -11.5 and gain_db.max() > 2.5
    assert gain_db.mean() == pytest.approx(-4.5, abs=0.3)


@pytest.mark.parametrize("color", ["white", "pink"])
def test_added_noise_meets_an_snr_in_range_against_each_examples_power(color):
    rng = np.random.default_rng(3)
    x = (rng.standard_normal((500, 4000)) * rng.uniform(0.01, 2.0, (500, 1))).astype(np.float32)
    out = to_numpy(af.add_noise(x, snr_db=(0.0, 20.0), color=color, seed=7))
    noise = out - x
    snr = 10 * np.log10(np.mean(x**2, axis=1) / np.mean(noise**2, axis=1))
    assert snr.min() >= -1e-3 and snr.max() <= 20.0 + 1e-3
    assert snr.min() < 1.0 and snr.max() > 19.0 and snr.mean() == pytest.approx(10.0, abs=1.0)


SHORT_LENGTHS = [1, 2, 3, 4, 5, 8, 17, 257]


@pytest.mark.parametrize("color", ["white", "pink"])
def test_added_noise_meets_the_snr_at_every_length(color):
    # Issue 16 (9): pink noise of one sample had only a DC bin, left at zero: no noise (~290 dB SNR).
    rng = np.random.default_rng(11)
    for samples in SHORT_LENGTHS:
        for shape in [(8, samples), (4, samples, 2)]:
            x = (rng.standard_normal(shape) + 0.5).astype(np.float32)
            noise = to_numpy(af.add_noise(x, snr_db=(10.0, 10.0), color=color, seed=samples)) - x
            axes = tuple(range(1, len(shape)))
            snr = 10 * np.log10(np.mean(x**2, axis=axes) / np.mean(noise**2, axis=axes))
            np.testing.assert_allclose(snr, 10.0, atol=1e-3, err_msg=f"{samples} samples, shape {shape}")
            if color == "pink":  # normalised per example and channel (white noise is drawn as is)
                unit = to_numpy(af.colored_noise(shape, color=color, seed=samples))
                np.testing.assert_allclose(np.mean(unit**2, axis=1), 1.0, rtol=1e-4)


def test_noise_layer_adds_noise_to_a_one_sample_input():
    x = np.full((3, 1), 0.5, np.float32)
    noisy = to_numpy(layers.AddNoise(snr_db=(10.0, 10.0), color="pink", seed=0)(x, training=True))
    np.testing.assert_allclose(10 * np.log10(0.25 / (noisy - x)[:, 0] ** 2), 10.0, atol=1e-3)


def test_noise_colour_shapes_the_spectrum():
    def band_powers(color):
        noise = to_numpy(af.colored_noise((64, 8192), color=color, seed=8))
        power = np.mean(np.abs(np.fft.rfft(noise, axis=-1)) ** 2, axis=0)
        return np.array([power[2**k : 2 ** (k + 1)].mean() for k in range(4, 12)]), noise

    white, white_noise = band_powers("white")
    pink, pink_noise = band_powers("pink")
    for noise in (white_noise, pink_noise):
        np.testing.assert_allclose(np.mean(noise**2, axis=-1), 1.0, rtol=0.1)
    slope_white = np.polyfit(np.arange(8), 10 * np.log10(white), 1)[0]
    slope_pink = np.polyfit(np.arange(8), 10 * np.log10(pink), 1)[0]
    assert abs(slope_white) < 0.5  # flat
    assert slope_pink == pytest.approx(-3.01, abs=0.3)  # 1/f: -3 dB per octave


def test_noise_on_silence_and_stereo_stays_finite_and_per_channel():
    silent = to_numpy(af.add_noise(np.zeros((2, 100), np.float32), seed=9))
    np.testing.assert_array_equal(silent, 0.0)
    x = np.random.default_rng(4).standard_normal((2, 300, 2)).astype(np.float32)
    noise = to_numpy(af.add_noise(np.repeat(x[..., :1], 2, axis=-1), snr_db=(0.0, 0.0), seed=9)) - x[..., :1]
    assert not np.allclose(noise[..., 0], noise[..., 1])


@pytest.mark.parametrize("mode", ["roll", "zeros"])
def test_time_shift_moves_each_example_by_at_most_max_shift(mode):
    x = np.random.default_rng(5).standard_normal((300, 50, 2)).astype(np.float32)
    out = to_numpy(af.random_time_shift(x, max_shift=7, mode=mode, seed=10))
    shifts = []
    for b in range(300):
        for s in range(-7, 8):
            expected = np.roll(x[b], s, axis=0)
            if mode == "zeros" and s > 0:
                expected[:s] = 0
            elif mode == "zeros" and s < 0:
                expected[s:] = 0
            if np.array_equal(out[b], expected):
                shifts.append(s)
                break
        else:
            raise AssertionError(f"example {b} is not a shift of at most 7 samples")
    assert set(shifts) == set(range(-7, 8))


def test_mixup_mixes_inputs_and_labels_with_the_same_weights():
    batch = 64
    x = np.random.default_rng(6).standard_normal((batch, 30)).astype(np.float32)
    y = np.eye(batch, dtype=np.float32)  # one class per example: y_mixed holds the weights
    x_mixed, y_mixed = (to_numpy(v) for v in af.mixup(x, y, alpha=0.4, seed=11))
    np.testing.assert_allclose(y_mixed.sum(axis=1), 1.0, rtol=1e-6)
    assert y_mixed.min() >= 0.0 and (y_mixed > 0).sum(axis=1).max() <= 2
    np.testing.assert_allclose(x_mixed, y_mixed @ x, rtol=1e-4, atol=1e-5)
    # Beta(0.4, 0.4) is U-shaped: most own-weights near 0 or 1, mean 0.5.
    own = np.diag(y_mixed)
    assert 0.3 < own.mean() < 0.7 and np.mean((own < 0.2) | (own > 0.8)) > 0.4


def test_same_seed_same_draws_and_different_per_example():
    x = np.tile(np.random.default_rng(7).standard_normal((1, 40, 30)).astype(np.float32), (4, 1, 1))
    a = to_numpy(af.spec_augment(x, time_warp_param=3, mask_value="zero", seed=12))
    b = to_numpy(af.spec_augment(x, time_warp_param=3, mask_value="zero", seed=12))
    np.testing.assert_array_equal(a, b)
    assert len({a[i].tobytes() for i in range(4)}) == 4
    generator = keras.random.SeedGenerator(13)
    first = to_numpy(af.random_gain(np.ones((3, 5), np.float32), seed=generator))
    second = to_numpy(af.random_gain(np.ones((3, 5), np.float32), seed=generator))
    assert not np.allclose(first, second)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda: af.spec_augment(_ones(1, 5, 5), freq_mask_param=-1),
            r"`freq_mask_param` must be an integer >= 0",
        ),
        (lambda: af.spec_augment(_ones(1, 5, 5), n_time_masks=1.5), r"`n_time_masks` must be an integer\."),
        (
            lambda: af.spec_augment(_ones(1, 5, 5), time_mask_max_ratio=2.0),
            r"`time_mask_max_ratio` must be <= 1.0",
        ),
        (
            lambda: af.spec_augment(_ones(1, 5, 5), mask_value=0.0),
            r"`mask_value` must be one of 'zero', 'mean'",
        ),
        (
            lambda: af.add_noise(np.ones((1, 9)), snr_db=(20.0, 5.0)),
            r"`snr_db` must be a \(low, high\) pair with low <= high. Received: snr_db=\(20.0, 5.0\).",
        ),
        (lambda: af.add_noise(np.ones((1, 9)), color="blue"), r"`color` must be one of 'white', 'pink'"),
        (lambda: af.random_gain(np.ones((1, 9)), gain_db=3.0), r"`gain_db` must be a \(low, high\) pair"),
        (lambda: af.random_time_shift(np.ones((1, 9)), max_shift=-2), r"`max_shift` must be an integer >= 0"),
        (
            lambda: af.mixup(np.ones((2, 9)), np.eye(2), alpha=0.0),
            r"`alpha` must be > 0.0. Received: alpha=0.0.",
        ),
    ],
)
def test_invalid_arguments_name_the_argument(call, message):
    with pytest.raises(ParameterError, match=message):
        call()
