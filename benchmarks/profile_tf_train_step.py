"""Where a TensorFlow training step spends the front end's time: the profile behind BENCHMARKS.md's TF rows.

``bench_training.py`` times whole ``fit`` epochs, which include the input pipeline (raw audio batches
are 8x larger than feature batches) and show +-30 % noise on a shared machine. This script isolates
the front end, in the two modes Keras ``fit`` runs on a CPU (``jit_compile`` "auto" = no XLA, and
``True``), with process CPU time (less disturbed by other load than wall time):

1. **Train step**: ``model.train_function`` (the step ``fit`` compiles) on one repeated batch of
   64 x 1 s (a ``tf.data`` iterator with an unknown batch dimension, as ``fit`` traces it), for the
   CNN of ``bench_training.py`` on precomputed features and with each in-model front end. The
   front end's cost in the step is the difference from the precomputed arm.
2. **Front end alone**, traced as ``fit`` traces it (``tf.function``, ``None`` batch, ``training=True``).
3. **Stages of audioflow's log-mel** in the same graph mode: framing, + FFT, + power, + mel
   filterbank, + dB, next to the FFT of already-framed input and ``tf.signal.stft``.

Every timed unit runs ``--steps`` calls; rounds are interleaved across all arms; medians are reported.

Usage: ``python benchmarks/profile_tf_train_step.py --extra-site .bench-site [--rounds 15]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import bench_training as bt  # noqa: E402

MODES = {"no XLA (fit's default on CPU)": "auto", "XLA (jit_compile=True)": True}


def front_ends():
    return {
        "audioflow": bt.ours_front_end,
        "kapre": bt.kapre_front_end,
        "keras.layers.MelSpectrogram": bt.keras_front_end,
        "tf.signal recipe": bt.tf_signal_front_end,
    }


def train_steps(audio, labels, features, jit_compile, steps):
    """``{arm: run}``: each run calls the arm's compiled train step ``steps`` times on one batch."""
    import keras
    import tensorflow as tf

    runs = {}
    for arm, build in {bt.PRECOMPUTED: None, **front_ends()}.items():
        keras.utils.set_random_seed(0)
        try:
            if build is None:
                model, x = bt.cnn(features.shape[1:]), features
            else:
                front = build()
                front(audio[:2])
                model, x = bt.cnn(None, front, audio.shape[1]), audio
        except ImportError as error:  # a peer that is not installed
            print(f"[profile] {arm}: {error}", file=sys.stderr)
            continue
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            jit_compile=jit_compile,
        )
        model.fit(x, labels, batch_size=len(x), epochs=1, verbose=0)  # compiles train_function
        batches = iter(tf.data.Dataset.from_tensor_slices((x, labels)).batch(len(x)).repeat())

        def run(step=model.train_function, batches=batches):
            for _ in range(steps):
                step(batches)

        run()  # warm-up: the step retraces for the iterator's unknown batch (not timed)
        runs[arm] = run
    return runs


def front_end_graphs(audio, jit_compile, steps):
    """``{arm: run}``: each front end alone in a ``tf.function`` with an unknown batch, ``training=True``."""
    import tensorflow as tf

    runs = {}
    x = tf.constant(audio)
    for arm, build in front_ends().items():
        try:
            front = build()
        except ImportError:
            continue
        front(audio[:2])
        graph = tf.function(
            lambda a, front=front: front(a, training=True),
            input_signature=[tf.TensorSpec((None, audio.shape[1]), tf.float32)],
            jit_compile=jit_compile is True,
        )
        runs[arm] = _repeat(graph, x, steps)
    return runs


