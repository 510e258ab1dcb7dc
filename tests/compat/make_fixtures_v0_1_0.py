"""Writes the 0.1.0 compatibility fixtures: run once with audioflow 0.1.0 (kept for the record).

Each layer (and the CLI's classifier) is saved as a small ``.keras`` file together with its input
and its output under 0.1.0, so later versions can be held to loading them with identical outputs::

    KERAS_BACKEND=tensorflow python tests/compat/make_fixtures_v0_1_0.py
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

import audioflow
from audioflow import layers
from audioflow.models import build_classifier

OUT = Path(__file__).resolve().parent / "fixtures"
SAMPLE_RATE = 8000


def waveform(seed=0, samples=2001, channels=None):
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / SAMPLE_RATE
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(samples)
    x = np.stack([x, 0.5 * x[::-1]], axis=-1) if channels else x
    return x[None].astype("float32")


def cases():
    mel = dict(sample_rate=SAMPLE_RATE, n_fft=256, hop_length=64, n_mels=16)
    yield "stft", layers.STFT(n_fft=256, hop_length=64), waveform()
    yield (
        "spectrogram_magnitude",
        layers.Spectrogram(n_fft=256, hop_length=64, power=1.0, window="hamming"),
        waveform(),
    )
    yield (
        "melspectrogram_htk",
        layers.MelSpectrogram(htk=True, norm=None, f_min=50.0, f_max=3000.0, **mel),
        waveform(),
    )
    yield "logmel_stereo", layers.LogMelSpectrogram(top_db=60.0, ref="max", **mel), waveform(channels=2)
    yield (
        "logmel_reflect_kaiser",
        layers.LogMelSpectrogram(pad_mode="reflect", window=("kaiser", 8.0), win_length=200, **mel),
        waveform(),
    )
    yield "mfcc", layers.MFCC(n_mfcc=8, lifter=22.0, **mel), waveform()
    stft = layers.STFT(n_fft=256, hop_length=64)(waveform())
    yield (
        "inverse_stft",
        layers.InverseSTFT(n_fft=256, hop_length=64, length=2001),
        keras.ops.convert_to_numpy(stft),
    )
    power = np.abs(np.random.default_rng(1).standard_normal((1, 20, 16))).astype("float32") ** 2
    yield "power_to_db", layers.PowerToDb(top_db=50.0), power
    yield "amplitude_to_db", layers.AmplitudeToDb(ref="max"), np.sqrt(power)
    yield "delta", layers.Delta(width=5, order=2), power


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    for name, layer, x in cases():
        inputs = keras.Input(x.shape[1:])
        model = keras.Model(inputs, layer(inputs))
        model.save(OUT / f"{name}.keras")
        np.savez(OUT / f"{name}.npz", x=x, y=keras.ops.convert_to_numpy(model(x)))
    model = build_classifier(
        ["left", "right", "up"], sample_rate=SAMPLE_RATE, duration=0.25, n_fft=256, n_mels=16, width=4
    )
    x = np.concatenate([waveform(seed, samples=2000) for seed in range(3)])
    model.save(OUT / "classifier.keras")
    np.savez(OUT / "classifier.npz", x=x, y=keras.ops.convert_to_numpy(model(x)))
    print(f"audioflow {audioflow.__version__}, backend {keras.backend.backend()}: fixtures in {OUT}")


if __name__ == "__main__":
    main()
