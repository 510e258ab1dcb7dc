"""Log-mel front end, side by side: audioflow vs librosa, Keras, tf.signal, kapre, torchaudio, nnAudio.

Config (issue "core", item 7): 16 kHz, n_fft 1024, hop 512, 64 mel bands, dB output, a batch of
64 clips of 10 s (64 x 313 = 20,032 frames). Every contender gets the same input.

Method: the TensorFlow-backend process times our layer (in ``tf.function(jit_compile=True)`` and
without XLA) and every peer, interleaved round-robin with the order rotated each round, after
warm-up calls (compilation excluded and reported separately); median and interquartile range of
``--repeats`` rounds. Results are fetched to NumPy inside the timed call. Our layer on JAX
(``jax.jit``) and on PyTorch (eager) runs in one subprocess per backend (``KERAS_BACKEND`` must be
set before Keras is imported) and is linked to the main table through the tf.signal recipe, timed
in every process. Each timed call follows ``--gap`` seconds of idle so that worker threads left
spinning by the previous contender (BLAS, OpenMP, Eigen) do not steal its cores. The machine may
be shared: compare ratios within one run, not absolute times across runs.

Peers that are not installed are listed as such. kapre 0.4.1 pins keras<3.14 / tensorflow<2.21 and
PyPI's torchaudio wheel is a CUDA build, so neither is in the project environment; to include them
without touching it, install them beside it and pass ``--extra-site`` (see BENCHMARKS.md)::

    pip install --no-deps --target /tmp/bench-site kapre==0.4.1 nnAudio==0.3.4 torchaudio==2.11.0
    rm /tmp/bench-site/torchaudio/lib/*.so   # CUDA-linked extension; the transforms are pure Python
    python benchmarks/bench_features.py --extra-site /tmp/bench-site

Usage: ``python benchmarks/bench_features.py [--repeats 15] [--batch 64] [--seconds 10]``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import time

SAMPLE_RATE, N_FFT, HOP, N_MELS, TOP_DB = 16000, 1024, 512, 64, 80.0
OURS_XLA = "audioflow LogMelSpectrogram"
# Timed in every process, to relate the other backends' rows to the main table.
ANCHOR = "tf.signal recipe"


def make_input(batch: int, seconds: float):
    import numpy as np

    rng = np.random.default_rng(0)
    return (0.1 * rng.standard_normal((batch, int(seconds * SAMPLE_RATE)))).astype("float32")


# ---------------------------------------------------------------------------------------------
# Contenders. Each builder returns (callable taking the NumPy batch and returning a NumPy array,
# a short description) or raises to be reported as unavailable.


def librosa_loop():
    import librosa
    import numpy as np

    def run(x):
        return np.stack(
            [
                librosa.power_to_db(
                    librosa.feature.melspectrogram(
                        y=clip, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS
                    ),
                    top_db=TOP_DB,
                )
                for clip in x
            ]
        )

    return run, f"librosa {librosa.__version__}, loop over clips (NumPy/SciPy FFT)"


def _tf_function(fn, xla: bool):
    import tensorflow as tf

    compiled = tf.function(fn, jit_compile=xla)

    def run(x, _cache={}):  # noqa: B006 - one cached input tensor per contender
        key = id(x)
        if key not in _cache:  # the input lives as a tensor, as it would in a model
            _cache.clear()
            _cache[key] = tf.constant(x)
        return compiled(_cache[key]).numpy()

    return run


def ours_tf(xla: bool):
    def build():
        from audioflow.layers import LogMelSpectrogram

        layer = LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
        return _tf_function(layer, xla), f"TensorFlow, tf.function(jit_compile={xla})"

    return build


def keras_mel(xla: bool):
    def build():
        import keras

        layer = keras.layers.MelSpectrogram(
            fft_length=N_FFT,
            sequence_stride=HOP,
            sequence_length=N_FFT,
            sampling_rate=SAMPLE_RATE,
            num_mel_bins=N_MELS,
            power_to_db=True,
            top_db=TOP_DB,
        )
        return _tf_function(layer, xla), f"keras {keras.__version__}, tf.function(jit_compile={xla})"

    return build


def tf_signal_recipe(xla: bool):
    def build():
        import tensorflow as tf

        weights = tf.signal.linear_to_mel_weight_matrix(
            N_MELS, N_FFT // 2 + 1, SAMPLE_RATE, 0.0, SAMPLE_RATE / 2
        )

        def recipe(x):
            power = tf.square(tf.abs(tf.signal.stft(x, frame_length=N_FFT, frame_step=HOP, fft_length=N_FFT)))
            db = 10.0 * tf.math.log(tf.maximum(tf.matmul(power, weights), 1e-10)) / tf.math.log(10.0)
            return tf.maximum(db, tf.reduce_max(db, axis=(-2, -1), keepdims=True) - TOP_DB)

        return _tf_function(recipe, xla), (
            f"tensorflow {tf.__version__}: stft -> abs -> square @ linear_to_mel_weight_matrix -> dB, "
            f"tf.function(jit_compile={xla})"
        )

    return build


def kapre_mel(xla: bool):
    def build():
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
        version = getattr(kapre, "__version__", "?")
        return _tf_function(
            lambda x: layer(x[..., None]), xla
        ), f"kapre {version}, tf.function(jit_compile={xla})"

    return build


def torchaudio_mel():
    import torch
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
    ).eval()

    def run(x):
        with torch.no_grad():
            return module(torch.from_numpy(x)).numpy()

    return run, f"torchaudio {torchaudio.__version__} on torch {torch.__version__}, eager"


def nnaudio_mel():
    import nnAudio
    import torch
    from nnAudio import features

    layer = features.MelSpectrogram(
        sr=SAMPLE_RATE,
        n_fft=N_FFT,
        hop_length=HOP,
        n_mels=N_MELS,
        center=True,
        pad_mode="constant",
        verbose=False,
    ).eval()

    def run(x):
        with torch.no_grad():
            power = layer(torch.from_numpy(x))
            db = 10.0 * torch.log10(torch.clamp(power, min=1e-10))
            return torch.maximum(db, db.amax(dim=(-2, -1), keepdim=True) - TOP_DB).numpy()

    version = getattr(nnAudio, "__version__", "0.3.x")
    return run, f"nnAudio {version} (conv1d DFT) on torch {torch.__version__}, eager"


def ours_jax():
    import jax
    import numpy as np

    from audioflow.layers import LogMelSpectrogram

    layer = LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)
    compiled = jax.jit(lambda x: layer(x))

    def run(x, _cache={}):  # noqa: B006 - one cached input tensor per contender
        key = id(x)
        if key not in _cache:
            _cache.clear()
            _cache[key] = jax.device_put(x)
        return np.asarray(jax.block_until_ready(compiled(_cache[key])))

    return run, f"JAX {jax.__version__}, jax.jit"


def ours_torch():
    import torch

    from audioflow.layers import LogMelSpectrogram

    layer = LogMelSpectrogram(sample_rate=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP, n_mels=N_MELS)

    def run(x, _cache={}):  # noqa: B006 - one cached input tensor per contender
        key = id(x)
        if key not in _cache:
            _cache.clear()
            _cache[key] = torch.from_numpy(x)
        with torch.no_grad():
            return layer(_cache[key]).numpy()

    return run, f"PyTorch {torch.__version__}, eager, torch.no_grad"


def contenders(backend: str):
    """(name, builder, is_ours) for one process."""
    if backend == "tensorflow":
        return [
            (OURS_XLA, ours_tf(True), True),
            ("audioflow LogMelSpectrogram (no XLA)", ours_tf(False), True),
            ("tf.signal recipe", tf_signal_recipe(True), False),
            ("tf.signal recipe (no XLA)", tf_signal_recipe(False), False),
            ("keras.layers.MelSpectrogram", keras_mel(True), False),
            ("keras.layers.MelSpectrogram (no XLA)", keras_mel(False), False),
            ("kapre", kapre_mel(True), False),
            ("kapre (no XLA)", kapre_mel(False), False),
            ("torchaudio", torchaudio_mel, False),
            ("nnAudio", nnaudio_mel, False),
            ("librosa", librosa_loop, False),
        ]
    if backend == "jax":
        return [
            ("audioflow LogMelSpectrogram (JAX)", ours_jax, True),
            (ANCHOR, tf_signal_recipe(True), False),
        ]
    if backend == "torch":
        return [
            ("audioflow LogMelSpectrogram (PyTorch)", ours_torch, True),
            (ANCHOR, tf_signal_recipe(True), False),
        ]
    raise ValueError(backend)


# ---------------------------------------------------------------------------------------------
# Measurement


def librosa_reference(x):
    run, _ = librosa_loop()
    return run(x).transpose(0, 2, 1)  # (batch, frames, mels), time-major like ours


def measure(
    backend: str,
    repeats: int,
    batch: int,
    seconds: float,
    warmup: int,
    only: str | None = None,
    gap: float = 0.2,
) -> dict:
    import numpy as np

    x = make_input(batch, seconds)
    reference = librosa_reference(x)
    rows, unavailable, runners = [], {}, []
    for name, builder, is_ours in contenders(backend):
        if only and not (is_ours and name == OURS_XLA) and not re.search(only, name):
            continue
        try:
            run, description = builder()
            start = time.perf_counter()
            out = np.asarray(run(x))
            first = time.perf_counter() - start
            for _ in range(warmup - 1):
                run(x)
        except Exception as error:  # noqa: BLE001 - a peer that does not install or run is reported
            unavailable[name] = (
                f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}"
            )
            continue
        parity = None
        if is_ours:
            above = reference > reference.max(axis=(1, 2), keepdims=True) - TOP_DB + 1e-3
            parity = float(np.max(np.abs(out - reference)[above]))
        runners.append(run)
        rows.append(
            dict(
                name=name,
                description=description,
                ours=is_ours,
                first_call_ms=1e3 * first,
                shape=list(out.shape),
                parity_db=parity,
                wall=[],
                cpu=[],
            )
        )
    for r in range(repeats):
        order = list(range(len(rows)))
        order = order[r % len(order) :] + order[: r % len(order)]  # rotate: no fixed position
        for i in order:
            time.sleep(gap)  # let the previous contender's spinning worker threads (BLAS, OpenMP, Eigen) idle
            wall0, cpu0 = time.perf_counter(), time.process_time()
            runners[i](x)
            rows[i]["wall"].append(time.perf_counter() - wall0)
            rows[i]["cpu"].append(time.process_time() - cpu0)
    return dict(backend=backend, rows=rows, unavailable=unavailable, environment=environment(backend))


def environment(backend: str) -> dict:
    env = dict(
        python=platform.python_version(),
        nproc=os.cpu_count(),
        keras_backend=backend,
        omp_num_threads=os.environ.get("OMP_NUM_THREADS"),
        xla_flags=os.environ.get("XLA_FLAGS"),
    )
    import keras
    import numpy as np

    env.update(keras=keras.__version__, numpy=np.__version__)
    if backend == "tensorflow":
        import tensorflow as tf

        env.update(
            tensorflow=tf.__version__,
            tf_intra_op_threads=tf.config.threading.get_intra_op_parallelism_threads()
            or "default (all cores)",
            tf_inter_op_threads=tf.config.threading.get_inter_op_parallelism_threads() or "default",
        )
    if "torch" in sys.modules:
        import torch

        env.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    if "jax" in sys.modules:
        import jax

        env.update(jax=jax.__version__)
    if "librosa" in sys.modules:
        import librosa

        env.update(librosa=librosa.__version__)
    try:
        import audioflow

        env.update(audioflow=audioflow.__version__)
    except Exception:  # noqa: BLE001
        pass
    return env


# ---------------------------------------------------------------------------------------------
# Reporting


def stats(values):
    import numpy as np

    q1, median, q3 = np.percentile(np.asarray(values) * 1e3, [25, 50, 75])
    return median, q3 - q1


def report(results: list[dict], batch: int, seconds: float, repeats: int) -> str:
    main = results[0]
    audio_seconds = batch * seconds
    frames = batch * (1 + int(seconds * SAMPLE_RATE) // HOP)
    ours = next(r for r in main["rows"] if r["name"] == OURS_XLA)
    ours_median = stats(ours["wall"])[0]
    anchor_main = next((r for r in main["rows"] if r["name"] == ANCHOR), None)
    lines = [
        f"Config: {SAMPLE_RATE} Hz, n_fft {N_FFT}, hop {HOP}, {N_MELS} mel bands, dB (top_db {TOP_DB:g}); "
        f"batch of {batch} clips of {seconds:g} s = {audio_seconds:g} s of audio, {frames} frames; "
        f"median of {repeats} interleaved rounds after warm-up.",
        "",
        "| Contender | How it ran | Median ms | IQR ms | CPU ms | x real time | Peer / ours (TF, XLA) |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]

    def add(row, scale=1.0, note=""):
        median, iqr = stats(row["wall"])
        cpu = stats(row["cpu"])[0]
        ratio = "1.00 (ours)" if row["name"] == OURS_XLA else f"{scale * median / ours_median:.2f}"
        lines.append(
            f"| {row['name']}{note} | {row['description']} | {median:.1f} | {iqr:.1f} | {cpu:.1f} | "
            f"{audio_seconds / (median / 1e3):,.0f} | {ratio} |"
        )

    for row in main["rows"]:
        add(row)
    for other in results[1:]:
        anchor_here = next((r for r in other["rows"] if r["name"] == ANCHOR), None)
        for row in other["rows"]:
            if row["ours"]:
                # Another process: its time relative to ours goes through the anchor, timed in both.
                scale = 1.0
                if anchor_here and anchor_main:
                    scale = stats(anchor_main["wall"])[0] / stats(anchor_here["wall"])[0]
                add(row, scale, note=" [separate process]")
    lines.append("")
    lines.append(
        "Peer / ours > 1 means ours is faster. CPU ms is the process's CPU time per call (> wall time: "
        "more than one core busy). Rows marked [separate process] ran after the main table, each "
        f"interleaved with its own timing of the {ANCHOR} (XLA); their last column is "
        f"(that row's median x {ANCHOR} here / {ANCHOR} there) / ours."
    )
    parity = [f"{r['name']}: {r['parity_db']:.2g} dB" for res in results for r in res["rows"] if r["ours"]]
    lines.append("Parity of ours with librosa (max |difference| above the floor): " + "; ".join(parity) + ".")
    for res in results:
        compile_ms = [f"{r['name']} {r['first_call_ms']:.0f} ms" for r in res["rows"]]
        lines.append(
            f"First call (trace/compile + run), {res['backend']} process: " + "; ".join(compile_ms) + "."
        )
    unavailable = {k: v for res in results for k, v in res["unavailable"].items()}
    if unavailable:
        lines.append("Not measured: " + "; ".join(f"{k} ({v})" for k, v in unavailable.items()) + ".")
    peers = [r for r in main["rows"] if not r["ours"]]
    slower = [r["name"] for r in peers if stats(r["wall"])[0] <= ours_median]
    verdict = "faster than every peer" if not slower else "NOT faster than: " + ", ".join(slower)
    lines.append(f"Target (ours, TF backend, XLA, faster than every peer in this run): {verdict}.")
    lines.append("")
    lines.append("Environment: " + json.dumps({res["backend"]: res["environment"] for res in results}))
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--backends", default="tensorflow,jax,torch", help="tensorflow first; the others are extra rows"
    )
    parser.add_argument(
        "--extra-site",
        default=os.environ.get("AUDIOFLOW_BENCH_SITE"),
        help="a directory of extra peers (kapre, torchaudio, nnAudio) appended to sys.path",
    )
    parser.add_argument("--gap", type=float, default=0.2, help="seconds of idle before each timed call")
    parser.add_argument("--only", help="regular expression: time only the matching contenders (and ours)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.extra_site:
        sys.path.append(args.extra_site)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    if args.worker:  # one backend in this process
        os.environ["KERAS_BACKEND"] = args.worker
        result = measure(
            args.worker, args.repeats, args.batch, args.seconds, args.warmup, args.only, args.gap
        )
        print("RESULT " + json.dumps(result))
        return 0

    results = []
    for backend in args.backends.split(","):
        command = [
            sys.executable,
            os.path.abspath(__file__),
            "--worker",
            backend,
            "--repeats",
            str(args.repeats),
            "--warmup",
            str(args.warmup),
            "--batch",
            str(args.batch),
            "--seconds",
            str(args.seconds),
            "--gap",
            str(args.gap),
        ]
        if args.extra_site:
            command += ["--extra-site", args.extra_site]
        if args.only:
            command += ["--only", args.only]
        env = dict(os.environ, KERAS_BACKEND=backend)
        print(f"[bench] {backend} ...", file=sys.stderr, flush=True)
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        payload = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
        if done.returncode != 0 or not payload:
            print(f"[bench] {backend} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
            if backend == "tensorflow":
                return 1
            continue
        results.append(json.loads(payload[-1][len("RESULT ") :]))
    print(report(results, args.batch, args.seconds, args.repeats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
