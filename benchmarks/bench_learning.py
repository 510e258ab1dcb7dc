"""Learning benchmark: accuracy and training time of the ``audioflow train`` recipe on real speech.

Trains the model that ``audioflow train`` builds (:func:`audioflow.models.build_classifier`
with :func:`~audioflow.models.compile_classifier` and
:func:`~audioflow.models.classifier_callbacks`, options as given, everything else default) on the
five-speaker Free Spoken Digit subset (``../shared/data/fsdd-5spk``: one folder per digit, files
``<digit>_<speaker>_<n>.wav``, 8 kHz), with the real input pipeline: random 1 s crops of the
training files (zero-padded when shorter, re-drawn every epoch), centre crops of the validation
files (the same every epoch).

Splits:

- ``random``: the split of ``audioflow train --validation-split 0.2 --seed 0`` (Keras' split of
  the seeded, shuffled file list); accuracy on the validation files with the best epoch's weights.
- ``loso:<speaker>`` (leave one speaker out): train on the other four speakers, with the best
  epoch chosen on a random 20% of *their* files (what ``audioflow train`` does on a folder of
  four speakers); then the accuracy on every file of the held-out speaker, never seen in training
  or model selection, from centre crops (``audioflow predict`` on a clip up to 1 s long).

Each row is one training run (one seed). Example (the table in BENCHMARKS.md)::

    TF_CPP_MIN_LOG_LEVEL=3 .venv/bin/python benchmarks/bench_learning.py \\
        --frontends logmel --augment on,off --splits random,loso --json learning.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "fsdd-5spk"


def corpus(directory: Path):
    """Files, integer labels, speakers and class names of a ``<class>/<digit>_<speaker>_<n>.wav`` folder."""
    class_names = sorted(p.name for p in directory.iterdir() if p.is_dir())
    files, labels, speakers = [], [], []
    for index, name in enumerate(class_names):
        for path in sorted((directory / name).glob("*.wav")):
            files.append(str(path))
            labels.append(index)
            speakers.append(path.stem.split("_")[1])
    return files, labels, speakers, class_names


def datasets(files, labels, class_names, args):
    """(train, validation) over ``files``: Keras' seeded 80/20 split, random crops / centre crops."""
    from audioflow.data import audio_dataset

    common = dict(
        labels=labels, class_names=class_names, batch_size=args.batch_size, sample_rate=args.sample_rate,
        duration=args.duration, validation_split=0.2, seed=args.seed, cache="memory",
    )  # fmt: skip
    train = audio_dataset(files, crop="random", subset="training", **common)
    validation = audio_dataset(files, crop="center", subset="validation", **common)
    return train, validation


def test_dataset(files, labels, class_names, args):
    from audioflow.data import audio_dataset

    return audio_dataset(
        files, labels=labels, class_names=class_names, batch_size=args.batch_size, sample_rate=args.sample_rate,
        duration=args.duration, crop="center", shuffle=False, cache="memory",
    )  # fmt: skip


def accuracy(model, dataset):
    correct = total = 0
    for audio, label in dataset:
        predicted = np.asarray(model.predict_on_batch(audio)).argmax(-1)
        correct += int((predicted == np.asarray(label).reshape(-1)).sum())
        total += predicted.size
    return correct / total


def train_once(files, labels, class_names, args, *, frontend, augment):
    """One run of the recipe -> (model, validation accuracy, best epoch, epochs, seconds)."""
    import keras

    from audioflow.models import build_classifier, classifier_callbacks, compile_classifier

    keras.utils.set_random_seed(args.seed)
    train, validation = datasets(files, labels, class_names, args)
    model = build_classifier(
        class_names, sample_rate=args.sample_rate, duration=args.duration, frontend=frontend,
        size=args.size, augment=augment,
    )  # fmt: skip
    steps = int(train.cardinality())
    compile_classifier(model, epochs=args.epochs, steps_per_epoch=steps)
    callbacks = classifier_callbacks(epochs=args.epochs)
    start = time.perf_counter()
    history = model.fit(train, validation_data=validation, epochs=args.epochs, verbose=0, callbacks=callbacks)
    seconds = time.perf_counter() - start
    best_epoch = callbacks[0].best_epoch
    val = accuracy(model, validation)  # the restored best epoch, recomputed
    curve = [round(float(v), 3) for v in history.history["val_accuracy"]]
    return model, val, best_epoch, curve, seconds


