"""ONNX export from every Keras backend, with the STFT traced as real matrix products.

ONNX has no complex tensors, so the model is traced inside :func:`audioflow.ops.export_safe_stft`
(a gather for framing, ``frames @ cos`` / ``frames @ -sin`` for the FFT). Per backend:

- TensorFlow: a ``tf.function`` with a ``(None, samples)`` signature, converted by ``tf2onnx``.
- PyTorch: ``torch.onnx.export`` (the ``torch.export``-based exporter, onnxscript) with a
  dynamic batch (and length) dimension.
- JAX: ``jax2tf`` only writes ``XlaCallModule`` (StableHLO) nodes, which ``tf2onnx`` cannot
  convert, and Keras' own JAX route needs ``jax2onnx`` (with flax, optax, orbax...). The model is
  saved as ``.keras`` and exported by the TensorFlow backend in a child process instead: the same
  layers and weights, so the same graph as a TensorFlow-backend export.

The artefact takes ``waveform``: float32 ``(batch, samples)``; only standard-domain operators
("" or "ai.onnx") are allowed.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import keras

from audioflow._validation import (
    check_onnx_opset,
    check_waveform_model,
    onnx_domain_error,
    onnx_layer_error,
)
from audioflow.errors import MissingDependencyError
from audioflow.ops import export_safe_stft

#: The exported graph's input name.
INPUT_NAME = "waveform"
_STANDARD_DOMAINS = ("", "ai.onnx")
#: torch.onnx's exporter writes opset 18 and up (its down-conversion to 17 fails on Pad).
_TORCH_MIN_OPSET = 18


def export_onnx(model, path, *, opset: int = 17) -> Path:
    """Write ``model`` as an ONNX file taking float32 waveforms ``(batch, samples)``.

    Args:
        model: a built Keras model with one ``(batch, samples)`` input (``samples`` may be None).
        path: the ``.onnx`` file to write (replaced if it exists).
        opset: the ONNX opset, >= 17 (default 17).

    Returns:
        ``path`` as a :class:`pathlib.Path`.

    Raises:
        ParameterError: a model without one waveform input, an opset outside ``[17, newest]``,
            a layer ONNX cannot carry, or non-standard operators in the graph.
        MissingDependencyError: ``onnx`` (and ``tf2onnx``/TensorFlow, or ``onnxscript``) missing.

    The batch is dynamic; the length too when the model's input length is None. Outputs equal the
    Keras model's to float32 rounding (the DFT is a matrix product, not an FFT).
    Keras equivalent: ``model.export(path, format="onnx")`` (which fails on complex STFTs).

    Example:
        >>> export_onnx(model, "logmel.onnx")  # doctest: +SKIP
    """
    onnx = _require("onnx", "onnx")
    opset = check_onnx_opset(opset, onnx.defs.onnx_opset_version())
    shapes = check_waveform_model(model)
    path = Path(path)
    backend = keras.backend.backend()
    if backend == "jax":
        proto = _through_tensorflow(model, opset)
    else:
        with export_safe_stft():
            proto = _from_tensorflow(model, shapes, opset) if backend == "tensorflow" else None
            proto = proto if proto is not None else _from_torch(model, shapes, opset)
    check_standard_domains(proto)
    _check_operators(onnx, proto)
    onnx.save(proto, str(path))
    return path


def non_standard_operators(proto) -> list[str]:
    """``domain::op`` of every node (in the graph, its subgraphs and functions) outside ONNX's standard domain."""
    found = []

    def visit(nodes):
        for node in nodes:
            if node.domain not in _STANDARD_DOMAINS:
                found.append(f"{node.domain}::{node.op_type}")
            for attribute in node.attribute:
                for graph in [attribute.g, *attribute.graphs]:
                    visit(graph.node)

    visit(proto.graph.node)
    for function in proto.functions:
        visit(function.node)
    return found


def check_standard_domains(proto) -> None:
    """Raise :func:`onnx_domain_error` when the model uses operators outside the standard domain."""
    found = non_standard_operators(proto)
    if found:
        raise onnx_domain_error(found)


def _check_operators(onnx, proto) -> None:
    """Refuse a graph with operators ONNX does not define, naming the layer they come from.

    tf2onnx logs an unsupported TensorFlow op and copies it into the graph as is; such a file
    fails to load in onnxruntime, so it is refused here with the layer (the node's name scope).
    """
    for node in proto.graph.node:
        if node.domain in _STANDARD_DOMAINS and not onnx.defs.has(node.op_type):
            scopes = node.name.split("/")
            layer = scopes[1] if len(scopes) > 2 else node.name
            raise onnx_layer_error(layer, f"Its TensorFlow operation {node.op_type!r} has no ONNX operator.")
    onnx.checker.check_model(proto)


