"""Checks and errors of ONNX export (``audioflow.export.export_onnx``)."""

from __future__ import annotations

from audioflow._validation.basic import check_int, parameter_error
from audioflow.errors import ParameterError

#: The lowest ONNX opset the export targets (DFT-free STFTs need nothing newer; LayerNormalization is 17).
MIN_ONNX_OPSET = 17


def check_onnx_opset(opset, highest: int) -> int:
    """An ONNX opset in ``[17, highest]`` (the installed ``onnx``'s newest), as an int."""
    return check_int("opset", opset, minimum=MIN_ONNX_OPSET, maximum=highest)


def check_waveform_model(model) -> list:
    """The input shapes of a built Keras model to export, batch dimension None: the float waveform
    ``(None, samples)`` first, then any state inputs (a streaming step model's history, PCEN state).

    ``samples`` is the model's input length (None for a variable length). The batch is always
    exported as dynamic.
    """
    inputs = getattr(model, "inputs", None)
    if not inputs:
        raise parameter_error(
            "model",
            "a built Keras model with a known input",
            model=type(model).__name__,
            hint="Build it with `keras.Input((samples,))` (or call it once) before exporting.",
        )
    if len(inputs[0].shape) != 2:
        raise parameter_error(
            "model",
            "a model whose first input is a (batch, samples) waveform to export to ONNX",
            inputs=[tuple(i.shape) for i in inputs],
        )
    return [(None, *tuple(i.shape)[1:]) for i in inputs]


def onnx_layer_error(layer: str, reason: str) -> ParameterError:
    """A layer of the model that ONNX cannot carry, and why."""
    return parameter_error(
        "model",
        "made of layers that ONNX can carry",
        layer=layer,
        hint=f"{reason}",
    )


def onnx_domain_error(ops: list) -> ParameterError:
    """Operators outside ONNX's standard domain ("" / "ai.onnx") in an exported graph."""
    return parameter_error(
        "model",
        "exportable with standard-domain ONNX operators only",
        operators=sorted(set(ops)),
        hint="onnxruntime builds and other runtimes may lack these custom operators.",
    )
