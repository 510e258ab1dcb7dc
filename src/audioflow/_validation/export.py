"""Checks of :func:`audioflow.export.export_model`: the format, the backend, the model, the path."""

from __future__ import annotations

from pathlib import Path

from audioflow._validation.basic import check_bool, check_choice, parameter_error

#: Every export format, and the Keras backends that can produce each.
EXPORT_FORMATS = ("saved_model", "tflite", "onnx")
FORMAT_BACKENDS = {
    "saved_model": ("tensorflow", "jax"),
    "tflite": ("tensorflow", "jax"),
    "onnx": ("tensorflow", "jax", "torch"),
}


def formats_for_backend(backend: str) -> tuple[str, ...]:
    """The export formats the Keras backend ``backend`` can produce, in :data:`EXPORT_FORMATS` order."""
    return tuple(name for name in EXPORT_FORMATS if backend in FORMAT_BACKENDS[name])


def check_export_args(model, path, format, force, *, backend: str) -> tuple[Path, str, bool]:
    """Validate ``export_model``'s arguments once -> ``(path, format, force)``.

    The model must be a built Keras model whose first input is ``(batch, samples)`` (or
    ``(batch, samples, channels)``), further inputs being state (a streaming step model's); ``format`` one of :data:`EXPORT_FORMATS` that ``backend`` can
    produce; ``path`` must not exist unless ``force``.
    """
    import keras

    format = check_choice("format", format, EXPORT_FORMATS)
    force = check_bool("force", force)
    if format not in formats_for_backend(backend):
        able = ", ".join(repr(name) for name in formats_for_backend(backend))
        producers = " and ".join(FORMAT_BACKENDS[format])
        raise parameter_error(
            "format",
            f"one of {able} on the {backend} backend",
            hint=f"{format!r} is produced from the {producers} backends (set KERAS_BACKEND).",
            format=format,
            backend=backend,
        )
    if not isinstance(model, keras.Model):
        raise parameter_error("model", "a keras.Model", model=type(model).__name__)
    inputs = getattr(model, "inputs", None)
    if not inputs or len(inputs[0].shape) not in (2, 3):
        shapes = [tuple(x.shape) for x in inputs] if inputs else None
        raise parameter_error(
            "model",
            "a built model whose first input has shape (batch, samples) or (batch, samples, channels)",
            hint="Export a functional model made with keras.Input((samples,)); further inputs are "
            "state (a streaming step model's).",
            input_shapes=shapes,
        )
    if not isinstance(path, (str, Path)) or not str(path):
        raise parameter_error("path", "a file or folder path (str or pathlib.Path)", path=path)
    path = Path(path)
    if path.exists() and not force:
        raise parameter_error(
            "path", "a path that does not exist yet", hint="Pass force=True to replace it.", path=str(path)
        )
    return path, format, force


def unexportable_layer_error(format: str, layer: str, reason: str):
    """A format cannot carry a layer of the model: name both, and why."""
    return parameter_error(
        "model", f"made of layers that {format!r} can carry", hint=reason, format=format, layer=layer
    )