def _require(module: str, package: str):
    """Import ``module``; missing, say which module is missing (``package``'s own, or one it imports)."""
    try:
        return __import__(module)
    except ImportError as error:
        missing = (getattr(error, "name", None) or module).partition(".")[0]
        if missing != module:  # the package is there; something it imports is not
            raise MissingDependencyError(
                f"ONNX export needs the '{package}' package, whose import failed because the module "
                f"'{missing}' is not installed ({error}). Install it with: pip install {missing}."
            ) from error
        raise MissingDependencyError(
            f"ONNX export needs the '{package}' package, which is not installed. Install it with: "
            'pip install "audioflow[export]".'
        ) from error


def _require_tensorflow_for_jax() -> None:
    """The JAX route re-exports under the TensorFlow backend: say so when TensorFlow is missing."""
    if importlib.util.find_spec("tensorflow") is None:
        raise MissingDependencyError(
            "ONNX export on the JAX backend goes through TensorFlow (the model is re-traced by the "
            "TensorFlow backend and converted by tf2onnx), and TensorFlow is not installed. Install it "
            'with: pip install "audioflow[tensorflow,export]", or export from the TensorFlow or PyTorch '
            "backend (KERAS_BACKEND=tensorflow or torch)."
        )


def input_names(model) -> list[str]:
    """The exported graph's input names: ``waveform``, then the model's names for its state inputs."""
    return [INPUT_NAME] + [i.name for i in model.inputs[1:]]


def _call(model, inputs):
    return model(inputs[0] if len(inputs) == 1 else list(inputs), training=False)


def _from_tensorflow(model, shapes, opset: int):
    """``tf2onnx`` conversion of a ``tf.function`` with a dynamic batch (and length)."""
    tf = _require("tensorflow", "tensorflow")
    tf2onnx = _require("tf2onnx", "tf2onnx")
    spec = [
        tf.TensorSpec(shape, tf.float32, name=name)
        for shape, name in zip(shapes, input_names(model), strict=True)
    ]
    function = tf.function(lambda *inputs: _call(model, inputs), input_signature=spec)
    try:
        proto, _ = tf2onnx.convert.from_function(function, input_signature=spec, opset=opset)
    except Exception as error:  # tf2onnx raises plain Exceptions naming the TF op
        raise _layer_error(model, error) from error
    return proto


def _from_torch(model, shapes, opset: int):
    """``torch.onnx.export`` (dynamo) with the batch (and length) marked dynamic."""
    import torch

    _require("onnxscript", "onnxscript")

    class _Inference(torch.nn.Module):
        def __init__(self, wrapped):
            super().__init__()
            self.wrapped = wrapped

        def forward(self, *inputs):
            return _call(self.wrapped, inputs)

    shape = shapes[0]
    samples = shape[1] if shape[1] is not None else 4096
    examples = [torch.zeros((2, samples), dtype=torch.float32)]
    examples += [torch.zeros((2, *s[1:]), dtype=torch.float32) for s in shapes[1:]]
    # DYNAMIC (not a named Dim with bounds): guards such as "at least one frame" refine the range
    # instead of failing the export. State inputs share the batch dimension.
    dims = {0: torch.export.Dim.DYNAMIC}
    if shape[1] is None:
        dims[1] = torch.export.Dim.DYNAMIC
    state_dims = [{0: torch.export.Dim.DYNAMIC} for _ in shapes[1:]]
    try:
        program = torch.onnx.export(
            _Inference(model).eval(),
            tuple(examples),
            dynamo=True,
            dynamic_shapes=((dims, *state_dims),),
            opset_version=max(opset, _TORCH_MIN_OPSET),
            input_names=input_names(model),
            verbose=False,
        )
    except Exception as error:  # torch.export / onnxscript errors name the aten operator
        if shape[1] is None:
            layer = _first_layer_without_variable_length(model)
            if layer is not None:
                raise onnx_layer_error(
                    layer,
                    "torch.export cannot trace it with a variable input length. Give the model a fixed "
                    "input length (keras.Input((samples,))) to export it.",
                ) from error
        raise _layer_error(model, error) from error
    program.optimize()
    proto = program.model_proto
    fixed = [
        d.dim_value
        for d, size in zip(proto.graph.input[0].type.tensor_type.shape.dim, shape, strict=True)
        if size is None
    ]
    if any(fixed):
        raise onnx_layer_error(
            _first_failing_layer(model), f"torch.export fixed a dynamic input size to {fixed} samples/batch."
        )
    if shape[1] is None and len(shapes) == 1:
        _check_other_length(model, proto, samples + 41)
    return proto


