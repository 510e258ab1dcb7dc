"""Export a model that takes raw audio to a deployable artefact: SavedModel, TFLite or ONNX.

:func:`export_model` writes the artefact; :func:`load_exported` runs one from Python (for checks
and benchmarks). The artefact takes float32 waveforms ``(batch, samples)`` with a dynamic batch
size (and a variable length where the model's input has ``None`` samples), and computes the
features inside, so serving cannot disagree with training.

Which backend produces which format (:func:`formats_for_backend`):

=============  ==========  ====  =====
format         tensorflow  jax   torch
=============  ==========  ====  =====
saved_model    yes         yes   no
tflite         yes         yes   no
onnx           yes         yes   yes
=============  ==========  ====  =====
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import keras

from audioflow._validation import EXPORT_FORMATS, check_export_args
from audioflow._validation import formats_for_backend as _formats_for
from audioflow.export._artefacts import check_replaceable, install

__all__ = ["EXPORT_FORMATS", "export_model", "formats_for_backend", "load_exported"]


def formats_for_backend(backend: str | None = None) -> tuple[str, ...]:
    """The formats :func:`export_model` can write under ``backend`` (default: the current Keras backend).

    Example:
        >>> formats_for_backend("torch")
        ('onnx',)
    """
    return _formats_for(backend or keras.backend.backend())


def export_model(model, path, format: str = "saved_model", *, force: bool = False) -> Path:
    """Write ``model`` (raw waveforms in) as a SavedModel folder, a ``.tflite`` file or a ``.onnx`` file.

    Args:
        model: a built Keras model with one input ``(batch, samples)`` (``samples`` may be None),
            e.g. ``audioflow train``'s ``model.keras`` or any model using audioflow's layers.
        path: where to write: a folder for "saved_model", a file for "tflite" and "onnx".
        format: "saved_model" (TensorFlow, JAX), "tflite" (TensorFlow, JAX; builtin operators
            only, no Flex) or "onnx" (all backends; standard-domain operators, opset 17).
        force: replace an earlier artefact of the same format at ``path`` (default False: an
            existing path is an error). Only an artefact is ever replaced: a SavedModel folder
            (``saved_model.pb`` and TensorFlow's files beside it, nothing else), a ``.tflite``
            flatbuffer, an ONNX model; anything else (a folder of other files, the working
            folder or a parent of it, a file of another kind) is refused and left as it is.

    Returns:
        ``path`` as a :class:`pathlib.Path`. The artefact is written next to ``path`` first and
        renamed into place, so a failed export leaves an existing ``path`` untouched.

    Raises:
        ParameterError: a format this backend cannot produce, an existing path without
            ``force``, a path ``force`` may not replace, a model without one waveform input, or a
            layer the format cannot carry.

    Keras equivalent: ``model.export(path, format="tf_saved_model" | "litert" | "onnx")``, with a
    dynamic batch on every format and a builtin-only TFLite model.

    Example:
        >>> export_model(model, "logmel.tflite", format="tflite")  # doctest: +SKIP
    """
    backend = keras.backend.backend()
    path, format, force = check_export_args(model, path, format, force, backend=backend)
    check_replaceable(path, format)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Absolute: the JAX routes write from a child process started in another folder.
    with tempfile.TemporaryDirectory(prefix=f".{path.name}-", dir=path.parent.resolve()) as folder:
        staged = Path(folder) / path.name
        _writer(format)(model, staged)
        check_replaceable(path, format)  # what is there now, after a long export
        install(staged, path)
    return path


def _writer(format: str):
    if format == "onnx":
        from audioflow.export._onnx import export_onnx

        return export_onnx
    from audioflow.export import _tensorflow

    return _tensorflow.export_saved_model if format == "saved_model" else _tensorflow.export_tflite


def load_exported(path, format: str):
    """A callable running an exported artefact: float32 ``(batch, samples)`` NumPy in, NumPy out.

    "saved_model" loads with ``tf.saved_model.load`` (endpoint ``serve``), "tflite" with the
    LiteRT interpreter (``ai_edge_litert``, else ``tf.lite.Interpreter``; the input is resized to
    each batch), "onnx" with ``onnxruntime`` (CPU).
    """
    from audioflow._validation import check_choice

    format = check_choice("format", format, EXPORT_FORMATS)
    if format == "onnx":
        return _onnx_runner(path)
    from audioflow.export import _tensorflow

    return (_tensorflow.SavedModelRunner if format == "saved_model" else _tensorflow.TFLiteRunner)(path)


def _onnx_runner(path):
    import numpy as np

    try:
        import onnxruntime
    except ImportError as exc:
        from audioflow.errors import MissingDependencyError

        raise MissingDependencyError(
            'Running an ONNX model needs onnxruntime, which is not installed. Install it with: pip install "audioflow[export]".'
        ) from exc

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name

    def run(x):
        return session.run(None, {name: np.asarray(x, dtype=np.float32)})[0]

    return run
