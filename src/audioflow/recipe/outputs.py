"""The outputs of :func:`audioflow.recipe.training.train_classifier`: report, plots, model; all or none.

Every file goes to a temporary name beside its final one; the renames happen at the end, with
Ctrl-C held back while they run, so an interrupted or failed run leaves the previous outputs
(or nothing) and no partial set. JSON is strict (``allow_nan=False``; missing values are null).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import threading
import time
from pathlib import Path

import numpy as np

OUTPUT_NAMES = (
    "model.keras",
    "report.json",
    "training_curves.png",
    "confusion_matrix.png",
    "examples_logmel.png",
)


def check_writable(out, *, force):
    """Refuse an ``out`` that is a file, or that holds outputs already (unless ``force``)."""
    from audioflow._validation import parameter_error

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise parameter_error("out", "a folder", hint="It exists and is a file.", out=str(out))
    existing = [name for name in OUTPUT_NAMES if (out / name).exists()]
    if existing and not force:
        raise parameter_error(
            "out", "a folder without earlier outputs (or pass force=True)", out=str(out), existing=existing
        )


def strict_json(value) -> str:
    """JSON text with non-finite floats written as null (strict JSON, as every reader accepts)."""

    def clean(v):
        if isinstance(v, float | np.floating):
            return float(v) if math.isfinite(v) else None
        if isinstance(v, np.integer):
            return int(v)
        if isinstance(v, dict):
            return {str(k): clean(x) for k, x in v.items()}
        if isinstance(v, list | tuple | np.ndarray):
            return [clean(x) for x in v]
        return v

    return json.dumps(clean(value), indent=2, allow_nan=False) + "\n"


def build_report(*, model, data, evaluation, fit, settings, extra=None) -> dict:
    import keras

    from audioflow import __version__
    from audioflow.recipe.model import classifier_info

    info = classifier_info(model)
    features = {"sample_rate": info["sample_rate"], **info["feature_config"]}
    n_fft = features.get("n_fft")
    # One source of truth: an option the model resolved (n_fft=None -> 256) is reported as resolved.
    model_settings = {
        k: features.get(k, v)
        for k, v in settings.items()
        if k not in ("epochs", "batch_size", "learning_rate", "seed", "validation_split", "on_error", "cache")
    }
    report = {
        "audioflow_version": __version__,
        "backend": keras.backend.backend(),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        # One figure: the final evaluation of the restored best epoch on the centre crops.
        "val_accuracy": evaluation.accuracy,
        "evaluation_accuracy": evaluation.accuracy,
        "best_epoch": fit.best_epoch + 1,
        "classes": list(data.class_names),
        "per_class_accuracy": evaluation.per_class_accuracy,
        "confusion_matrix": {
            "rows": "true class",
            "columns": "predicted class",
            "labels": list(data.class_names),
            "counts": evaluation.confusion_matrix.tolist(),
        },
        "evaluation": {"clips": evaluation.clips, "crop": "center", "weights": "best epoch"},
        "data": {
            "directory": data.directory,
            "train_files": data.train_files,
            "validation_files": data.validation_files,
            "validation_split": settings["validation_split"],
            "on_error": settings["on_error"],
        },
        "features": {
            **features,
            "hop_length_resolved": features.get("hop_length") or (n_fft // 4 if n_fft else None),
            "duration": info["clip_samples"] / info["sample_rate"],
            "clip_samples": info["clip_samples"],
        },
        "training": {
            "epochs": settings["epochs"],
            "epochs_run": len(fit.history.get("loss", [])),
            "batch_size": settings["batch_size"],
            "learning_rate": settings["learning_rate"],
            "seed": settings["seed"],
            "cache": settings["cache"],
            "parameters": int(model.count_params()),
            **model_settings,
        },
        "history": fit.history,
        "timings": {
            "training_s": round(fit.seconds, 3),
            "epoch_s": [round(s, 3) for s in fit.epoch_seconds],
            "train_clips_per_second": round(float(np.median(fit.clips_per_second)), 1)
            if fit.clips_per_second
            else None,
            "evaluation_s": round(evaluation.seconds, 3),
        },
        "skipped_files": data.skipped(),
    }
    return merge_sections(report, extra)


def merge_sections(report: dict, extra: dict | None) -> dict:
    """``report`` updated in place with ``extra``, one level deep (a section's entries are added)."""
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(report.get(key), dict):
            report[key].update(value)
        else:
            report[key] = value
    return report


# ---------------------------------------------------------------- figures


def _figure(width, height):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _curves(path, history, best_epoch=None):
    from audioflow import display

    fig = _figure(10, 3.8)
    curves = {k: [math.nan if v is None else v for v in values] for k, values in history.items()}
    display.plot_history(curves, axes=fig.subplots(1, 2), best_epoch=best_epoch)
    fig.suptitle("Training curves")
    fig.savefig(path, dpi=110, format="png")


def _confusion(path, evaluation):
    from audioflow import display

    names = evaluation.class_names
    size = max(4.5, 0.6 * len(names) + 2.5)
    fig = _figure(size + 0.5, size)
    ax = fig.add_subplot()
    display.plot_confusion_matrix(evaluation.confusion_matrix, names, ax=ax)
    ax.set_title(
        f"Validation confusion matrix (accuracy {evaluation.accuracy:.3f}, {evaluation.clips} clips)"
    )
    fig.savefig(path, dpi=110, format="png")


def _examples(path, evaluation, features):
    """A log-mel spectrogram of one validation clip per class (the model's STFT and mel settings)."""
    from audioflow import display
    from audioflow.extract import extract_features, feature_settings

    sr = features["sample_rate"]
    options = {k: features[k] for k in ("n_fft", "hop_length", "n_mels", "f_min", "f_max") if features.get(k)}
    settings = feature_settings("logmel", sample_rate=sr, **options)
    names = evaluation.class_names
    cols = min(3, max(1, len(evaluation.examples)))
    fig = _figure(4.2 * cols + 0.8, 2.9 * max(1, math.ceil(len(names) / cols)))
    examples = {
        name: extract_features(evaluation.examples[i], sample_rate=sr, kind="logmel", **options)
        if i in evaluation.examples
        else None
        for i, name in enumerate(names)
    }
    display.plot_class_examples(
        examples, sample_rate=sr, hop_length=settings["hop_length"], f_min=settings["f_min"],
        f_max=settings["f_max"], fig=fig, columns=cols,
    )  # fmt: skip
    fig.suptitle(
        f"Log-mel spectrogram of one validation clip per class ({sr} Hz, n_fft={settings['n_fft']}, "
        f"hop_length={settings['hop_length']}, n_mels={settings['n_mels']})",
        fontsize=10,
    )
    fig.savefig(path, dpi=100, format="png")


# ---------------------------------------------------------------- all or nothing


@contextlib.contextmanager
def _ctrl_c_held_back():
    """Hold SIGINT back while the block runs (main thread only); raise KeyboardInterrupt after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda *_: received.append(True))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt


def write_all(out, *, model, evaluation, history, report, force) -> dict:
    check_writable(out, force=force)
    out = Path(out)
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    final = {name: out / name for name in OUTPUT_NAMES}
    report = {**report, "outputs": {name: str(path) for name, path in final.items()}}
    writers = {
        "model.keras": lambda p: model.save(p),
        "report.json": lambda p: p.write_text(strict_json(report)),
        "training_curves.png": lambda p: _curves(p, history, report.get("best_epoch")),
        "confusion_matrix.png": lambda p: _confusion(p, evaluation),
        "examples_logmel.png": lambda p: _examples(p, evaluation, report["features"]),
    }
    token = f".partial-{os.getpid()}"
    # Keras insists on the .keras suffix: the temporary name keeps it ("name.partial-N.keras").
    temporary = {name: out / f".{Path(name).stem}{token}{Path(name).suffix}" for name in OUTPUT_NAMES}
    try:
        for name in OUTPUT_NAMES:
            writers[name](temporary[name])
        with _ctrl_c_held_back():
            for name in OUTPUT_NAMES:
                os.replace(temporary[name], final[name])
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)
        if created and not any(out.iterdir()):
            out.rmdir()
    return {name: str(path) for name, path in final.items()}