def stages(audio, jit_compile, steps):
    """``{stage: run}``: audioflow's log-mel cut after each stage, and the FFT-only references."""
    import numpy as np
    import tensorflow as tf
    from keras import ops

    import audioflow.ops as af
    from audioflow.ops import spectral

    window = np.hanning(bt.N_FFT + 1)[:-1].astype("float32")
    stft_kwargs = dict(n_fft=bt.N_FFT, hop_length=bt.HOP)
    mel_kwargs = dict(sample_rate=bt.SAMPLE_RATE, n_mels=bt.N_MELS, **stft_kwargs)

    def frames(a):
        method = spectral.framing_method()
        framer = spectral._strided_frames if method == "strided" else spectral._windowed_frames
        return framer(
            a, n_fft=bt.N_FFT, hop_length=bt.HOP, window_values=window, center=True, pad_mode="constant"
        )

    cuts = {
        "1 framing + window": frames,
        "2 + FFT (stft)": lambda a: af.stft(a, **stft_kwargs),
        "3 + power (spectrogram)": lambda a: af.spectrogram(a, **stft_kwargs),
        "4 + mel filterbank": lambda a: af.melspectrogram(a, **mel_kwargs),
        "5 + dB (log-mel, the layer's op)": lambda a: af.log_mel_spectrogram(a, **mel_kwargs),
        "tf.signal.stft (frame + window + FFT)": lambda a: tf.signal.stft(a, bt.N_FFT, bt.HOP, pad_end=True),
    }
    signature = [tf.TensorSpec((None, audio.shape[1]), tf.float32)]
    runs = {
        name: _repeat(
            tf.function(cut, input_signature=signature, jit_compile=jit_compile is True), audio, steps
        )
        for name, cut in cuts.items()
    }
    framed = tf.constant(np.asarray(frames(tf.constant(audio))))
    fft = tf.function(
        lambda f: ops.rfft(f, fft_length=bt.N_FFT),
        input_signature=[tf.TensorSpec((None,) + tuple(framed.shape[1:]), tf.float32)],
        jit_compile=jit_compile is True,
    )
    runs["FFT only (of framed input)"] = _repeat(fft, framed, steps)
    return runs


def _repeat(function, x, steps):
    function(x)  # trace and compile

    def run():
        for _ in range(steps):
            function(x)

    return run


def interleave(runs: dict, rounds: int, steps: int) -> dict:
    """``{name: (median CPU ms, median wall ms)}`` per call over interleaved rounds."""
    import numpy as np

    times = {name: [] for name in runs}
    names = list(runs)
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            runs[name]()
            times[name].append(((time.process_time() - cpu0) / steps, (time.perf_counter() - wall0) / steps))
    return {name: tuple(1000 * np.median(np.array(t), axis=0)) for name, t in times.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--steps", type=int, default=5, help="calls per timed unit")
    parser.add_argument("--extra-site", default=os.environ.get("AUDIOFLOW_BENCH_SITE"))
    args = parser.parse_args(argv)
    if args.extra_site:
        sys.path.append(os.path.abspath(args.extra_site))
    import keras

    audio, labels, source = bt.load_clips(bt.BATCH)
    features = keras.ops.convert_to_numpy(bt.ours_front_end()(audio))
    print(
        f"Data: {source}; one batch of {len(audio)}. Median per call over {args.rounds} interleaved rounds.\n"
    )
    for mode, jit_compile in MODES.items():
        steps = interleave(
            train_steps(audio, labels, features, jit_compile, args.steps), args.rounds, args.steps
        )
        alone = interleave(front_end_graphs(audio, jit_compile, args.steps), args.rounds, args.steps)
        base_cpu, base_wall = steps[bt.PRECOMPUTED]
        print(f"### TensorFlow, {mode}\n")
        print(
            "| Front end | Train step CPU ms | Front end's cost in the step, CPU ms | Front end alone, CPU ms | Train step wall ms |"
        )
        print("|---|---:|---:|---:|---:|")
        for arm, (cpu, wall) in steps.items():
            extra = "-" if arm == bt.PRECOMPUTED else f"{cpu - base_cpu:+.1f}"
            own = f"{alone[arm][0]:.1f}" if arm in alone else "-"
            print(f"| {arm} | {cpu:.1f} | {extra} | {own} | {wall:.1f} |")
        print("\n| audioflow log-mel, cut after | CPU ms | wall ms |\n|---|---:|---:|")
        for name, (cpu, wall) in interleave(
            stages(audio, jit_compile, args.steps), args.rounds, args.steps
        ).items():
            print(f"| {name} | {cpu:.2f} | {wall:.2f} |")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
