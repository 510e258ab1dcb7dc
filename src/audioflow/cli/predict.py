"""``audioflow predict MODEL FILE_OR_DIR...``: one line per file, label and probability."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import numpy as np

from audioflow.cli._common import CLIError, find_inputs, start_backend


def windows(y, clip, hop):
    """Cut ``y`` into windows of ``clip`` samples every ``hop`` samples -> ``(n, clip)``.

    A clip shorter than the window is zero-padded (as in training); the last window is
    aligned to the end of the signal so no sample is left unscored.
    """
    if y.size <= clip:
        return np.pad(y, (0, clip - y.size))[None, :]
    starts = list(range(0, y.size - clip + 1, hop))
    if starts[-1] != y.size - clip:
        starts.append(y.size - clip)
    return np.stack([y[s : s + clip] for s in starts])


def load_model(path, *, loader=None):
    """Load a model written by ``audioflow train`` (``loader``: another ``path -> result`` for .keras
    files, e.g. ``keras.saving.load_model``); any failure is a CLIError naming the file."""
    from audioflow.models import load_classifier

    loader = loader or load_classifier
    model_path = Path(path)
    if not model_path.exists():
        raise CLIError(f"model '{path}' does not exist")
    if model_path.is_dir():
        raise CLIError(f"model '{path}' is a folder; pass the model.keras file inside it")
    if not zipfile.is_zipfile(model_path):
        # Keras says "File not found" for any file that is not a zip archive: say what is wrong.
        raise CLIError(f"cannot load model '{path}': not a .keras file (a .keras model is a zip archive)")
    try:
        return loader(model_path)
    except Exception as exc:  # zipfile, JSON, Keras deserialisation errors all mean the same thing
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if len(reason) > 300:
            reason = reason[:300] + "..."
        raise CLIError(f"cannot load model '{path}': {reason}") from exc


def run(args):
    files, absent = find_inputs(args.inputs)
    if not files:  # nothing to predict: the first problem is the error
        raise CLIError(absent[0][1])
    start_backend(verbose=args.verbose)
    model, info = load_model(args.model)
    from audioflow.data import load

    names = info["class_names"]
    sr, clip = info["sample_rate"], info["clip_samples"]
    hop = max(1, int(round(args.window_hop * sr))) if args.window_hop else max(1, clip // 2)

    bad = len(absent)  # missing inputs are reported first; the others are still predicted
    for path, problem in absent:
        if args.json:
            print(json.dumps({"path": path, "error": problem}))
        print(f"error: {problem}", file=sys.stderr)
    pending = []  # (path, n_windows, windows)

    def flush():
        if not pending:
            return
        batch = np.concatenate([w for _, _, w in pending]).astype(np.float32)
        probabilities = np.asarray(model.predict(batch, batch_size=args.batch_size, verbose=0))
        start = 0
        for path, count, _ in pending:
            mean = probabilities[start : start + count].mean(axis=0)
            start += count
            best = int(mean.argmax())
            if args.json:
                record = {
                    "path": str(path),
                    "label": names[best],
                    "probability": round(float(mean[best]), 6),
                    "probabilities": {name: round(float(p), 6) for name, p in zip(names, mean, strict=True)},
                    "windows": count,
                }
                print(json.dumps(record))
            else:
                print(f"{path}\t{names[best]}\t{mean[best]:.4f}")
        sys.stdout.flush()
        pending.clear()

    queued = 0
    for path in files:
        try:
            y, _ = load(path, sample_rate=sr, mono=True)
        except OSError as exc:  # AudioDecodeError: names the file and the reason
            flush()
            queued = 0
            bad += 1
            if args.json:
                print(json.dumps({"path": str(path), "error": str(getattr(exc, "reason", exc))}))
            print(f"error: {exc}", file=sys.stderr)
            continue
        w = windows(np.asarray(y, dtype=np.float32).reshape(-1), clip, hop)
        pending.append((path, w.shape[0], w))
        queued += w.shape[0]
        if queued >= 4 * args.batch_size:
            flush()
            queued = 0
    flush()
    if bad:
        print(f"{bad} of {len(files) + len(absent)} input(s) could not be read", file=sys.stderr)
    return 1 if bad else 0