def _first_layer_without_variable_length(model):
    """The name and class of the first top-level layer ``torch.export`` cannot trace with a dynamic length."""
    import torch

    class _Layer(torch.nn.Module):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer

        def forward(self, x):
            return self.layer(x, training=False)

    for layer in getattr(model, "layers", [])[1:]:
        shape = getattr(getattr(layer, "input", None), "shape", None)
        if not layer.built or shape is None or len(shape) != 2 or shape[1] is not None:
            continue
        example = torch.zeros((2, 4096), dtype=torch.float32)
        dims = ({0: torch.export.Dim.DYNAMIC, 1: torch.export.Dim.DYNAMIC},)
        try:
            with export_safe_stft():
                torch.export.export(_Layer(layer).eval(), (example,), dynamic_shapes=dims)
        except Exception:  # this layer alone fails with a dynamic length: name it
            return f"{layer.name} ({type(layer).__name__})"
    return None


def _check_other_length(model, proto, samples: int) -> None:
    """Refuse a variable-length export whose outputs are wrong at a length other than the example's.

    ``torch.export`` can turn a size computed from the length (a padding width, say) into a
    constant without complaint; running the graph at another length catches it, naming the layer
    of the first wrong output.
    """
    import numpy as np
    import onnxruntime

    x = np.random.default_rng(0).standard_normal((2, samples)).astype(np.float32)
    session = onnxruntime.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"])
    got = session.run(None, {INPUT_NAME: x})
    expected = model(x, training=False)
    expected = expected if isinstance(expected, (list, tuple)) else [expected]
    for index, (g, e) in enumerate(zip(got, expected, strict=True)):
        e = keras.ops.convert_to_numpy(e)
        if g.shape != e.shape or not np.allclose(
            g, e, rtol=1e-3, atol=1e-3 * float(np.max(np.abs(e), initial=1.0))
        ):
            layer = model.outputs[index]._keras_history.operation
            raise onnx_layer_error(
                f"{layer.name} ({type(layer).__name__})",
                "torch.export fixed a size computed from the input length, so the graph is wrong at "
                "other lengths. Give the model a fixed input length (keras.Input((samples,))) to export it.",
            )


def _through_tensorflow(model, opset: int):
    """Save ``model`` and export it under the TensorFlow backend in a child process (JAX)."""
    _require_tensorflow_for_jax()
    onnx = _require("onnx", "onnx")
    if importlib.util.find_spec("tf2onnx") is None:  # the child imports it (with TensorFlow)
        _require("tf2onnx", "tf2onnx")
    from audioflow.export._child import layer_modules, run_under_tensorflow

    modules = layer_modules(model)
    with tempfile.TemporaryDirectory(prefix="audioflow-onnx-") as folder:
        folder = os.path.abspath(folder)
        saved, written = os.path.join(folder, "model.keras"), os.path.join(folder, "model.onnx")
        model.save(saved)
        done = run_under_tensorflow(
            "audioflow.export._onnx", saved, written, opset, cwd=folder, modules=modules
        )
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["(no message)"])[-1]
            raise onnx_layer_error("(the TensorFlow re-export of this JAX model failed)", last)
        return onnx.load(written)


def _layer_error(model, error: Exception):
    """The error naming the first layer whose own export fails, or the model when none does alone."""
    message = str(error).strip().splitlines()
    reason = message[-1] if message else type(error).__name__
    return onnx_layer_error(_first_failing_layer(model), reason)


def _first_failing_layer(model) -> str:
    """The name and class of the first top-level layer whose call fails under the export-safe mode."""
    for layer in getattr(model, "layers", [])[1:]:
        if not layer.built:
            continue
        try:
            shape = layer.input.shape
            with export_safe_stft():
                layer(keras.ops.zeros((1,) + tuple(d or 1 for d in shape[1:])), training=False)
        except Exception:  # the layer cannot run on its own here either: name it
            return f"{layer.name} ({type(layer).__name__})"
    return f"{model.name} ({type(model).__name__})"


def _main(argv) -> None:
    """``python -m audioflow.export._onnx MODEL.keras OUT.onnx OPSET`` (the JAX route's child process)."""
    from audioflow.export._child import import_layer_modules

    import_layer_modules()  # the model's own registered layers
    saved, written, opset = argv
    export_onnx(keras.models.load_model(saved, compile=False), written, opset=int(opset))


if __name__ == "__main__":
    import audioflow.layers  # noqa: F401  (registers audioflow's layers for loading)
    import audioflow.models  # noqa: F401  (and the classifier's parts)
    import audioflow.streaming.step  # noqa: F401  (and a streaming step model's)

    _main(sys.argv[1:])
