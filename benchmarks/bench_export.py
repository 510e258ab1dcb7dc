"""Exported artefacts against the Keras model: size on disk and latency at batch 1 and 8.

For the current Keras backend (``KERAS_BACKEND``) and each format it produces (onnx once
``audioflow.export._onnx`` exists), a LogMelSpectrogram model and ``audioflow train``'s classifier,
both on 1 s of 16 kHz audio, are exported with :func:`audioflow.export.export_model` and run with
:func:`audioflow.export.load_exported` (SavedModel: ``tf.saved_model.load``; TFLite: the LiteRT /
``tf.lite`` interpreter with its default XNNPack delegate; ONNX: onnxruntime, CPU). The Keras model
is timed with ``predict_on_batch`` and with a direct call. Contenders run in interleaved rounds
(the order rotates each round) so load on a shared machine falls on all alike; the median is shown.

    KERAS_BACKEND=tensorflow python benchmarks/bench_export.py --repeats 30
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import tempfile
import time
from pathlib import Path

import keras
import numpy as np

import audioflow.layers as L
from audioflow.export import export_model, formats_for_backend, load_exported
from audioflow.models import build_classifier

SAMPLE_RATE = 16000
SUFFIX = {"saved_model": "", "tflite": ".tflite", "onnx": ".onnx"}


def models():
    inputs = keras.Input((SAMPLE_RATE,))
    logmel = L.LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=512, hop_length=160, n_mels=64)
    yield "LogMelSpectrogram (n_fft 512, hop 160, 64 mels)", keras.Model(inputs, logmel(inputs))
    names = [f"class{i}" for i in range(10)]
    yield (
        "classifier (audioflow train defaults, 10 classes)",
        build_classifier(names, sample_rate=SAMPLE_RATE, seed=0),
    )


def size_of(path: Path) -> int:
    return (
        sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
        if path.is_dir()
        else path.stat().st_size
    )


def formats():
    available = []
    for format in formats_for_backend():
        if format == "onnx" and importlib.util.find_spec("audioflow.export._onnx") is None:
            print("onnx: not measured (audioflow.export._onnx has not landed on this branch)")
            continue
        available.append(format)
    return available


def measure(name, model, folder, repeats):
    x = {
        b: np.random.default_rng(b).standard_normal((b, SAMPLE_RATE)).astype(np.float32) * 0.1 for b in (1, 8)
    }
    contenders = {"keras predict_on_batch": model.predict_on_batch, "keras direct call": model}
    rows = {}
    for format in formats():
        start = time.perf_counter()
        path = export_model(model, Path(folder) / f"{abs(hash(name))}{SUFFIX[format]}", format)
        rows[format] = {"export_s": time.perf_counter() - start, "size": size_of(path)}
        contenders[format] = load_exported(path, format)
        for b in (1, 8):  # outputs equal the Keras model's (the tests check the tolerances)
            error = np.abs(
                np.asarray(contenders[format](x[b])) - np.asarray(model.predict_on_batch(x[b]))
            ).max()
            rows[format][f"max_abs_diff_b{b}"] = float(error)
    times = {(c, b): [] for c in contenders for b in (1, 8)}
    for run in contenders.values():  # warm-up: compile, allocate, resize
        for b in (1, 8):
            run(x[b])
            run(x[b])
    keys = list(times)
    for r in range(repeats):
        for c, b in keys[r % len(keys) :] + keys[: r % len(keys)]:
            start = time.perf_counter()
            keras.ops.convert_to_numpy(contenders[c](x[b]))
            times[c, b].append(time.perf_counter() - start)
    print(f"\n{name}, backend {keras.backend.backend()}, {repeats} interleaved rounds (median ms)")
    print(
        "| contender | size on disk | export s | batch 1 ms | batch 8 ms | max abs diff vs Keras (b1 / b8) |"
    )
    print("|---|---|---|---|---|---|")
    for c in contenders:
        b1, b8 = (statistics.median(times[c, b]) * 1e3 for b in (1, 8))
        if c in rows:
            row = rows[c]
            extra = f"{row['size'] / 1e6:.2f} MB | {row['export_s']:.1f} | {b1:.2f} | {b8:.2f} | "
            extra += f"{row['max_abs_diff_b1']:.1e} / {row['max_abs_diff_b8']:.1e} |"
        else:
            extra = f"- | - | {b1:.2f} | {b8:.2f} | - |"
        print(f"| {c} | {extra}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="interleaved timed rounds (default 30)")
    args = parser.parse_args()
    print(f"KERAS_BACKEND={keras.backend.backend()}, load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for name, model in models():
            measure(name, model, folder, args.repeats)


if __name__ == "__main__":
    main()
