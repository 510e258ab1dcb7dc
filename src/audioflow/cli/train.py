"""``audioflow train``: a folder of audio (or the built-in dataset) -> model.keras, report.json, plots."""

from __future__ import annotations

import json
import math
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from audioflow.cli._common import CLIError, check_outputs, field, new_figure, prepare_out_dir, start_backend

OUTPUT_NAMES = (
    "model.keras",
    "report.json",
    "training_curves.png",
    "confusion_matrix.png",
    "examples_logmel.png",
)


def _check_data_dir(path):
    from audioflow.cli._common import is_audio_name

    data = Path(path)
    if not data.exists():
        raise CLIError(f"data folder '{path}' does not exist")
    if not data.is_dir():
        raise CLIError(
            f"data folder '{path}' is not a folder (expected one sub-folder of audio files per class)"
        )
    classes = sorted(p.name for p in data.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not classes:
        raise CLIError(f"data folder '{path}' has no class sub-folders (expected one sub-folder per class)")
    counts = {
        c: sum(1 for f in (data / c).rglob("*") if f.is_file() and is_audio_name(f.name)) for c in classes
    }
    if not any(counts.values()):
        raise CLIError(f"data folder '{path}' holds no audio files in its class sub-folders {classes}")
    empty = [c for c, n in counts.items() if n == 0]
    if empty:
        raise CLIError(f"class folder(s) {empty} in '{path}' hold no audio files; remove them or add audio")
    if len(classes) < 2:
        raise CLIError(
            f"data folder '{path}' has only one class ({classes[0]!r}); a classifier needs at least 2"
        )
    return data, counts


class _Progress:
    """A per-epoch progress bar on stderr: loss, accuracy, clips/s (a live bar on a terminal)."""

    def __init__(self, epochs, steps, batch_size, n_train, skipped_sources):
        import keras

        class Callback(keras.callbacks.Callback):
            pass

        self.callback = Callback()
        self.callback.on_epoch_begin = self.on_epoch_begin
        self.callback.on_train_batch_end = self.on_train_batch_end
        self.callback.on_epoch_end = self.on_epoch_end
        self.epochs, self.steps, self.batch_size, self.n_train = epochs, steps, batch_size, n_train
        self.tty = sys.stderr.isatty()
        self.skipped_sources = skipped_sources
        self.reported = set()
        self.epoch_times = []
        self.clips_per_second = []

    def _skipped(self):
        for source in self.skipped_sources:
            for entry in list(source or []):
                path, reason = field(entry, "path", entry[0]), field(entry, "reason", entry[1])
                if path not in self.reported:
                    self.reported.add(path)
                    if self.tty:
                        sys.stderr.write("\r\033[K")
                    print(f"skipped: {path}: {reason}", file=sys.stderr)

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch
        self.start = time.perf_counter()
        self.seen_steps = 0

    def on_train_batch_end(self, batch, logs=None):
        self.seen_steps = batch + 1
        if self.tty:
            logs = logs or {}
            total = self.steps or max(self.seen_steps, 1)
            done = min(self.seen_steps / total, 1.0)
            bar = "=" * int(done * 24) + (">" if done < 1 else "")
            rate = self.seen_steps * self.batch_size / max(time.perf_counter() - self.start, 1e-9)
            sys.stderr.write(
                f"\repoch {self.epoch + 1}/{self.epochs} [{bar:<25}] {self.seen_steps}/{total}"
                f"  loss {logs.get('loss', float('nan')):.4f}  accuracy {logs.get('accuracy', float('nan')):.3f}"
                f"  {rate:.0f} clips/s"
            )
            sys.stderr.flush()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        seconds = time.perf_counter() - self.start
        clips = (
            min(self.seen_steps * self.batch_size, self.n_train)
            if self.n_train
            else self.seen_steps * self.batch_size
        )
        rate = clips / max(seconds, 1e-9)
        self.epoch_times.append(seconds)
        self.clips_per_second.append(rate)
        if self.tty:
            sys.stderr.write("\r\033[K")
        self._skipped()
        print(
            f"epoch {epoch + 1}/{self.epochs}  loss {logs.get('loss', float('nan')):.4f}"
            f"  accuracy {logs.get('accuracy', float('nan')):.3f}"
            f"  val_loss {logs.get('val_loss', float('nan')):.4f}  val_accuracy {logs.get('val_accuracy', float('nan')):.3f}"
            f"  {rate:.0f} clips/s  {seconds:.1f} s",
            file=sys.stderr,
            flush=True,
        )


class _BestWeights:
    """Keep the weights of the epoch with the best val_accuracy (ties: lower val_loss); restore at the end."""

    def __init__(self):
        import keras

        self.callback = keras.callbacks.Callback()
        self.callback.on_epoch_end = self.on_epoch_end
        self.best = None
        self.best_epoch = None
        self.weights = None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        key = (logs.get("val_accuracy", -1.0), -logs.get("val_loss", math.inf))
        if self.best is None or key > self.best:
            self.best, self.best_epoch = key, epoch
            self.weights = self.callback.model.get_weights()

    def restore(self, model):
        if self.weights is not None:
            model.set_weights(self.weights)


def _collect(model, dataset, n_classes):
    """Predictions on a dataset -> (confusion matrix, one example waveform per class)."""
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    examples = {}
    for audio, labels in dataset:
        audio = np.asarray(audio)
        labels = np.asarray(labels).astype(np.int64).reshape(-1)
        probabilities = np.asarray(model.predict_on_batch(audio))
        predicted = probabilities.argmax(axis=-1)
        np.add.at(matrix, (labels, predicted), 1)
        for i, label in enumerate(labels):
            examples.setdefault(int(label), audio[i])
    return matrix, examples


def _plots(out, history, matrix, class_names, examples, model, info, files):
    from keras import ops as K

    from audioflow import display

    fig = new_figure(10, 3.8)
    display.plot_history(history, axes=fig.subplots(1, 2))
    fig.suptitle("Training curves")
    fig.savefig(files["training_curves.png"], dpi=110)

    size = max(4.5, 0.6 * len(class_names) + 2.5)
    fig = new_figure(size + 0.5, size)
    ax = fig.add_subplot()
    display.plot_confusion_matrix(matrix, class_names, ax=ax)
    accuracy = np.trace(matrix) / max(matrix.sum(), 1)
    ax.set_title(f"Validation confusion matrix (accuracy {accuracy:.3f}, {int(matrix.sum())} clips)")
    fig.savefig(files["confusion_matrix.png"], dpi=110)

    cols = min(3, max(1, len(examples)))
    rows = max(1, math.ceil(len(class_names) / cols))
    fig = new_figure(4.2 * cols, 2.9 * rows)
    axes = np.atleast_1d(fig.subplots(rows, cols)).ravel()
    logmel = model.get_layer("logmel")
    fc = info["feature_config"]
    sr = info["sample_rate"]
    hop = fc.get("hop_length") or fc["n_fft"] // 4
    for ax, (index, name) in zip(axes, enumerate(class_names), strict=False):
        if index not in examples:
            ax.set_axis_off()
            ax.set_title(f"{name}: no validation example", fontsize=9)
            continue
        features = K.convert_to_numpy(logmel(K.convert_to_tensor(examples[index][None, :])))[0]
        display.specshow(
            features, sample_rate=sr, hop_length=hop, y_axis="mel", f_min=fc.get("f_min") or 0.0,
            f_max=fc.get("f_max"), ax=ax, colorbar=True,
        )  # fmt: skip
        ax.set_title(name, fontsize=10)
    for ax in axes[len(class_names) :]:
        ax.set_axis_off()
    fig.suptitle(
        f"Log-mel spectrogram of one validation clip per class ({sr} Hz, n_fft={fc['n_fft']}, hop_length={hop}, "
        f"n_mels={fc['n_mels']})",
        fontsize=10,
    )
    fig.savefig(files["examples_logmel.png"], dpi=100)


def run(args):
    t_start = time.perf_counter()
    # ---- validate everything that can be checked before any heavy work
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out '{out}' exists and is not a folder")
    files = {name: out / name for name in OUTPUT_NAMES}
    check_outputs(list(files.values()), force=args.force)
    if args.data_dir is not None:
        data_dir, counts = _check_data_dir(args.data_dir)
    clip_samples = int(round(args.duration * args.sample_rate))
    if clip_samples < args.n_fft:
        raise CLIError(
            f"--duration {args.duration:g} s at {args.sample_rate} Hz is {clip_samples} samples, shorter than "
            f"--n-fft {args.n_fft}; use a longer clip or a smaller FFT"
        )
    nyquist = args.sample_rate / 2
    if args.f_max is not None and args.f_max > nyquist:
        raise CLIError(
            f"--f-max {args.f_max:g} Hz is above the Nyquist frequency {nyquist:g} Hz of --sample-rate"
        )
    if args.f_min >= (args.f_max or nyquist):
        raise CLIError(f"--f-min {args.f_min:g} Hz must be below --f-max ({args.f_max or nyquist:g} Hz)")
    prepare_out_dir(out)

    # ---- data
    generation_s = 0.0
    if args.data_dir is None:
        from audioflow.datasets import make_synthetic_dataset

        t0 = time.perf_counter()
        data_dir = out / "data"
        print(f"generating the built-in dataset in {data_dir} ...", file=sys.stderr, flush=True)
        try:
            summary = make_synthetic_dataset(
                data_dir, examples_per_class=args.examples_per_class, duration=max(args.duration, 0.25),
                seed=args.seed, overwrite=args.force,
            )  # fmt: skip
        except FileExistsError as exc:
            raise CLIError(str(exc)) from exc
        generation_s = time.perf_counter() - t0
        counts = {}
        for _, label in summary["files"]:
            counts[label] = counts.get(label, 0) + 1
        print(
            f"{'reused' if summary['reused'] else 'wrote'} {len(summary['files'])} files "
            f"({', '.join(counts)}; WAV/FLAC/OGG at {'/'.join(str(s) for s in summary['sample_rates'])} Hz)",
            file=sys.stderr,
        )

    start_backend(need_tensorflow=True, verbose=args.verbose)
    import keras

    from audioflow.data import audio_dataset_from_directory
    from audioflow.models import build_classifier, classifier_info

    keras.utils.set_random_seed(args.seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # skipped files are reported by name below, once each
        train_ds, val_ds = audio_dataset_from_directory(
            str(data_dir), batch_size=args.batch_size, sample_rate=args.sample_rate, duration=args.duration,
            crop="random", pad="zeros", mono=True, shuffle=True, seed=args.seed,
            validation_split=args.validation_split, subset="both", on_error=args.on_error,
            cache=None if args.cache == "none" else args.cache,
        )  # fmt: skip
    class_names = list(getattr(train_ds, "class_names", None) or sorted(counts))
    n_train = len(getattr(train_ds, "file_paths", None) or [])
    n_val = len(getattr(val_ds, "file_paths", None) or [])
    n_total = n_train + n_val
    cardinality = int(train_ds.cardinality()) if hasattr(train_ds, "cardinality") else -1
    steps = cardinality if cardinality > 0 else math.ceil(n_train / args.batch_size)
    if n_val == 0 or n_train == 0:
        raise CLIError(
            f"{n_total} files are too few for --validation-split {args.validation_split:g} "
            f"(training {n_train}, validation {n_val})"
        )

    model = build_classifier(
        class_names, sample_rate=args.sample_rate, duration=args.duration, n_fft=args.n_fft,
        hop_length=args.hop_length, n_mels=args.n_mels, f_min=args.f_min, f_max=args.f_max, width=args.width,
    )  # fmt: skip
    model.compile(
        optimizer=keras.optimizers.Adam(args.learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    info = classifier_info(model)
    print(
        f"training on {n_train} clips, validating on {n_val} ({len(class_names)} classes: {', '.join(class_names)}); "
        f"{model.count_params():,} parameters; backend {keras.backend.backend()}",
        file=sys.stderr,
        flush=True,
    )
    skipped_sources = [getattr(train_ds, "skipped", None), getattr(val_ds, "skipped", None)]
    if args.on_error == "skip":
        # Work-around: the pipeline's dataset iterates through a Python wrapper (it translates
        # decode errors, which "skip" never raises); with the unknown length that skipping gives,
        # Keras' TensorFlow trainer then fails with UnboundLocalError. A plain tf.data stage
        # in front hands Keras a native iterator; the skipped-file report is filled all the same.
        import tensorflow as tf

        train_ds, val_ds = train_ds.prefetch(tf.data.AUTOTUNE), val_ds.prefetch(tf.data.AUTOTUNE)
    progress = _Progress(args.epochs, steps, args.batch_size, n_train, skipped_sources)
    best = _BestWeights()
    t0 = time.perf_counter()
    from audioflow.errors import AudioDecodeError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            history = model.fit(
                train_ds, validation_data=val_ds, epochs=args.epochs, verbose=0,
                callbacks=[progress.callback, best.callback],
            )  # fmt: skip
    except Exception as exc:
        # With on_error="raise" the pipeline raises AudioDecodeError; inside TensorFlow's compiled
        # training step it reaches us wrapped in a tf.errors.UnknownError whose text holds it.
        found = re.search(r"AudioDecodeError: (Cannot decode audio file [^\n]*)", str(exc))
        if not isinstance(exc, AudioDecodeError) and not found:
            raise
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K")
        message = str(exc) if isinstance(exc, AudioDecodeError) else found.group(1).strip()
        raise CLIError(
            f"{message} (pass --on-error skip to skip unreadable files and list them in the report)"
        ) from exc
    training_s = time.perf_counter() - t0
    best.restore(model)
    history = {k: [float(v) for v in values] for k, values in history.history.items()}

    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matrix, examples = _collect(model, val_ds, len(class_names))
    evaluation_s = time.perf_counter() - t0
    progress._skipped()
    skipped = []
    seen = set()
    for source in skipped_sources:
        for entry in list(source or []):
            path, reason = field(entry, "path", entry[0]), field(entry, "reason", entry[1])
            if path not in seen:
                seen.add(path)
                skipped.append({"path": str(path), "reason": str(reason)})

    model.save(files["model.keras"])
    per_class = {
        name: (float(matrix[i, i] / matrix[i].sum()) if matrix[i].sum() else None)
        for i, name in enumerate(class_names)
    }
    best_epoch = best.best_epoch if best.best_epoch is not None else len(history.get("loss", [])) - 1
    val_accuracy = history.get("val_accuracy", [float("nan")])[best_epoch]
    _plots(out, history, matrix, class_names, examples, model, info, files)

    from audioflow import __version__

    report = {
        "audioflow_version": __version__,
        "backend": keras.backend.backend(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "val_accuracy": float(val_accuracy),
        "best_epoch": int(best_epoch) + 1,
        "classes": class_names,
        "per_class_accuracy": per_class,
        "confusion_matrix": {
            "rows": "true class",
            "columns": "predicted class",
            "labels": class_names,
            "counts": matrix.tolist(),
        },
        "evaluation_accuracy": float(np.trace(matrix) / max(matrix.sum(), 1)),
        "data": {
            "directory": str(data_dir),
            "builtin": args.data_dir is None,
            "files_per_class": counts,
            "train_files": n_train,
            "validation_files": n_val,
            "validation_split": args.validation_split,
            "on_error": args.on_error,
        },
        "features": {
            "layer": "LogMelSpectrogram",
            **{k: v for k, v in info["feature_config"].items()},
            "hop_length_resolved": info["feature_config"].get("hop_length") or args.n_fft // 4,
            "duration": args.duration,
            "clip_samples": info["clip_samples"],
            "normalization": "per example, over time and frequency (LayerNormalization)",
        },
        "training": {
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "optimizer": "adam",
            "learning_rate": args.learning_rate,
            "seed": args.seed,
            "width": args.width,
            "parameters": int(model.count_params()),
            "cache": args.cache,
        },
        "history": history,
        "timings": {
            "data_generation_s": round(generation_s, 3),
            "training_s": round(training_s, 3),
            "epoch_s": [round(s, 3) for s in progress.epoch_times],
            "train_clips_per_second": round(float(np.median(progress.clips_per_second)), 1)
            if progress.clips_per_second
            else None,
            "evaluation_s": round(evaluation_s, 3),
            "total_s": round(time.perf_counter() - t_start, 3),
        },
        "skipped_files": skipped,
        "outputs": {name: str(path) for name, path in files.items()},
    }
    files["report.json"].write_text(json.dumps(report, indent=2) + "\n")

    print(
        f"validation accuracy {val_accuracy:.3f} (best epoch {best_epoch + 1} of {len(history.get('loss', []))})"
    )
    for name in class_names:
        acc = per_class[name]
        print(f"  {name:<20} {'-' if acc is None else f'{acc:.3f}'}")
    if skipped:
        print(f"skipped {len(skipped)} unreadable file(s); listed in report.json:")
        for entry in skipped:
            print(f"  {entry['path']}: {entry['reason']}")
    print(f"wrote {', '.join(str(p) for p in files.values())}")
    return 0
