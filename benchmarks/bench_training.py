"""Training overhead of in-model front ends: the same small CNN trained with ``fit`` on raw audio vs precomputed features.

Data: the spoken digits of ``../shared/data/fsdd-5spk`` (8 kHz WAV) resampled to 16 kHz with soxr and
cut or zero-padded to 1 s, ``--clips`` of them (10 classes); synthetic tones per class when that
folder is absent. Features: 16 kHz, n_fft 1024, hop 512, 64 mel bands, dB (32 frames per clip).

Model: input -> front end -> (frames, mels, 1) -> 3 x [Conv2D 3x3 (16/32/64) + ReLU + MaxPool] ->
global average pooling -> Dense(10); Adam, sparse categorical cross-entropy, batch 64.

Arms, per mode (each a separately compiled model, all trained in one process per backend):
- in the model: audioflow ``LogMelSpectrogram``; TensorFlow also kapre, ``keras.layers.MelSpectrogram``
  and the ``tf.signal`` recipe (a Keras layer); JAX ``keras.layers.MelSpectrogram``; PyTorch
  torchaudio and nnAudio front ends (``keras.layers.TorchModuleWrapper``);
- precomputed: the same CNN fed the log-mel features computed once beforehand.

Modes: TensorFlow with Keras' default ``jit_compile="auto"`` (XLA off on a machine without GPU),
TensorFlow ``jit_compile=True``, JAX (Keras default: ``jax.jit``), PyTorch eager (Keras default) and
``torch.compile`` (``jit_compile=True``).

Timing: one unit is one epoch of ``model.fit`` over the clips. Every arm trains one warm-up epoch
(tracing/compilation, excluded), then ``--repeats`` rounds, interleaved across all arms and all
backends (``benchmarks/_interleave.py``). Overhead = median epoch time with the front end / median
epoch time on precomputed features of the same mode - 1.

Usage: ``python benchmarks/bench_training.py [--clips 1024] [--repeats 5] [--quick]``
(``--quick``: 512 clips, 3 rounds, no ``torch.compile``). ``--device gpu`` runs PyTorch on CUDA.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _interleave import base_environment, drive, median_iqr_ms, serve  # noqa: E402

SAMPLE_RATE, N_FFT, HOP, N_MELS, TOP_DB = 16000, 1024, 512, 64, 80.0
SECONDS, BATCH, CLASSES = 1.0, 64, 10
FSDD = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fsdd-5spk"
PRECOMPUTED = "precomputed features"
OURS = "audioflow"


def load_clips(n_clips: int, seed: int = 0):
    """``(audio (n, 16000) float32, labels (n,) int32, source description)``."""
    import numpy as np

    rng = np.random.default_rng(seed)
    length = int(SECONDS * SAMPLE_RATE)
    files = sorted(FSDD.glob("*/*.wav")) if FSDD.is_dir() else []
    if files:
        import soundfile as sf
        import soxr

        chosen = [
            files[i] for i in sorted(rng.choice(len(files), size=min(n_clips, len(files)), replace=False))
        ]
        audio = np.zeros((len(chosen), length), dtype="float32")
        labels = np.zeros(len(chosen), dtype="int32")
        for i, path in enumerate(chosen):
            y, rate = sf.read(path, dtype="float32", always_2d=True)
            y = soxr.resample(y.mean(axis=1), rate, SAMPLE_RATE).astype("float32")[:length]
            audio[i, : len(y)] = y
            labels[i] = int(path.name.split("_")[0])
        return audio, labels, f"FSDD ({FSDD.name}): {len(chosen)} clips resampled to 16 kHz, 1 s"
    t = np.arange(length) / SAMPLE_RATE
    labels = rng.integers(0, CLASSES, n_clips).astype("int32")
    freqs = 200.0 * (1 + labels)[:, None] * rng.uniform(0.95, 1.05, (n_clips, 1))
    audio = 0.3 * np.sin(2 * np.pi * freqs * t) + 0.05 * rng.standard_normal((n_clips, length))
    return audio.astype("float32"), labels, f"synthetic tones: {n_clips} clips of 1 s at 16 kHz"


def cnn(features_shape, front_end=None, raw_length=None):
    """The CNN, on raw audio through ``front_end`` (a layer giving (frames, mels)) or on features."""
    import keras

    if front_end is None:
        inputs = keras.Input(features_shape)
        x = inputs
    else:
        inputs = keras.Input((raw_length,))
        x = front_end(inputs)
    x = keras.layers.Reshape(tuple(x.shape[1:3]) + (1,))(x) if len(x.shape) == 3 else x
    for filters in (16, 32, 64):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        x = keras.layers.MaxPooling2D(2)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(CLASSES)(x)
    return keras.Model(inputs, outputs)


# ---------------------------------------------------------------------------------------------
# Front ends per backend: name -> builder returning a layer mapping (batch, samples) to
# (batch, frames, mels) or (batch, frames, mels, 1).


def ours_front_end():
    from audioflow.layers import LogMelSpectrogram

    return LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)


def keras_front_end():
    import keras

    mel = keras.layers.MelSpectrogram(
        fft_length=N_FFT,
        sequence_stride=HOP,
        sequence_length=N_FFT,
        sampling_rate=SAMPLE_RATE,
        num_mel_bins=N_MELS,
        power_to_db=True,
        top_db=TOP_DB,
    )
    return keras.Sequential([mel, keras.layers.Permute((2, 1))])  # (mels, time) -> (time, mels)


def kapre_front_end():
    import keras
    from kapre.composed import get_melspectrogram_layer

    mel = get_melspectrogram_layer(
        n_fft=N_FFT,
        hop_length=HOP,
        sample_rate=SAMPLE_RATE,
        n_mels=N_MELS,
        return_decibel=True,
        pad_end=True,  # 32 frames of 1 s, as the others: the same CNN cost downstream
        input_data_format="channels_last",
        output_data_format="channels_last",
    )
    return keras.Sequential([keras.layers.Reshape((-1, 1)), mel])


def tf_signal_front_end():
    import keras
    import tensorflow as tf

    class TFSignalLogMel(keras.layers.Layer):
        def build(self, input_shape):
            self.weights_matrix = tf.signal.linear_to_mel_weight_matrix(
                N_MELS, N_FFT // 2 + 1, SAMPLE_RATE, 0.0, SAMPLE_RATE / 2
            )

        def call(self, x):
            power = tf.square(
                tf.abs(tf.signal.stft(x, frame_length=N_FFT, frame_step=HOP, fft_length=N_FFT, pad_end=True))
            )
            db = (
                10.0
                * tf.math.log(tf.maximum(tf.matmul(power, self.weights_matrix), 1e-10))
                / tf.math.log(10.0)
            )
            return tf.maximum(db, tf.reduce_max(db, axis=(-2, -1), keepdims=True) - TOP_DB)

        def compute_output_shape(self, input_shape):
            return (input_shape[0], -(-input_shape[1] // HOP), N_MELS)

    return TFSignalLogMel()


def torch_front_end(kind: str, device: str):
    def build():
        import keras
        import torch

        if kind == "torchaudio":
            import torchaudio.transforms as T

            module = torch.nn.Sequential(
                T.MelSpectrogram(
                    sample_rate=SAMPLE_RATE,
                    n_fft=N_FFT,
                    hop_length=HOP,
                    n_mels=N_MELS,
                    norm="slaney",
                    mel_scale="slaney",
                    pad_mode="constant",
                ),
                T.AmplitudeToDB(stype="power", top_db=TOP_DB),
            )
        else:
            from nnAudio import features

            class NnAudioLogMel(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.mel = features.MelSpectrogram(
                        sr=SAMPLE_RATE,
                        n_fft=N_FFT,
                        hop_length=HOP,
                        n_mels=N_MELS,
                        pad_mode="constant",
                        verbose=False,
                    )

                def forward(self, x):
                    db = 10.0 * torch.log10(torch.clamp(self.mel(x), min=1e-10))
                    return torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - TOP_DB)

            module = NnAudioLogMel()
        module = module.to(device)
        for parameter in module.parameters():
            parameter.requires_grad_(False)
        # The output shape given: without it Keras infers it by running the module on "meta" tensors,
        # which torch.stft and nnAudio's convolutions refuse (NotImplementedError).
        frames = 1 + int(SECONDS * SAMPLE_RATE) // HOP
        wrapper = keras.layers.TorchModuleWrapper(module, output_shape=(None, N_MELS, frames))
        return keras.Sequential([wrapper, keras.layers.Permute((2, 1))])

    return build


def front_ends(backend: str, device: str):
    if backend == "tensorflow":
        return {
            OURS: ours_front_end,
            "kapre": kapre_front_end,
            "keras.layers.MelSpectrogram": keras_front_end,
            "tf.signal recipe": tf_signal_front_end,
        }
    if backend == "jax":
        return {OURS: ours_front_end, "keras.layers.MelSpectrogram": keras_front_end}
    return {
        OURS: ours_front_end,
        "torchaudio": torch_front_end("torchaudio", device),
        "nnAudio": torch_front_end("nnAudio", device),
    }


def modes(backend: str, quick: bool):
    """(mode name, ``jit_compile`` passed to ``compile``)."""
    if backend == "tensorflow":
        return [("TF fit, default jit_compile (XLA off on CPU)", "auto"), ("TF fit, jit_compile=True", True)]
    if backend == "jax":
        return [("JAX fit (jax.jit)", "auto")]
    return [("PyTorch fit, eager", "auto")] + ([] if quick else [("PyTorch fit, torch.compile", True)])


# ---------------------------------------------------------------------------------------------
# Worker


def worker(args) -> None:
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    backend = keras.backend.backend()
    device = "cuda" if args.device == "gpu" else "cpu"
    audio, labels, source = load_clips(args.clips)
    features = np.concatenate(
        [keras.ops.convert_to_numpy(ours_front_end()(audio[i : i + 256])) for i in range(0, len(audio), 256)]
    )
    contenders = []
    for mode, jit_compile in modes(backend, args.quick):
        arms = {PRECOMPUTED: None, **front_ends(backend, device)}
        for arm, build in arms.items():
            row = dict(mode=mode, arm=arm, name=f"{mode} | {arm}", data=source)
            if args.only and not re.search(args.only, row["name"]):
                continue
            try:
                if build is None:
                    model = cnn(features.shape[1:])
                else:
                    front = build()
                    # Built eagerly on two clips; the same (frames, mels) as the precomputed arm, so
                    # every arm trains the same CNN and only the front end differs.
                    shape = tuple(keras.ops.shape(front(audio[:2]))[1:3])
                    if shape != features.shape[1:3]:
                        raise ValueError(
                            f"front end gives {shape} features, precomputed {features.shape[1:3]}"
                        )
                    model = cnn(None, front, audio.shape[1])
                model.compile(
                    optimizer=keras.optimizers.Adam(1e-3),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    jit_compile=jit_compile,
                )
                inputs = features if build is None else audio

                def run(model=model, inputs=inputs):
                    model.fit(inputs, labels, batch_size=BATCH, epochs=1, shuffle=True, verbose=0)

                run()  # warm-up epoch: tracing and compilation
                row["jit_compile"] = str(model.jit_compile)
                row["description"] = f"{arm}, Keras {keras.__version__} on {backend}"
                contenders.append((row, run))
            except Exception as error:  # noqa: BLE001 - a peer that does not train here is reported
                row["error"] = (
                    f"{type(error).__name__}: {str(error).splitlines()[0][:200] if str(error) else ''}"
                )
                contenders.append((row, None))
    serve(contenders, lambda: base_environment(backend), args.gap)


# ---------------------------------------------------------------------------------------------
# Report


def report(results: dict, args) -> str:
    lines = [
        f"Config: {args.clips} clips of 1 s at 16 kHz, batch {BATCH}, n_fft {N_FFT}, hop {HOP}, {N_MELS} mels, "
        f"dB; median epoch time of {args.repeats} interleaved rounds after a warm-up epoch.",
        "",
        "| Mode | Front end | Epoch ms (median) | IQR ms | Overhead over precomputed | CPU-time overhead |",
        "|---|---|---:|---:|---:|---:|",
    ]
    verdicts = []
    for result in results.values():
        by_mode: dict = {}
        for row in result["rows"]:
            by_mode.setdefault(row["mode"], {})[row["arm"]] = row
        for mode, arms in by_mode.items():
            base = arms.get(PRECOMPUTED)
            base_ms = median_iqr_ms(base["wall"])[0] if base else None
            base_cpu = median_iqr_ms(base["cpu"])[0] if base else None
            overheads = {}
            for arm, row in arms.items():
                ms, iqr = median_iqr_ms(row["wall"])
                cpu = median_iqr_ms(row["cpu"])[0]
                over = "-" if base_ms is None or arm == PRECOMPUTED else f"{100 * (ms / base_ms - 1):+.0f}%"
                over_cpu = (
                    "-" if base_cpu is None or arm == PRECOMPUTED else f"{100 * (cpu / base_cpu - 1):+.0f}%"
                )
                if base_ms and arm != PRECOMPUTED:
                    overheads[arm] = (ms / base_ms - 1, cpu / base_cpu - 1)
                lines.append(f"| {mode} | {arm} | {ms:.0f} | {iqr:.0f} | {over} | {over_cpu} |")
            if OURS in overheads and len(overheads) > 1:
                best = min((v for k, v in overheads.items() if k != OURS), key=lambda v: v[0])
                verdicts.append((mode, overheads[OURS], best))
    lines.append("")
    for mode, ours, best in verdicts:
        lines.append(
            f"{mode}: audioflow overhead {100 * ours[0]:+.0f}% (CPU {100 * ours[1]:+.0f}%), best peer "
            f"{100 * best[0]:+.0f}% (CPU {100 * best[1]:+.0f}%): "
            + ("<= best peer" if ours[0] <= best[0] else "above the best peer")
            + ("; <= half of it" if 0 < best[0] and ours[0] <= best[0] / 2 else "")
            + ("" if best[0] > 0 else " (the best peer shows no overhead: below this run's noise)")
            + "."
        )
    unavailable = {k: v for res in results.values() for k, v in res["unavailable"].items()}
    if unavailable:
        lines.append("Not measured: " + "; ".join(f"{k} ({v})" for k, v in unavailable.items()) + ".")
    sources = {row["data"] for res in results.values() for row in res["rows"]}
    lines.append("Data: " + "; ".join(sorted(sources)) + ".")
    lines.append("")
    lines.append("Environment: " + json.dumps({k: v.get("environment") for k, v in results.items()}))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clips", type=int, default=1024)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--quick", action="store_true", help="512 clips, 3 rounds, no torch.compile")
    parser.add_argument(
        "--device", choices=("cpu", "gpu"), default="cpu", help="gpu: PyTorch front ends on CUDA"
    )
    parser.add_argument("--extra-site", default=os.environ.get("AUDIOFLOW_BENCH_SITE"))
    parser.add_argument("--gap", type=float, default=0.1)
    parser.add_argument("--only", help="regular expression on row names: train only those")
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        if args.clips == parser.get_default("clips"):
            args.clips = 512
        if args.repeats == parser.get_default("repeats"):
            args.repeats = 3
    if args.extra_site:
        sys.path.append(os.path.abspath(args.extra_site))
    if args.worker:
        worker(args)
        return 0
    passed = list(argv if argv is not None else sys.argv[1:])
    commands = {
        b: [sys.executable, os.path.abspath(__file__), "--worker", *passed] for b in args.backends.split(",")
    }
    results = drive(commands, args.repeats)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle)
    print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
