"""Batched Kaldi fbank and Whisper log-mel against the per-utterance references, in this backend's modes.

Contenders, timed in interleaved rounds (the order rotates each round; the median is reported):

- ``KaldiFbank(num_mel_bins=80)`` on 32 x 10 s of int16-scale 16 kHz audio, against
  ``torchaudio.compliance.kaldi.fbank`` called per utterance (the only way it can be called) and
  kaldi-native-fbank per utterance;
- ``WhisperLogMel(n_mels=80)`` on 8 x 30 s, against openai-whisper's ``log_mel_spectrogram`` per
  clip and transformers' ``WhisperFeatureExtractor`` on the batch (its torch path);
- the FFT alone (``keras.ops.rfft`` of the same frames) in the same mode: the floor.

Modes of the current Keras backend: TensorFlow ``tf.function`` with and without XLA, JAX
``jax.jit``, PyTorch eager and ``torch.compile``. Run once per backend:

    KERAS_BACKEND=tensorflow python benchmarks/bench_frontends.py --repeats 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import keras
import numpy as np

import audioflow.layers as L

BACKEND = keras.backend.backend()


def compiled_modes(fn):
    """``{mode: callable}`` for this backend."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        return {"tf.function": tf.function(fn), "tf.function XLA": tf.function(fn, jit_compile=True)}
    if BACKEND == "jax":
        import jax

        return {"jax.jit": jax.jit(fn)}
    import torch

    return {"torch eager": fn, "torch.compile": torch.compile(fn)}


def to_tensor(x):
    return keras.ops.convert_to_tensor(x)


def block(y):
    return keras.ops.convert_to_numpy(y)


def contenders(batch_kaldi, batch_whisper):
    kaldi_x, whisper_x = to_tensor(batch_kaldi), to_tensor(batch_whisper)
    fbank, log_mel = L.KaldiFbank(num_mel_bins=80), L.WhisperLogMel(n_mels=80)
    frames = 1 + (batch_kaldi.shape[1] - 400) // 160
    fft_input = to_tensor(
        np.random.default_rng(0).standard_normal((len(batch_kaldi), frames, 512)).astype("float32")
    )
    whisper_frames = to_tensor(
        np.random.default_rng(0)
        .standard_normal((len(batch_whisper), batch_whisper.shape[1] // 160 + 1, 400))
        .astype("float32")
    )
    rows = {}
    for mode, run in compiled_modes(lambda x: fbank(x)).items():
        rows[f"KaldiFbank 32x10s [{mode}]"] = lambda run=run: block(run(kaldi_x))
    for mode, run in compiled_modes(lambda f: keras.ops.rfft(f)[0]).items():
        rows[f"FFT only 32x10s (512-point) [{mode}]"] = lambda run=run: block(run(fft_input))
    for mode, run in compiled_modes(lambda x: log_mel(x)).items():
        rows[f"WhisperLogMel 8x30s [{mode}]"] = lambda run=run: block(run(whisper_x))
    for mode, run in compiled_modes(lambda f: keras.ops.rfft(f, fft_length=400)[0]).items():
        rows[f"FFT only 8x30s (400-point) [{mode}]"] = lambda run=run: block(run(whisper_frames))
    rows.update(peers(batch_kaldi, batch_whisper))
    return rows


def peers(batch_kaldi, batch_whisper):
    import torch
    import torchaudio.compliance.kaldi as kaldi

    rows = {
        "torchaudio fbank per utterance": lambda: [
            kaldi.fbank(torch.from_numpy(row[None]), num_mel_bins=80) for row in batch_kaldi
        ]
    }
    try:
        import kaldi_native_fbank as knf

        options = knf.FbankOptions()
        options.frame_opts.dither = 0.0
        options.mel_opts.num_bins = 80

        def native():
            for row in batch_kaldi:
                online = knf.OnlineFbank(options)
                online.accept_waveform(16000, row)
                online.input_finished()
                np.stack([online.get_frame(i) for i in range(online.num_frames_ready)])

        rows["kaldi-native-fbank per utterance"] = native
    except ImportError:
        pass
    import transformers
    import whisper

    extractor = transformers.WhisperFeatureExtractor()
    rows["openai-whisper per clip"] = lambda: [
        whisper.log_mel_spectrogram(torch.from_numpy(c)) for c in batch_whisper
    ]
    rows["transformers WhisperFeatureExtractor (batch)"] = lambda: extractor(
        list(batch_whisper), sampling_rate=16000, return_tensors="np"
    )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    batch_kaldi = np.round(rng.standard_normal((32, 160000)) * 3000).astype("float32")
    batch_whisper = (0.1 * rng.standard_normal((8, 480000))).astype("float32")
    rows = contenders(batch_kaldi, batch_whisper)
    names = list(rows)
    for name in names:  # warm-up (and compilation), excluded
        rows[name]()
    times = {name: [] for name in names}
    for r in range(args.repeats):
        order = names[r % len(names) :] + names[: r % len(names)]
        for name in order:
            start = time.perf_counter()
            rows[name]()
            times[name].append(time.perf_counter() - start)
    print(
        f"backend {BACKEND}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}, median of {args.repeats}"
    )
    print("| contender | ms |")
    print("|---|---:|")
    for name in names:
        print(f"| {name} | {1000 * statistics.median(times[name]):.0f} |")


if __name__ == "__main__":
    main()
