"""``audioflow export MODEL.keras --format saved_model|tflite|onnx --out PATH``: a deployable artefact."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from audioflow.cli._common import CLIError, start_backend
from audioflow.cli.predict import load_model


def _load_any_model(path):
    """Any .keras model built from audioflow's layers (``audioflow train``'s classifier included)."""
    import keras

    import audioflow.layers  # noqa: F401  (registers the layers for loading)
    import audioflow.models  # noqa: F401  (and the classifier's blocks)

    return keras.saving.load_model(path, compile=False)


def _size(path: Path) -> int:
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return path.stat().st_size


def _check_out_spares_the_model(out: Path, model: Path) -> None:
    """``--out`` may be neither the input model nor a folder holding it (``--force`` would delete it)."""
    out_path, model_path = out.resolve(), model.resolve()
    if out_path == model_path:
        raise CLIError(f"--out '{out}' is the input model '{model}'; choose another path")
    if out_path in model_path.parents:
        raise CLIError(f"--out '{out}' contains the input model '{model}'; choose another path")


def _quiet_absl() -> None:
    """absl's own handler prints its warnings whatever the logger's level: set its verbosity."""
    try:
        from absl import logging as absl_logging
    except ImportError:  # no TensorFlow or JAX installed: nothing logs through absl
        return
    absl_logging.set_verbosity(absl_logging.ERROR)


def run(args):
    out = Path(args.out)
    _check_out_spares_the_model(out, Path(args.model))
    if os.path.lexists(out) and not args.force:
        raise CLIError(f"'{out}' already exists; pass --force to replace an earlier {args.format} artefact")
    from audioflow._backend import configured_backend
    from audioflow._validation.export import FORMAT_BACKENDS, formats_for_backend  # Keras-free

    backend = configured_backend()
    if args.format not in formats_for_backend(backend):
        able = ", ".join(formats_for_backend(backend))
        raise CLIError(
            f"--format {args.format} cannot be produced on the {backend} backend (it can: {able}): "
            f"{args.format} is produced from the {' and '.join(FORMAT_BACKENDS[args.format])} backends; "
            'run with KERAS_BACKEND=tensorflow (pip install "audioflow[tensorflow]")'
        )
    # TensorFlow is imported here (quietly) when installed; when it is not and the format needs it,
    # export_model says what needs it and how to install it.
    start_backend(verbose=args.verbose)
    from audioflow.export import export_model

    model = load_model(args.model, loader=_load_any_model)
    if not args.verbose:  # torch's ONNX exporter and absl (TensorFlow's loader) warn on stderr
        logging.getLogger("torch.onnx").setLevel(logging.ERROR)
        logging.getLogger("absl").setLevel(logging.ERROR)
        _quiet_absl()
    path = export_model(model, out, args.format, force=args.force)
    shape = tuple(model.inputs[0].shape)
    print(f"wrote {path} ({args.format}, {_size(path) / 1e6:.2f} MB; input (batch, {shape[1]}) float32)")
    return 0
