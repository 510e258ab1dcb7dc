"""CQT speed on CPU: audioflow's ``CQT`` (PyTorch backend) against nnAudio's CQT and librosa.cqt.

Run: ``PYTHONPATH=src KERAS_BACKEND=torch python benchmarks/bench_cqt.py [--rounds 7] [--seconds 10]``.
All three contenders share one process and are timed in interleaved rounds (the order rotates
each round), so load on a shared machine falls on all of them alike; the medians and their
ratios to audioflow are printed with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import librosa
import numpy as np
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")

from audioflow import layers  # noqa: E402


def contenders(batch: np.ndarray):
    from nnAudio.features import CQT as NnAudioCQT

    ours = layers.CQT()
    theirs = NnAudioCQT(sr=22050, hop_length=512, n_bins=84, pad_mode="constant", verbose=False)
    tensor = torch.from_numpy(batch)

    def audioflow_cqt():
        with torch.no_grad():
            ours(tensor)

    def nnaudio_cqt():
        with torch.no_grad():
            theirs(tensor)

    def librosa_cqt():
        librosa.cqt(batch, sr=22050, tuning=0.0)

    return {
        "audioflow CQT (torch)": audioflow_cqt,
        "nnAudio CQT (torch)": nnaudio_cqt,
        "librosa.cqt": librosa_cqt,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch", type=int, default=4)
    options = parser.parse_args()
    rng = np.random.default_rng(0)
    batch = (0.1 * rng.standard_normal((options.batch, int(options.seconds * 22050)))).astype(np.float32)
    runs = contenders(batch)
    for run in runs.values():
        run()  # warm-up: kernels built, caches filled
    times = {name: [] for name in runs}
    names = list(runs)
    for r in range(options.rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            start = time.perf_counter()
            runs[name]()
            times[name].append(time.perf_counter() - start)
    print(
        f"batch {options.batch} x {options.seconds:g} s at 22.05 kHz, {options.rounds} rounds, load {os.getloadavg()}"
    )
    reference = statistics.median(times["audioflow CQT (torch)"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:24s} median {1000 * median:9.1f} ms   x{median / reference:5.2f} of audioflow")


if __name__ == "__main__":
    main()