def run(args):
    import keras

    import audioflow

    files, labels, speakers, class_names = corpus(Path(args.data))
    rows = []
    print(
        f"# {len(files)} files, {len(class_names)} classes, speakers {sorted(set(speakers))}; "
        f"audioflow {audioflow.__version__}, backend {keras.backend.backend()}, Keras {keras.__version__}, "
        f"{os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    splits = []
    for split in args.splits.split(","):
        if split == "loso":
            splits += [f"loso:{s}" for s in sorted(set(speakers))]
        else:
            splits.append(split)
    for frontend in args.frontends.split(","):
        for augment in [a == "on" for a in args.augment.split(",")]:
            for split in splits:
                if split == "random":
                    chosen = list(range(len(files)))
                    held_out = []
                else:
                    speaker = split.split(":", 1)[1]
                    chosen = [i for i, s in enumerate(speakers) if s != speaker]
                    held_out = [i for i, s in enumerate(speakers) if s == speaker]
                model, val, best_epoch, curve, seconds = train_once(
                    [files[i] for i in chosen], [labels[i] for i in chosen], class_names, args,
                    frontend=frontend, augment=augment,
                )  # fmt: skip
                row = dict(
                    frontend=frontend, augment=augment, split=split, val_accuracy=round(val, 4),
                    best_epoch=best_epoch + 1, epochs=args.epochs, train_seconds=round(seconds, 1),
                    parameters=int(model.count_params()), val_curve=curve,
                    load_average=round(os.getloadavg()[0], 1),
                )  # fmt: skip
                if held_out:
                    test = test_dataset(
                        [files[i] for i in held_out], [labels[i] for i in held_out], class_names, args
                    )
                    row["held_out_accuracy"] = round(accuracy(model, test), 4)
                    row["held_out_files"] = len(held_out)
                rows.append(row)
                print(json.dumps(row), flush=True)
    return rows


def table(rows):
    lines = [
        "| Front end | Augment | Split | Held-out speaker acc. | Validation acc. (best epoch) | Train s |",
        "|---|---|---|---:|---:|---:|",
    ]
    for r in rows:
        held = f"{r['held_out_accuracy']:.3f}" if "held_out_accuracy" in r else "-"
        lines.append(
            f"| {r['frontend']} | {'on' if r['augment'] else 'off'} | {r['split']} | {held} | "
            f"{r['val_accuracy']:.3f} ({r['best_epoch']}/{r['epochs']}) | {r['train_seconds']:.0f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    from audioflow.models import TRAINING_DEFAULTS

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument(
        "--data", default=str(DEFAULT_DATA), help="the FSDD subset (default ../shared/data/fsdd-5spk)"
    )
    p.add_argument("--frontends", default="logmel", help="comma list of logmel,pcen,leaf")
    p.add_argument("--augment", default="on", help="comma list of on,off")
    p.add_argument(
        "--splits", default="random,loso", help="comma list: random, loso (all speakers), loso:<speaker>"
    )
    p.add_argument("--sample-rate", type=int, default=8000)
    p.add_argument("--duration", type=float, default=1.0)
    p.add_argument("--epochs", type=int, default=TRAINING_DEFAULTS["epochs"])
    p.add_argument("--batch-size", type=int, default=TRAINING_DEFAULTS["batch_size"])
    p.add_argument("--size", default=TRAINING_DEFAULTS["size"])
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", help="write the rows here as JSON")
    args = p.parse_args(argv)
    if not Path(args.data).is_dir():
        sys.exit(
            f"error: data folder '{args.data}' not found (the FSDD subset lives in ../shared/data/fsdd-5spk)"
        )
    rows = run(args)
    print(table(rows))
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
