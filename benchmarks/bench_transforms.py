"""Resample and Griffin-Lim against their peers, interleaved in one PyTorch-backend process; SNR vs soxr HQ.

    KERAS_BACKEND=torch .venv/bin/python benchmarks/bench_transforms.py --rounds 7

Resample: a batch of 10 s clips from 44.1 kHz to 16 kHz with audioflow (eager and compiled with
``jax.jit``-like ``torch.compile`` is not used: eager is what a data pipeline calls), torchaudio's
``functional.resample`` (same filter), soxr HQ and librosa (``soxr_hq``, per clip, on the host).
Griffin-Lim: 32 iterations on a batch of 3 s magnitude spectrograms, audioflow vs torchaudio's
``functional.griffinlim`` (batched) and librosa (per clip). Each round runs every contender once in
a rotated order; the table gives medians and the ratio to audioflow. The quality part prints each
resampling preset's SNR against soxr's HQ output on real recordings (../shared) or noise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402


def _clips(count: int, seconds: float, rate: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    tones = np.sin(2 * np.pi * rng.uniform(100, 4000, (count, 1)) * t)
    return (0.5 * tones + 0.05 * rng.standard_normal(tones.shape)).astype(np.float32)


def _resample_contenders(x):
    import librosa
    import soxr
    import torch
    import torchaudio.functional as F

    from audioflow import layers

    layer = layers.Resample(sample_rate=44100, target_sample_rate=16000)
    tensor = torch.from_numpy(x)
    return {
        "audioflow Resample (torch eager)": lambda: layer(tensor),
        "torchaudio functional.resample": lambda: F.resample(tensor, 44100, 16000),
        "soxr HQ (host, per clip)": lambda: [soxr.resample(c, 44100, 16000, quality="HQ") for c in x],
        "librosa.resample soxr_hq (per clip)": lambda: [
            librosa.resample(c, orig_sr=44100, target_sr=16000) for c in x
        ],
    }


def _griffin_lim_contenders(S):
    import librosa
    import torch
    import torchaudio.functional as F

    from audioflow import layers

    layer = layers.GriffinLim(n_fft=1024, hop_length=256, n_iter=32, seed=0)
    time_major = torch.from_numpy(np.ascontiguousarray(S.transpose(0, 2, 1)))
    freq_major = torch.from_numpy(S)
    window = torch.hann_window(1024)

    def torchaudio_griffin_lim():
        return F.griffinlim(freq_major, window, 1024, 256, 1024, 1.0, 32, 0.99, None, True)

    return {
        "audioflow GriffinLim (torch eager)": lambda: layer(time_major),
        "torchaudio functional.griffinlim": torchaudio_griffin_lim,
        "librosa.griffinlim (per clip)": lambda: [
            librosa.griffinlim(s, n_iter=32, hop_length=256) for s in S
        ],
    }


def _interleaved(contenders, rounds: int) -> dict[str, float]:
    for run in contenders.values():  # warm-up
        run()
    times = {name: [] for name in contenders}
    names = list(contenders)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def _table(title: str, medians: dict[str, float]) -> None:
    ours = next(value for name, value in medians.items() if name.startswith("audioflow"))
    print(f"\n{title}\n| contender | median ms | vs audioflow |\n|---|---:|---:|")
    for name, value in medians.items():
        print(f"| {name} | {value * 1e3:.1f} | {value / ours:.2f}x |")


def _snr_against_soxr():
    import soxr

    from audioflow import ops
    from audioflow.ops.resample import RESAMPLE_PRESETS

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from tests.helpers import real_recordings

    import soundfile as sf

    clips = [
        sf.read(path, frames=5 * 22050, dtype="float32", always_2d=True)[0].mean(axis=1)
        for path in real_recordings()[:6]
    ]
    clips = clips or list(_clips(4, 5.0, 22050))
    print("\nSNR of 22.05 -> 16 kHz against soxr HQ (dB, median over clips, 0.1 s edges excluded)")
    for name, preset in RESAMPLE_PRESETS.items():
        snrs = []
        for clip in clips:
            ours = np.asarray(
                ops.resample(clip[None], sample_rate=22050, target_sample_rate=16000, **preset)
            )[0]
            reference = soxr.resample(clip, 22050, 16000, quality="HQ")[: len(ours)]
            inner = slice(1600, len(reference) - 1600)
            noise = ours[inner] - reference[inner]
            snrs.append(10 * np.log10(np.sum(reference[inner] ** 2) / np.sum(noise**2)))
        print(f"| {name} | {np.median(snrs):.1f} dB |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--clips", type=int, default=8)
    args = parser.parse_args()
    import librosa
    import torch

    print(f"torch threads {torch.get_num_threads()}, load {os.getloadavg()[0]:.1f}")
    x = _clips(args.clips, 10.0, 44100)
    _table(
        f"Resample {args.clips} x 10 s, 44.1 -> 16 kHz", _interleaved(_resample_contenders(x), args.rounds)
    )
    audio = _clips(4, 3.0, 22050, seed=1)
    S = np.abs(np.stack([librosa.stft(clip, n_fft=1024, hop_length=256) for clip in audio])).astype(
        np.float32
    )
    _table(
        "Griffin-Lim 32 iterations, 4 x 3 s, n_fft 1024, hop 256",
        _interleaved(_griffin_lim_contenders(S), args.rounds),
    )
    _snr_against_soxr()


if __name__ == "__main__":
    main()
