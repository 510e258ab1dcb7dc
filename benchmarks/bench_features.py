"""Log-mel front end in every execution mode, side by side with the peers of each backend.

Config (issue 9): 16 kHz, n_fft 1024, hop 512, 64 mel bands, dB output (top_db 80); a batch of
``--batch`` clips of ``--seconds`` s (default 64 x 10 s = 20,032 frames) and the same clips one at a
time (batch 1). Every contender gets the same NumPy input, resident as a tensor of its backend.

Modes and contenders (one resident worker process per Keras backend, rounds interleaved across
all of them by ``benchmarks/_interleave.py``):

- TensorFlow, ``tf.function`` without XLA and with ``jit_compile=True``, batch size known or unknown
  (``input_signature`` with a ``None`` batch, as Keras ``fit``/``predict`` trace): audioflow,
  the ``tf.signal`` recipe, ``keras.layers.MelSpectrogram``, kapre.
- JAX, ``jax.jit`` (always specialised on the batch size): audioflow, ``keras.layers.MelSpectrogram``.
- PyTorch eager (``torch.no_grad``) and ``torch.compile`` (batch known; ``dynamic=True`` for the
  unknown-batch row; the large batch only, as each compilation takes a minute or more on 2 cores):
  audioflow, torchaudio, nnAudio.
- In every mode, "FFT only": ``keras.ops.rfft`` of the same clips already framed and windowed
  (summed over bins so that fetching the result costs nothing): the floor our front end is
  measured against.

Each timed call fetches the result to NumPy (or synchronises the device). Median and IQR of
``--repeats`` rounds after warm-up (compilation excluded and reported separately), ``--gap`` s idle
before each call. Compare ratios within one run: the machine may be shared.

Peers outside the project environment: ``make bench`` installs kapre, nnAudio and torchaudio into
``.bench-site/`` and passes ``--extra-site .bench-site`` (see BENCHMARKS.md).

Usage: ``python benchmarks/bench_features.py [--repeats 7] [--quick] [--backends tensorflow,jax,torch]``
``--quick`` times batch 64 with a known batch size only, 3 rounds. ``--device gpu`` moves PyTorch
inputs and modules to CUDA (TensorFlow and JAX use a visible GPU by themselves); the environment
line then reports peak device memory.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from _interleave import base_environment, drive, median_iqr_ms, serve  # noqa: E402

SAMPLE_RATE, N_FFT, HOP, N_MELS, TOP_DB = 16000, 1024, 512, 64, 80.0
OURS = "audioflow"
FFT_ONLY = "FFT only"


def make_input(batch: int, seconds: float):
    import numpy as np

    rng = np.random.default_rng(0)
    return (0.1 * rng.standard_normal((batch, int(seconds * SAMPLE_RATE)))).astype("float32")


def librosa_log_mel(x):
    import librosa
    import numpy as np

    return np.stack(
        [
            librosa.power_to_db(
                librosa.feature.melspectrogram(
                    y=clip, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS
                ),
                top_db=TOP_DB,
            ).T
            for clip in x
        ]
    )


def ours_layer():
    from audioflow.layers import LogMelSpectrogram

    return LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)


def keras_layer():
    import keras

    return keras.layers.MelSpectrogram(
        fft_length=N_FFT,
        sequence_stride=HOP,
        sequence_length=N_FFT,
        sampling_rate=SAMPLE_RATE,
        num_mel_bins=N_MELS,
        power_to_db=True,
        top_db=TOP_DB,
    )


def fft_only_fn():
    """``rfft`` of pre-framed, windowed clips, reduced over bins: (frames_fn, transform_fn)."""
    import numpy as np
    from keras import ops

    window = np.hanning(N_FFT + 1)[:-1].astype("float32")

    def frames(x):
        padded = np.pad(x, [(0, 0), (N_FFT // 2, N_FFT // 2)])
        n = 1 + (padded.shape[-1] - N_FFT) // HOP
        index = np.arange(n)[:, None] * HOP + np.arange(N_FFT)[None, :]
        return (padded[:, index] * window).astype("float32")

    def transform(f):
        real, imag = ops.rfft(f)
        return ops.sum(real, axis=-1) + ops.sum(imag, axis=-1)

    return frames, transform


# ---------------------------------------------------------------------------------------------
# TensorFlow worker


def _wanted(name):
    return _ONLY is None or re.search(_ONLY, name) is not None


_ONLY = None


def tf_contenders(x64, batches, unknown_too):
    import tensorflow as tf

    def recipe_fn():
        weights = tf.signal.linear_to_mel_weight_matrix(
            N_MELS, N_FFT // 2 + 1, SAMPLE_RATE, 0.0, SAMPLE_RATE / 2
        )

        def recipe(x):
            power = tf.square(tf.abs(tf.signal.stft(x, frame_length=N_FFT, frame_step=HOP, fft_length=N_FFT)))
            db = 10.0 * tf.math.log(tf.maximum(tf.matmul(power, weights), 1e-10)) / tf.math.log(10.0)
            return tf.maximum(db, tf.reduce_max(db, axis=(-2, -1), keepdims=True) - TOP_DB)

        return (
            recipe,
            f"tensorflow {tf.__version__}: stft -> abs -> square @ linear_to_mel_weight_matrix -> dB",
        )

    def kapre_fn():
        import kapre
        from kapre.composed import get_melspectrogram_layer

        layer = get_melspectrogram_layer(
            n_fft=N_FFT,
            hop_length=HOP,
            sample_rate=SAMPLE_RATE,
            n_mels=N_MELS,
            return_decibel=True,
            input_data_format="channels_last",
            output_data_format="channels_last",
        )
        return (lambda x: layer(x[..., None])), f"kapre {getattr(kapre, '__version__', '?')}"

    def keras_fn():
        import keras

        return keras_layer(), f"keras {keras.__version__} MelSpectrogram"

    def ours_fn():
        import audioflow

        return ours_layer(), f"audioflow {audioflow.__version__} LogMelSpectrogram"

    frames, transform = fft_only_fn()
    builders = [(OURS, ours_fn), ("tf.signal recipe", recipe_fn), ("keras.layers.MelSpectrogram", keras_fn)]
    builders += [("kapre", kapre_fn), (FFT_ONLY, lambda: (transform, "keras.ops.rfft of framed clips"))]
    out = []
    for mode, xla in (("TF graph, no XLA", False), ("TF XLA (jit_compile=True)", True)):
        for batch in batches:
            x = x64[:batch]
            for known in (True, False) if unknown_too else (True,):
                for contender, build in builders:
                    row = dict(mode=mode, batch=batch, batch_known=known, contender=contender)
                    row["name"] = f"{mode} | b{batch} {'known' if known else 'unknown'} | {contender}"
                    if not _wanted(row["name"]):
                        continue
                    data = frames(x) if contender == FFT_ONLY else x
                    spec = tf.TensorSpec((batch if known else None,) + data.shape[1:], tf.float32)
                    try:
                        fn, description = build()
                        compiled = tf.function(fn, jit_compile=xla, input_signature=[spec])
                        tensor = tf.constant(data)
                        out.append(_prepare(row, description, lambda c=compiled, t=tensor: c(t).numpy(), x))
                    except Exception as error:  # noqa: BLE001 - a peer that does not run is reported
                        out.append(_failed(row, error))
    return out


# ---------------------------------------------------------------------------------------------
# JAX worker


def jax_contenders(x64, batches, unknown_too):
    import jax
    import numpy as np

    frames, transform = fft_only_fn()
    ours, keras_mel = ours_layer(), keras_layer()
    for layer in (ours, keras_mel):
        # Keras' rule: build a layer before jitting (one first built inside jax.jit keeps a tracer
        # in its state, and the next trace fails with UnexpectedTracerError). Every contender alike.
        layer(x64[:1])
    import keras

    import audioflow

    builders = [
        (OURS, lambda x: ours(x), f"audioflow {audioflow.__version__} LogMelSpectrogram"),
        ("keras.layers.MelSpectrogram", lambda x: keras_mel(x), f"keras {keras.__version__} MelSpectrogram"),
        (FFT_ONLY, transform, "keras.ops.rfft of framed clips"),
    ]
    out = []
    for batch in batches:
        for contender, fn, description in builders:
            row = dict(mode="JAX jit", batch=batch, batch_known=True, contender=contender)
            row["name"] = f"JAX jit | b{batch} known | {contender}"
            if not _wanted(row["name"]):
                continue
            data = frames(x64[:batch]) if contender == FFT_ONLY else x64[:batch]
            try:
                compiled, tensor = jax.jit(fn), jax.device_put(data)
                run = lambda c=compiled, t=tensor: np.asarray(jax.block_until_ready(c(t)))  # noqa: E731
                out.append(_prepare(row, f"{description}, jax {jax.__version__}", run, x64[:batch]))
            except Exception as error:  # noqa: BLE001
                out.append(_failed(row, error))
    return out


# ---------------------------------------------------------------------------------------------
# PyTorch worker


def torch_contenders(x64, batches, unknown_too, device):
    import torch

    frames, transform = fft_only_fn()

    def torchaudio_fn():
        import torchaudio
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
        ).to(device)
        return module.eval(), f"torchaudio {torchaudio.__version__}"

    def nnaudio_fn():
        import nnAudio
        from nnAudio import features

        layer = features.MelSpectrogram(
            sr=SAMPLE_RATE,
            n_fft=N_FFT,
            hop_length=HOP,
            n_mels=N_MELS,
            center=True,
            pad_mode="constant",
            verbose=False,
        ).to(device)
        layer.eval()

        def run(x):
            db = 10.0 * torch.log10(torch.clamp(layer(x), min=1e-10))
            return torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - TOP_DB)

        return run, f"nnAudio {getattr(nnAudio, '__version__', '0.3.x')} (conv1d DFT)"

    def ours_fn():
        import audioflow

        layer = ours_layer()
        layer(torch.from_numpy(x64[:1]).to(device))  # built before torch.compile, as the peers' modules
        return (lambda x: layer(x)), f"audioflow {audioflow.__version__} LogMelSpectrogram"

    builders = [(OURS, ours_fn), ("torchaudio", torchaudio_fn), ("nnAudio", nnaudio_fn)]
    builders += [(FFT_ONLY, lambda: (transform, "keras.ops.rfft of framed clips"))]
    modes = [("PyTorch eager", None), ("torch.compile", False)]
    if unknown_too:
        modes.append(("torch.compile", True))
    out = []
    for mode, dynamic in modes:
        # torch.compile takes a minute or more per contender and shape here: the large batch only.
        for batch in batches if dynamic is None else batches[:1]:
            known = dynamic is not True
            for contender, build in builders:
                row = dict(mode=mode, batch=batch, batch_known=known, contender=contender)
                row["name"] = f"{mode} | b{batch} {'known' if known else 'unknown'} | {contender}"
                if not _wanted(row["name"]):
                    continue
                data = frames(x64[:batch]) if contender == FFT_ONLY else x64[:batch]
                try:
                    fn, description = build()
                    if dynamic is not None:
                        fn = torch.compile(fn, dynamic=dynamic)
                    tensor = torch.from_numpy(data).to(device)

                    def run(f=fn, t=tensor):
                        with torch.no_grad():
                            result = f(t)
                            return result.cpu().numpy()

                    out.append(_prepare(row, f"{description}, torch {torch.__version__}", run, x64[:batch]))
                except Exception as error:  # noqa: BLE001
                    out.append(_failed(row, error))
    return out


# ---------------------------------------------------------------------------------------------


def _prepare(row, description, run, x, warmup=2):
    import numpy as np

    start = time.perf_counter()
    result = np.asarray(run())
    row.update(
        description=description, first_call_ms=1e3 * (time.perf_counter() - start), shape=list(result.shape)
    )
    for _ in range(warmup):
        run()
    if row["contender"] == OURS and row["batch"] == len(x):
        reference = _REFERENCE.get(len(x))
        if reference is None:
            reference = _REFERENCE[len(x)] = librosa_log_mel(x)
        above = reference > reference.max(axis=(1, 2), keepdims=True) - TOP_DB + 1e-3
        row["parity_db"] = float(np.max(np.abs(result - reference)[above]))
    return row, run


_REFERENCE: dict = {}


def _failed(row, error):
    row["error"] = f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
    return row, None


def worker(args) -> None:
    global _ONLY
    _ONLY = args.only
    x64 = make_input(args.batch, args.seconds)
    batches = [args.batch] if args.quick else [args.batch, 1]
    unknown_too = not args.quick
    backend = args.worker
    if backend == "tensorflow":
        contenders = tf_contenders(x64, batches, unknown_too)
    elif backend == "jax":
        contenders = jax_contenders(x64, batches, unknown_too)
    else:
        device = "cuda" if args.device == "gpu" else "cpu"
        contenders = torch_contenders(x64, batches, unknown_too, device)
    serve(contenders, lambda: base_environment(backend), args.gap)


# ---------------------------------------------------------------------------------------------
# Report


def report(results: dict, args) -> str:
    frames = args.batch * (1 + int(args.seconds * SAMPLE_RATE) // HOP)
    lines = [
        f"Config: {SAMPLE_RATE} Hz, n_fft {N_FFT}, hop {HOP}, {N_MELS} mel bands, dB (top_db {TOP_DB:g}); "
        f"batch of {args.batch} clips of {args.seconds:g} s ({frames} frames) and batch 1; median of "
        f"{args.repeats} interleaved rounds after warm-up. Times in ms (wall; CPU-time ratio in brackets).",
        "",
        "| Mode | Batch | Batch size | audioflow ms | Peers ms | Fastest peer / audioflow | FFT only ms "
        "| audioflow / FFT only |",
        "|---|---:|---|---:|---|---:|---:|---:|",
    ]
    groups: dict = {}
    for result in results.values():
        for row in result["rows"]:
            groups.setdefault((row["mode"], row["batch"], row["batch_known"]), {})[row["contender"]] = row
    verdicts = []
    for (mode, batch, known), group in groups.items():
        ours = group.get(OURS)
        if ours is None:
            continue
        ours_ms, ours_cpu = median_iqr_ms(ours["wall"])[0], median_iqr_ms(ours["cpu"])[0]
        peers = {k: v for k, v in group.items() if k not in (OURS, FFT_ONLY)}
        peer_ms = {k: median_iqr_ms(v["wall"])[0] for k, v in peers.items()}
        peer_text = ", ".join(f"{k} {v:.1f}" for k, v in sorted(peer_ms.items(), key=lambda kv: kv[1])) or "-"
        ratio = "-"
        if peer_ms:
            fastest = min(peer_ms, key=peer_ms.get)
            cpu_ratio = median_iqr_ms(peers[fastest]["cpu"])[0] / ours_cpu
            ratio = f"{peer_ms[fastest] / ours_ms:.2f} ({cpu_ratio:.2f})"
            verdicts.append((mode, batch, known, peer_ms[fastest] / ours_ms, cpu_ratio))
        fft = group.get(FFT_ONLY)
        fft_ms = median_iqr_ms(fft["wall"])[0] if fft else None
        lines.append(
            f"| {mode} | {batch} | {'known' if known else 'unknown'} | {ours_ms:.1f} | {peer_text} | {ratio} | "
            f"{'-' if fft_ms is None else f'{fft_ms:.1f}'} | {'-' if fft_ms is None else f'{ours_ms / fft_ms:.2f}'} |"
        )
    lines.append("")
    lines.append(
        "Fastest peer / audioflow > 1 means audioflow is faster (target: >= 1.5 in every mode). "
        "FFT only: keras.ops.rfft of the same clips already framed and windowed, on the same backend."
    )
    met = [v for v in verdicts if min(v[3], v[4]) >= 1.5]
    lines.append(
        f"Target >= 1.5x the fastest peer (wall and CPU): met in {len(met)} of {len(verdicts)} rows."
    )
    parity = [
        f"{r['mode']} b{r['batch']}: {r['parity_db']:.2g} dB"
        for res in results.values()
        for r in res["rows"]
        if "parity_db" in r
    ]
    lines.append(
        "Parity of audioflow with librosa (max |difference| above the floor): " + "; ".join(parity) + "."
    )
    first = [
        f"{r['name']} {r['first_call_ms']:.0f} ms"
        for res in results.values()
        for r in res["rows"]
        if r["contender"] == OURS
    ]
    lines.append("First call (trace/compile + run) of audioflow: " + "; ".join(first) + ".")
    unavailable = {k: v for res in results.values() for k, v in res["unavailable"].items()}
    if unavailable:
        lines.append("Not measured: " + "; ".join(f"{k} ({v})" for k, v in unavailable.items()) + ".")
    lines.append("")
    lines.append("Environment: " + json.dumps({k: v.get("environment") for k, v in results.items()}))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--backends", default="tensorflow,jax,torch")
    parser.add_argument("--quick", action="store_true", help="batch --batch, known size only, 3 rounds")
    parser.add_argument("--device", choices=("cpu", "gpu"), default="cpu", help="gpu: PyTorch on CUDA")
    parser.add_argument(
        "--extra-site",
        default=os.environ.get("AUDIOFLOW_BENCH_SITE"),
        help="a directory of extra peers (kapre, torchaudio, nnAudio) appended to sys.path",
    )
    parser.add_argument("--gap", type=float, default=0.1, help="seconds of idle before each timed call")
    parser.add_argument(
        "--only",
        help='regular expression on row names ("MODE | bBATCH known|unknown | CONTENDER"): only those',
    )
    parser.add_argument("--json", help="also write the raw results to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick and args.repeats == parser.get_default("repeats"):
        args.repeats = 3
    if args.extra_site:
        sys.path.append(os.path.abspath(args.extra_site))
    if args.worker:
        worker(args)
        return 0
    passed = [a for a in (argv if argv is not None else sys.argv[1:])]
    commands = {
        b: [sys.executable, os.path.abspath(__file__), "--worker", b, *passed]
        for b in args.backends.split(",")
    }
    results = drive(commands, args.repeats)
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle)
    print(report(results, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
