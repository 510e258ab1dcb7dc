"""Writes the 0.2.0 compatibility fixtures: run once per backend with audioflow 0.2.0 (kept for the record).

Every kind of layer 0.2.0 has (and the classifier with each front end) is saved as a small
``.keras`` file with its input and its output under 0.2.0, one folder per backend that saved it,
so later versions can be held to loading every one of them with identical outputs on every
backend::

    for backend in tensorflow jax torch; do
        KERAS_BACKEND=$backend python tests/compat/make_fixtures_v0_2_0.py
    done

Random layers are saved in models called with ``training=False`` (the identity), which holds their
configuration to loading; trainable weights (filterbank, PCEN, LEAF) are perturbed before saving, so
loading must restore the saved values, not the initial ones.
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

import audioflow
from audioflow import layers
from audioflow.models import build_classifier

OUT = Path(__file__).resolve().parent / "fixtures_v0_2_0" / keras.backend.backend()
SAMPLE_RATE = 8000
#: The classifier (~450 kB a file) with the default front end from every backend, the others from one each.
CLASSIFIER_FRONTENDS = {"tensorflow": ("logmel",), "jax": ("logmel", "pcen"), "torch": ("logmel", "leaf")}


def waveform(seed=0, samples=1201, channels=None):
    rng = np.random.default_rng(seed)
    t = np.arange(samples) / SAMPLE_RATE
    x = 0.4 * np.sin(2 * np.pi * 440 * t) + 0.1 * rng.standard_normal(samples)
    x = np.stack([x, 0.5 * x[::-1]], axis=-1) if channels else x
    return x[None].astype("float32")


def spectrum(frames=20, bins=16, seed=1):
    return np.abs(np.random.default_rng(seed).standard_normal((1, frames, bins))).astype("float32") ** 2


def cases():
    mel = dict(sample_rate=SAMPLE_RATE, n_fft=256, hop_length=64, n_mels=16)
    yield (
        "stft_reflect_stereo",
        layers.STFT(n_fft=128, hop_length=48, pad_mode="reflect"),
        waveform(channels=2),
    )
    yield "stft_uncentred", layers.STFT(n_fft=200, hop_length=50, center=False, window="hamming"), waveform()
    stft = keras.ops.convert_to_numpy(layers.STFT(n_fft=128, hop_length=32)(waveform()))
    yield "inverse_stft", layers.InverseSTFT(n_fft=128, hop_length=32, length=1201), stft
    yield (
        "spectrogram_tukey",
        layers.Spectrogram(n_fft=256, win_length=200, hop_length=80, window=("tukey", 0.25), power=1.0),
        waveform(),
    )
    yield (
        "mel_scale_htk_trainable",
        layers.MelScale(
            sample_rate=SAMPLE_RATE, n_fft=30, n_mels=6, mel_scale="htk", norm=None, trainable=True
        ),
        spectrum(bins=16),
    )
    yield (
        "melspectrogram_trainable",
        layers.MelSpectrogram(trainable_filterbank=True, f_min=30.0, f_max=3500.0, power=1.5, **mel),
        waveform(),
    )
    yield (
        "logmel_stereo_max",
        layers.LogMelSpectrogram(top_db=60.0, ref="max", amin=1e-8, norm=2.0, **mel),
        waveform(channels=2),
    )
    yield "power_to_db", layers.PowerToDb(top_db=50.0, ref=0.5), spectrum()
    yield "amplitude_to_db", layers.AmplitudeToDb(ref="max", amin=1e-4), np.sqrt(spectrum())
    yield (
        "mfcc_dct3",
        layers.MFCC(n_mfcc=10, dct_type=3, dct_norm=None, lifter=10.0, htk=True, **mel),
        waveform(),
    )
    yield "delta_nearest", layers.Delta(width=5, order=2, mode="nearest"), spectrum()
    yield "delta_interp", layers.Delta(), spectrum()
    yield "pcen", layers.PCEN(sample_rate=SAMPLE_RATE, hop_length=64, max_size=3), spectrum()
    yield (
        "pcen_trainable_first_frame",
        layers.PCEN(sample_rate=SAMPLE_RATE, hop_length=64, initial_state="first_frame", trainable=True),
        spectrum(),
    )
    yield "leaf", layers.Leaf(n_filters=8, sample_rate=SAMPLE_RATE, f_max=3000.0), waveform()
    yield (
        "leaf_stereo_fixed_pcen",
        layers.Leaf(n_filters=6, sample_rate=SAMPLE_RATE, learn_pcen=False),
        waveform(channels=2),
    )
    yield (
        "spec_augment",
        layers.SpecAugment(
            freq_mask_param=3, time_mask_param=4, time_warp_param=2, mask_value="zero", seed=3
        ),
        spectrum(frames=24),
    )
    yield "random_gain", layers.RandomGain(gain_db=(-3.0, 3.0), seed=1), waveform()
    yield "add_noise", layers.AddNoise(snr_db=(10.0, 20.0), color="pink", seed=2), waveform()
    yield (
        "random_time_shift",
        layers.RandomTimeShift(max_shift=0.01, sample_rate=SAMPLE_RATE, mode="zeros"),
        waveform(),
    )


def perturb_trainable_weights(model, rng):
    """Move every trainable weight off its initial value, so loading must restore the saved one."""
    for weight in model.trainable_weights:
        value = keras.ops.convert_to_numpy(weight)
        weight.assign((value * (1 + 0.05 * rng.standard_normal(value.shape))).astype(value.dtype))


def save(name, model, x):
    model.save(OUT / f"{name}.keras")
    y = model(x, training=False) if not isinstance(x, tuple) else model(list(x), training=False)
    y = (
        [keras.ops.convert_to_numpy(t) for t in y]
        if isinstance(y, (list, tuple))
        else keras.ops.convert_to_numpy(y)
    )
    if isinstance(x, tuple):
        np.savez(OUT / f"{name}.npz", x=x[0], labels=x[1], y=y[0], y_labels=y[1])
    else:
        np.savez(OUT / f"{name}.npz", x=x, y=y)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    for name, layer, x in cases():
        inputs = keras.Input(x.shape[1:])
        model = keras.Model(inputs, layer(inputs, training=False))
        perturb_trainable_weights(model, rng)
        save(name, model, x)
    x, labels = waveform(), np.eye(3, dtype="float32")[[1]]
    inputs = [keras.Input(x.shape[1:]), keras.Input(labels.shape[1:])]
    model = keras.Model(inputs, list(layers.Mixup(alpha=0.4, seed=5)(tuple(inputs), training=False)))
    save("mixup", model, (x, labels))
    clips = np.concatenate([waveform(seed, samples=2000) for seed in range(3)])
    for frontend in CLASSIFIER_FRONTENDS[keras.backend.backend()]:
        model = build_classifier(
            ["left", "right", "up"],
            sample_rate=SAMPLE_RATE,
            duration=0.25,
            frontend=frontend,
            n_fft=256,
            n_mels=16,
            size="small",
            seed=0,
        )
        perturb_trainable_weights(model, rng)
        save(f"classifier_{frontend}", model, clips)
    print(f"audioflow {audioflow.__version__}, backend {keras.backend.backend()}: fixtures in {OUT}")


if __name__ == "__main__":
    main()
