"""Kaldi features (audioflow.ops.kaldi_*) against torchaudio.compliance.kaldi, option by option.

``kaldi_fbank(x, **options)[b]`` must equal ``torchaudio.compliance.kaldi.fbank(x[b:b+1], **options)``
(computed in float64) to 1e-4 of its norm, on speech-like, int16-scale and real recordings
(resampled to 16 kHz), for every option torchaudio offers; kaldi-native-fbank is a second reference.
"""

from __future__ import annotations

import keras
import numpy as np
import pytest

from audioflow import ops as af
from tests.helpers import real_recordings, to_numpy
from tests.kaldi_reference import assert_matches_torchaudio, reference
from tests.tolerances import KALDI_RTOL, relative_error

torch = pytest.importorskip("torch")
kaldi = pytest.importorskip("torchaudio.compliance.kaldi")

SAMPLES = 4801  # 0.3 s at 16 kHz, not a multiple of the 160-sample shift


@pytest.fixture(scope="module")
def waveforms() -> dict[str, np.ndarray]:
    """Batches of three 16 kHz waveforms: unit scale, int16 scale, and real recordings when present."""
    rng = np.random.default_rng(0)
    t = np.arange(SAMPLES) / 16000
    tones = sum(np.sin(2 * np.pi * k * 180 * t) / k for k in range(1, 6))
    unit = np.stack([0.3 * tones, 0.1 * rng.standard_normal(SAMPLES), 0.5 * np.sin(2 * np.pi * 3000 * t**2)])
    batches = {"unit": unit.astype(np.float32), "int16": np.round(unit * 2**15).astype(np.float32)}
    recordings = real_recordings()
    if recordings:
        from audioflow.io import load

        # Speech, music and birdsong: three kinds of recording.
        picks = [recordings[i] for i in (1, 0, 4)] if len(recordings) > 4 else recordings[:3]
        clips = [load(path, sample_rate=16000, duration=1.0)[0] for path in picks]
        starts = [len(clip) // 3 for clip in clips]
        batches["real"] = np.stack([c[s : s + SAMPLES] for c, s in zip(clips, starts, strict=True)]).astype(
            np.float32
        )
    return batches


def ours(name: str, x: np.ndarray, **options) -> np.ndarray:
    return to_numpy(getattr(af, f"kaldi_{name}")(x, **options))


FRAMING = [
    {},
    {"snip_edges": False},
    {"window_type": "hanning"},
    {"window_type": "hamming"},
    {"window_type": "rectangular"},
    {"window_type": "blackman"},
    {"window_type": "blackman", "blackman_coeff": 0.3},
    {"round_to_power_of_two": False},
    {"preemphasis_coefficient": 0.0},
    {"preemphasis_coefficient": 1.0},
    {"remove_dc_offset": False},
    {"raw_energy": False},
    {"energy_floor": 0.0},
    {"energy_floor": 50.0},
    {"subtract_mean": True},
    {"subtract_mean": True, "snip_edges": False},
    {"frame_length": 32.0, "frame_shift": 12.5},
    {"frame_length": 20.0, "frame_shift": 5.0, "snip_edges": False},
    {"sample_frequency": 8000.0},
    {"min_duration": 0.1},
]
MEL = [
    {"num_mel_bins": 80},
    {"num_mel_bins": 128, "window_type": "hanning", "htk_compat": True},
    {"low_freq": 0.0},
    {"low_freq": 300.0, "high_freq": 6000.0},
    {"high_freq": -400.0},
    {"use_energy": True},
    {"use_energy": True, "htk_compat": True},
    {"use_energy": True, "raw_energy": False, "energy_floor": 0.0},
    {"vtln_warp": 0.9},
    {"vtln_warp": 1.15, "vtln_low": 200.0, "vtln_high": 6500.0},
    {"vtln_warp": 1.05, "vtln_high": -1000.0, "num_mel_bins": 40},
]
FBANK_ONLY = [{"use_log_fbank": False}, {"use_power": False}, {"use_power": False, "use_log_fbank": False}]
MFCC_ONLY = [
    {"num_ceps": 23},
    {"num_ceps": 1},
    {"cepstral_lifter": 0.0},
    {"cepstral_lifter": 10.0, "num_ceps": 20, "num_mel_bins": 40},
    {"htk_compat": True},
    {"use_energy": True, "htk_compat": True, "num_mel_bins": 30},
]
CASES = (
    [("spectrogram", options) for options in FRAMING]
    + [("fbank", options) for options in FRAMING + MEL + FBANK_ONLY]
    + [("mfcc", options) for options in FRAMING + MEL + MFCC_ONLY]
)


@pytest.mark.parametrize(("name", "options"), CASES, ids=[f"{name}-{options}" for name, options in CASES])
def test_every_option_matches_torchaudio(waveforms, name, options):
    # Every scale (unit, int16, real recordings) for the filterbank; int16 for the others (CI time).
    for x in waveforms.values() if name == "fbank" else [waveforms["int16"]]:
        assert_matches_torchaudio(ours(name, x, **options), name, x, **options)


def _random_options(seed: int, name: str) -> dict:
    """A random combination of every option (a valid one), for the combined grid."""
    rng = np.random.default_rng(seed)
    options = {
        "window_type": str(rng.choice(["povey", "hanning", "hamming", "rectangular", "blackman"])),
        "snip_edges": bool(rng.integers(2)),
        "round_to_power_of_two": bool(rng.integers(2)),
        "preemphasis_coefficient": float(rng.choice([0.0, 0.5, 0.97])),
        "remove_dc_offset": bool(rng.integers(2)),
        "raw_energy": bool(rng.integers(2)),
        "energy_floor": float(rng.choice([0.0, 1.0, 10.0])),
        "subtract_mean": bool(rng.integers(2)),
        "frame_length": float(rng.choice([25.0, 30.0])),
        "frame_shift": float(rng.choice([10.0, 7.5])),
    }
    if name == "spectrogram":
        return options
    options.update(
        num_mel_bins=int(rng.choice([23, 40])),
        low_freq=float(rng.choice([0.0, 20.0, 60.0])),
        high_freq=float(rng.choice([0.0, -200.0, 7600.0])),
        use_energy=bool(rng.integers(2)),
        htk_compat=bool(rng.integers(2)),
        vtln_warp=float(rng.choice([1.0, 0.92, 1.08])),
    )
    if name == "mfcc":
        options.update(num_ceps=int(rng.choice([13, 20])), cepstral_lifter=float(rng.choice([0.0, 22.0])))
    else:
        options.update(use_log_fbank=bool(rng.integers(2)), use_power=bool(rng.integers(2)))
    return options


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("name", ["spectrogram", "fbank", "mfcc"])
def test_random_combinations_of_options_match_torchaudio(waveforms, name, seed):
    options = _random_options(seed, name)
    x = waveforms["int16"]
    assert_matches_torchaudio(ours(name, x, **options), name, x, **options)


def test_dither_draws_per_example_noise_from_the_seed(waveforms, monkeypatch):
    """With the same noise, dither equals torchaudio's; the seed reproduces it; each example differs."""
    x = np.repeat(waveforms["unit"][:1], 2, axis=0)
    frames = 1 + (SAMPLES - 400) // 160
    noise = to_numpy(keras.random.normal((2, frames, 400), dtype="float32", seed=7))
    draws = iter(noise)
    monkeypatch.setattr(
        kaldi.torch, "randn", lambda *a, **k: torch.from_numpy(next(draws).astype(np.float64))
    )
    expected = reference("fbank", x, dither=0.5)
    monkeypatch.undo()
    actual = ours("fbank", x, dither=0.5, seed=7)
    assert relative_error(actual, expected) <= KALDI_RTOL
    np.testing.assert_array_equal(actual, ours("fbank", x, dither=0.5, seed=7))
    assert relative_error(actual[0], actual[1]) > 1e-3


@pytest.mark.parametrize("snip_edges", [True, False])
@pytest.mark.parametrize("name", ["spectrogram", "fbank", "mfcc"])
def test_lengths_give_each_example_its_own_frames_and_mean(waveforms, name, snip_edges):
    x = waveforms["int16"]
    lengths = np.array([SAMPLES, 3000, 401])
    options = dict(snip_edges=snip_edges, subtract_mean=True)
    actual = to_numpy(getattr(af, f"kaldi_{name}")(x, lengths=lengths, **options))
    for b, length in enumerate(lengths):
        own = x[b : b + 1, :length]
        count = len(reference(name, own, **options)[0])
        assert_matches_torchaudio(actual[b : b + 1, :count], name, own, **options)
        np.testing.assert_array_equal(actual[b, count:], 0.0)


@pytest.mark.parametrize("name", ["spectrogram", "fbank", "mfcc"])
def test_input_shorter_than_a_frame_gives_zero_frames(name):
    bins = {"spectrogram": 257, "fbank": 23, "mfcc": 13}[name]
    assert ours(name, np.ones((2, 399), "float32")).shape == (2, 0, bins)
    assert ours(name, np.ones((2, 5000), "float32"), min_duration=1.0).shape == (2, 0, bins)
    # snip_edges=False reflects as often as needed (Kaldi's loop): 2 frames of 250 samples, finite.
    short = ours(name, np.random.default_rng(0).standard_normal((2, 250)).astype("float32"), snip_edges=False)
    assert short.shape == (2, 2, bins) and np.isfinite(short).all()


def test_default_fbank_matches_kaldi_native_fbank(waveforms):
    knf = pytest.importorskip("kaldi_native_fbank")
    x = waveforms["int16"]
    options = knf.FbankOptions()
    options.frame_opts.dither = 0.0
    expected = []
    for row in x:
        online = knf.OnlineFbank(options)
        online.accept_waveform(16000, row.tolist())
        online.input_finished()
        expected.append(np.stack([online.get_frame(i) for i in range(online.num_frames_ready)]))
    assert relative_error(ours("fbank", x), np.stack(expected)) <= KALDI_RTOL


def test_batch_items_equal_single_calls(waveforms):
    x = waveforms["unit"]
    batched = ours("fbank", x, num_mel_bins=40, snip_edges=False)
    for b in range(len(x)):
        np.testing.assert_allclose(
            batched[b],
            ours("fbank", x[b : b + 1], num_mel_bins=40, snip_edges=False)[0],
            rtol=1e-5,
            atol=1e-5,
        )
