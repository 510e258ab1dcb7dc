"""SavedModel and TFLite artefacts (TensorFlow and JAX backends), and runners for them.

SavedModel: ``keras.Model.export(format="tf_saved_model")``; the batch dimension (and a ``None``
length) stays dynamic (a ``tf.function`` signature on TensorFlow; jax2tf shape polymorphism on JAX).

TFLite: the TensorFlow-backend SavedModel converted with builtin operators only (no Flex/Select TF
ops), so it runs on the plain TFLite/LiteRT runtime, at any batch size (``resize_tensor_input``).
On the JAX backend the model is re-traced under the TensorFlow backend in a child process (same
config, same weights): TFLite's StableHLO import cannot take the dynamic-batch gathers and slices
that jax2tf emits ("'vhlo.dynamic_gather_v1' op is not part of the vhlo support yet").
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sys
import tempfile
import warnings
from pathlib import Path

import keras
import numpy as np

from audioflow._validation import unexportable_layer_error
from audioflow.errors import MissingDependencyError, ParameterError
from audioflow.ops.dft import power_of_two_ffts

#: The SavedModel endpoint holding the model's forward pass (Keras' default name).
ENDPOINT = "serve"
#: The exit code of the TFLite child process when the model has a layer TFLite cannot carry.
_REFUSED = 3


#: Why each use of TensorFlow needs it, for the install advice when it is missing.
_NEEDS = {
    "saved_model": "SavedModel export needs TensorFlow (on the JAX backend too: jax2tf writes the SavedModel)",
    "tflite": "TFLite export needs TensorFlow (its converter writes the .tflite file; on the JAX backend "
    "the model is re-traced by the TensorFlow backend first)",
    "load_saved_model": "Loading a SavedModel needs TensorFlow",
}


def _missing_tensorflow(use: str) -> MissingDependencyError:
    return MissingDependencyError(
        f'{_NEEDS[use]}, which is not installed. Install it with: pip install "audioflow[tensorflow]".'
    )


def _tensorflow(use: str = "saved_model"):
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise _missing_tensorflow(use) from exc
    return tf


def export_saved_model(model, path) -> None:
    """Write ``model`` as a SavedModel folder with one endpoint, ``serve`` (``serving_default``)."""
    _tensorflow("saved_model")
    if keras.backend.backend() != "jax":
        model.export(str(path), format="tf_saved_model", verbose=False)
        return
    absl = logging.getLogger("absl")
    level = absl.level
    # Re-loading warns that jax2tf's custom gradients were not saved: serving needs none.
    absl.setLevel(logging.ERROR)
    try:
        with tempfile.TemporaryDirectory(prefix="audioflow-export-") as folder:
            model.export(folder, format="tf_saved_model", verbose=False)
            _save_serving_empty_batches(folder, path)
    finally:
        absl.setLevel(level)


def _save_serving_empty_batches(source, path) -> None:
    """Re-save the JAX SavedModel at ``source`` to ``path`` with a ``serve`` that takes a batch of 0.

    jax2tf's shape polymorphism assumes every symbolic dimension is >= 1 (jax.export has no
    ``>= 0`` constraint), so the module refuses an empty batch ("Expected value >= 1 for dimension
    variable 'batch'"). The new endpoint runs the module on a batch of one zero example instead and
    returns its outputs cut to no examples: the shapes and dtypes an empty batch has.
    """
    tf = _tensorflow()
    inner = tf.saved_model.load(str(source))
    arguments, _ = getattr(inner, ENDPOINT).concrete_functions[0].structured_input_signature

    def one_zero_example(spec):
        return tf.zeros(tf.concat([[1], tf.shape(spec)[1:]], 0), spec.dtype)

    def serve(*inputs):
        def empty():
            padded = tf.nest.map_structure(one_zero_example, inputs)
            return tf.nest.map_structure(lambda y: y[:0], getattr(inner, ENDPOINT)(*padded))

        batch = tf.shape(tf.nest.flatten(inputs)[0])[0]
        return tf.cond(batch > 0, lambda: getattr(inner, ENDPOINT)(*inputs), empty)

    module = tf.Module()
    module.inner = inner
    setattr(module, ENDPOINT, tf.function(serve, input_signature=arguments, autograph=False))
    endpoint = getattr(module, ENDPOINT).get_concrete_function()
    signatures = {ENDPOINT: endpoint, "serving_default": endpoint}
    # An exported model serves inference: jax2tf's custom gradients would not re-save.
    options = tf.saved_model.SaveOptions(experimental_custom_gradients=False)
    tf.saved_model.save(module, str(path), signatures=signatures, options=options)


def export_tflite(model, path) -> None:
    """Write ``model`` as a ``.tflite`` flatbuffer of builtin operators with a dynamic batch."""
    if keras.backend.backend() == "tensorflow":
        Path(path).write_bytes(_convert_to_tflite(model))
        return
    if importlib.util.find_spec("tensorflow") is None:  # the child process would fail to import it
        raise _missing_tensorflow("tflite")
    from audioflow.export._child import layer_modules

    modules = layer_modules(model)
    with tempfile.TemporaryDirectory(prefix="audioflow-export-") as folder:
        saved = Path(folder).resolve() / "model.keras"
        model.save(saved)
        _tflite_in_tensorflow_process(saved, Path(path).resolve(), modules)


def _convert_to_tflite(model) -> bytes:
    tf = _tensorflow("tflite")
    with tempfile.TemporaryDirectory(prefix="audioflow-export-") as folder:
        with power_of_two_ffts():  # TFLite's RFFT2D takes power-of-two lengths only
            export_saved_model(model, folder)
        converter = tf.lite.TFLiteConverter.from_saved_model(folder)
        converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS]
        try:
            content = converter.convert()
        except Exception as exc:  # ConverterError: an op outside the builtin set
            raise _conversion_error(model, str(exc)) from exc
    flex = [name for name in tflite_operators(content) if name.startswith("Flex")]
    if flex:  # pragma: no cover - the builtin-only converter refuses these itself
        raise unexportable_layer_error("tflite", "?", f"The converted model uses Flex ops {flex}.")
    return content


def _conversion_error(model, message: str):
    """Name the first layer the converter's error mentions, and the operators it could not convert."""
    ops = sorted(set(re.findall(r"'(tf\.[A-Za-z0-9_]+)'", message))) or ["unknown"]
    # Ops are located as ".../<layer name>[_<n>]/<op>" (Keras adds "_<n>" inside a model's scope).
    named = (layer.name for layer in model.layers if re.search(rf"/{re.escape(layer.name)}(_\d+)?/", message))
    culprit = next(named, "unknown")
    return unexportable_layer_error(
        "tflite",
        culprit,
        f"TFLite's builtin operators cannot express {', '.join(ops)} (Flex ops are not used: they need "
        "the TensorFlow runtime on the device).",
    )


def _tflite_in_tensorflow_process(keras_file: Path, path: Path, modules=()) -> None:
    from audioflow.export._child import run_under_tensorflow

    done = run_under_tensorflow(
        "audioflow.export._tensorflow", keras_file, path, cwd=keras_file.parent, modules=modules
    )
    if done.returncode == _REFUSED:  # the child's ParameterError (a layer TFLite cannot carry)
        raise ParameterError(done.stderr.strip().splitlines()[-1])
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise RuntimeError(
            "TFLite export under the TensorFlow backend failed: " + (lines[-1] if lines else "no output")
        )


def tflite_operators(content: bytes) -> list[str]:
    """The operator names of a TFLite flatbuffer (``"FULLY_CONNECTED"``, ``"FlexRFFT"``...)."""
    interpreter = _interpreter(content)
    return sorted({op["op_name"] for op in interpreter._get_ops_details()})


def _interpreter(content: bytes):
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        try:
            import tensorflow as tf
        except ImportError as exc:
            raise MissingDependencyError(
                "Running a .tflite file needs the LiteRT interpreter or TensorFlow, and neither is installed. "
                'Install one with: pip install ai-edge-litert (or pip install "audioflow[tensorflow]").'
            ) from exc
        Interpreter = tf.lite.Interpreter
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        return Interpreter(model_content=content)


class TFLiteRunner:
    """Run a ``.tflite`` file on ``(batch, samples)`` float32 arrays of any batch size."""

    def __init__(self, path):
        self.interpreter = _interpreter(Path(path).read_bytes())
        self._input = self.interpreter.get_input_details()[0]["index"]
        self._output = self.interpreter.get_output_details()[0]["index"]
        self._shape = None

    def __call__(self, x) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=np.float32)
        if self._shape != x.shape:
            self.interpreter.resize_tensor_input(self._input, list(x.shape), strict=False)
            self.interpreter.allocate_tensors()
            self._shape = x.shape
        self.interpreter.set_tensor(self._input, x)
        self.interpreter.invoke()
        return self.interpreter.get_tensor(self._output)


class SavedModelRunner:
    """Run a SavedModel folder's ``serve`` endpoint on ``(batch, samples)`` float32 arrays."""

    def __init__(self, path):
        tf = _tensorflow("load_saved_model")
        self._tf = tf
        self.module = tf.saved_model.load(str(path))

    def __call__(self, x) -> np.ndarray:
        x = self._tf.constant(np.asarray(x, dtype=np.float32))
        return getattr(self.module, ENDPOINT)(x).numpy()


def _main(argv) -> int:
    """``python -m audioflow.export._tensorflow MODEL.keras OUT.tflite`` under the TensorFlow backend."""
    import audioflow.layers  # noqa: F401  (registers audioflow's layers for loading)
    import audioflow.models  # noqa: F401  (and the classifier's)
    import audioflow.streaming.step  # noqa: F401  (and a streaming step model's)
    from audioflow.export._child import import_layer_modules

    import_layer_modules()  # the model's own registered layers
    source, target = argv
    model = keras.saving.load_model(source, compile=False)
    try:
        Path(target).write_bytes(_convert_to_tflite(model))
    except ParameterError as exc:
        print(exc, file=sys.stderr)
        return _REFUSED
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
