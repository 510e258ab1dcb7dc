"""Shared plumbing of the command line: errors, option types, input discovery, safe outputs."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import os
import sys
from pathlib import Path


class CLIError(Exception):
    """Bad input detected by the command line: printed as one ``error: ...`` line, exit code 2."""


# ---------------------------------------------------------------- option types


def _integer(text, minimum, expected):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return value


def positive_int(text):
    return _integer(text, 1, "a positive integer")


def non_negative_int(text):
    return _integer(text, 0, "an integer >= 0")


def _float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return value


def positive_float(text):
    value = _float(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return value


def non_negative_float(text):
    value = _float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def open_fraction(text):
    value = _float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number strictly between 0 and 1, got {text!r}")
    return value


# ---------------------------------------------------------------- inputs


def find_inputs(paths, *, what="input"):
    """Files named on the command line (folders searched recursively for audio files) -> ``(files, problems)``.

    ``problems``: ``(path, message)`` for each path that is missing or is a folder without audio files.
    """
    files, problems = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            from audioflow.io import scan_audio_files

            found = [Path(p) for p in scan_audio_files(path)]
            if not found:
                problems.append((str(raw), f"no audio files in folder '{raw}'"))
            files.extend(found)
        elif path.exists():
            files.append(path)
        else:
            problems.append((str(raw), f"{what} '{raw}' does not exist"))
    return files, problems


def expand_inputs(paths, *, what="input"):
    """Files named on the command line; folders are searched recursively for audio files.

    Raises CLIError for a missing path or a folder with no audio files.
    """
    files, problems = find_inputs(paths, what=what)
    if problems:
        raise CLIError(problems[0][1])
    return files


# ---------------------------------------------------------------- outputs


def check_outputs(paths, *, force):
    """Refuse to overwrite existing files unless ``--force``."""
    existing = [str(p) for p in paths if Path(p).exists()]
    if existing and not force:
        shown = ", ".join(f"'{p}'" for p in existing[:3]) + (" ..." if len(existing) > 3 else "")
        raise CLIError(f"{shown} already exist{'s' if len(existing) == 1 else ''}; pass --force to overwrite")
    for p in paths:
        if Path(p).is_dir():
            raise CLIError(f"output '{p}' is a folder, not a file")


def prepare_out_dir(out):
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise CLIError(f"--out '{out}' exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    return out


def field(obj, name, default=None):
    """Read ``name`` from a dict-like or attribute-style record."""
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def new_figure(width=10.0, height=4.0):
    """A matplotlib Figure on the non-interactive Agg canvas (no display, no pyplot state)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


_QUIET = {"done": False}


def _import_backend(need_tensorflow, tensorflow_if_installed=False):
    """Import Keras and its backend (and TensorFlow for tf.data); a missing one is named with its install command."""
    from audioflow.errors import MissingDependencyError

    backend = os.environ.get("KERAS_BACKEND", "tensorflow")
    try:
        import keras

        keras.ops.convert_to_numpy(keras.ops.ones((1,)))
        backend = keras.backend.backend()
    except ImportError as exc:
        raise MissingDependencyError(
            f"Keras or its {backend!r} backend is not installed ({exc}). Install them with "
            f"`pip install audioflow[{backend}]`, or set KERAS_BACKEND to an installed backend "
            "(tensorflow, jax or torch)."
        ) from exc
    if not (need_tensorflow or backend == "tensorflow"):
        if not tensorflow_if_installed or importlib.util.find_spec("tensorflow") is None:
            return
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise MissingDependencyError(
            "audioflow's input pipeline (tf.data) needs TensorFlow, which is not installed. "
            "Install it with `pip install audioflow[tensorflow]` (the datasets then feed Keras on "
            "any backend)."
        ) from exc
    tf.constant(0.0).numpy()


def _wants_tensorflow_logs(verbose) -> bool:
    """``--verbose``, or a TF_CPP_MIN_LOG_LEVEL the user set below 2 (asking for TensorFlow's INFO/WARNING lines)."""
    return verbose or os.environ.get("TF_CPP_MIN_LOG_LEVEL", "").strip() in ("0", "1")


@contextlib.contextmanager
def _stderr_to_devnull():
    """File descriptor 2 to /dev/null for the block (C++ logging bypasses Python's sys.stderr)."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except (OSError, ValueError):
        saved = None
    try:
        yield
    finally:
        if saved is not None:
            os.dup2(saved, 2)
            os.close(saved)


def start_backend(*, need_tensorflow=False, verbose=False, tensorflow_if_installed=True):
    """Import Keras (and TensorFlow when the command needs it) before any work, without TensorFlow's chatter.

    TensorFlow's C++ runtime writes start-up lines (absl's "All log messages before
    absl::InitializeLog()", the oneDNN notice, CUDA probing) straight to file descriptor 2 at
    import and at its first op; since TensorFlow 2.20 they ignore TF_CPP_MIN_LOG_LEVEL. Unless
    ``--verbose`` (or a TF_CPP_MIN_LOG_LEVEL of 0 or 1 the user set), file descriptor 2 goes to
    /dev/null during the import and one trivial op; TF_CPP_MIN_LOG_LEVEL defaults to 2 for what
    follows. Python exceptions still propagate. ``tensorflow_if_installed`` (default True): import
    TensorFlow here when it is installed, without requiring it: Keras imports it on every backend
    when it is there (saving and loading check ``tf.available``), which would print the lines later.
    """
    if _QUIET["done"]:
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if verbose else "2")
    quiet = contextlib.nullcontext() if _wants_tensorflow_logs(verbose) else _stderr_to_devnull()
    with quiet:
        _import_backend(need_tensorflow, tensorflow_if_installed)
    _QUIET["done"] = True
