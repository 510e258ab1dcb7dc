"""Per-chunk latency of a streaming log-mel front end at 10 ms hops, against recomputing a window.

16 kHz audio arrives in chunks of 160 samples (one 10 ms hop, batch 1). For each chunk we time:

- ``process``: ``StreamingFrontEnd(layer).process(chunk)``, the new frame (NumPy chunk in, the
  frame as NumPy out, so the time includes the device round trip);
- ``step model``: the exported-style step ``[chunk, *state] -> [frames, *state]`` compiled the
  same way as ``process`` (tf.function / jax.jit / torch without autograd), state fed back;
- ``window 1 s``: the naive way, the layer recomputed on the last second of audio (98 frames),
  keeping its last frame; compiled the same way;
- TensorFlow only: the layer on one frame's ``n_fft`` samples in a ``tf.function`` with and
  without XLA (``process`` compiles with XLA on TensorFlow).

Methods alternate in rounds (same process, same inputs); we report the median and 95th
percentile over all chunks after a warm-up. One backend per process: by default this script
runs itself once per backend (TensorFlow, JAX, PyTorch) and prints a Markdown table.

Run: ``python benchmarks/bench_streaming.py [--chunks 2000] [--n-fft 400 512] [--backends tensorflow jax torch]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

SAMPLE_RATE, HOP, CHUNK, WINDOW = 16000, 160, 160, 16000


def _measure(backend: str, n_fft: int, chunks: int, rounds: int) -> dict:
    import keras
    import numpy as np

    from audioflow.layers import LogMelSpectrogram
    from audioflow.streaming import StreamingFrontEnd
    from audioflow.streaming._compiled import compiled

    def make():
        return LogMelSpectrogram(
            sample_rate=SAMPLE_RATE, n_fft=n_fft, hop_length=HOP, n_mels=40, center=False, top_db=None
        )

    rng = np.random.default_rng(0)
    audio = (0.1 * rng.standard_normal((1, WINDOW + CHUNK * (chunks + 1)))).astype(np.float32)
    front_end = StreamingFrontEnd(make())
    front_end.process(audio[:, :WINDOW])
    model = front_end.step_model(CHUNK, batch_size=1)
    step = compiled(lambda chunk, *state: model([chunk, *state]), [model])
    state = [keras.ops.convert_to_tensor(s) for s in front_end.initial_step_state(1)]
    window_layer = make()
    window_layer(audio[:, :WINDOW])
    window = compiled(lambda x: window_layer.call(x)[:, -1:], [window_layer])

    def run_process(position):
        return keras.ops.convert_to_numpy(front_end.process(audio[:, position : position + CHUNK]))

    def run_step(position):
        nonlocal state
        frames, *state = step(keras.ops.convert_to_tensor(audio[:, position : position + CHUNK]), *state)
        return keras.ops.convert_to_numpy(frames)

    def run_window(position):
        return keras.ops.convert_to_numpy(window(audio[:, position + CHUNK - WINDOW : position + CHUNK]))

    methods = {"process": run_process, "step model": run_step, "window 1 s": run_window}
    if backend == "tensorflow":  # one frame's computation, with and without XLA (what process compiles)
        import tensorflow as tf

        for name, xla in (("1 frame, XLA", True), ("1 frame, graph", False)):
            frame = tf.function(lambda x: window_layer.call(x), autograph=False, jit_compile=xla)
            methods[name] = lambda p, frame=frame: frame(audio[:, p + CHUNK - n_fft : p + CHUNK]).numpy()
    times = {name: [] for name in methods}
    per_round = chunks // rounds
    for round_index in range(rounds + 1):  # round 0 is the warm-up
        for name, run in methods.items():
            for i in range(per_round):
                position = WINDOW + ((round_index * per_round + i) % chunks) * CHUNK
                start = time.perf_counter()
                out = run(position)
                elapsed = time.perf_counter() - start
                if round_index:
                    times[name].append(elapsed)
            assert out.shape[:2] == (1, 1), out.shape
    return {
        name: {"median_ms": 1e3 * float(np.median(t)), "p95_ms": 1e3 * float(np.percentile(t, 95))}
        for name, t in times.items()
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--chunks", type=int, default=2000, help="timed chunks per method")
    parser.add_argument("--rounds", type=int, default=10, help="alternating rounds")
    parser.add_argument("--n-fft", type=int, nargs="+", default=[400, 512])
    parser.add_argument("--backends", nargs="+", default=["tensorflow", "jax", "torch"])
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        backend = os.environ["KERAS_BACKEND"]
        result = {n: _measure(backend, n, args.chunks, args.rounds) for n in args.n_fft}
        print("RESULT " + json.dumps(result))
        return
    rows = []
    for backend in args.backends:
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        command = [sys.executable, __file__, "--worker", "--chunks", str(args.chunks)]
        command += ["--rounds", str(args.rounds), "--n-fft", *map(str, args.n_fft)]
        output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
        result = json.loads(output.split("RESULT ", 1)[1])
        for n_fft, methods in result.items():
            window = methods["window 1 s"]["median_ms"]
            for name, figures in methods.items():
                ratio = window / figures["median_ms"]
                rows.append(
                    f"| {backend} | {n_fft} | {name} | {figures['median_ms']:.3f} | {figures['p95_ms']:.3f} "
                    f"| {ratio:.1f}x |"
                )
    print(f"{os.cpu_count()} CPUs; chunk {CHUNK} samples (10 ms at {SAMPLE_RATE} Hz), batch 1, 40 mels")
    print("| backend | n_fft | method | median ms | p95 ms | speed-up vs window 1 s (median) |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
