"""A missing dependency is named with its real cause and remedy (simulated: ``sys.modules[name] = None``)."""

import sys

import keras
import pytest

from audioflow.errors import MissingDependencyError
from tests.cli.conftest import assert_one_line_error, run_cli


@pytest.fixture
def without(monkeypatch):
    """``without("tensorflow", ...)``: importing those modules raises ImportError from now on."""

    def hide(*names):
        for name in names:
            monkeypatch.setitem(sys.modules, name, None)

    return hide


@pytest.fixture
def tiny_model():
    inputs = keras.Input((512,))
    return keras.Model(inputs, keras.layers.Dense(2)(inputs))


def test_jax_onnx_without_tensorflow_says_the_jax_route_needs_tensorflow(without, tiny_model):
    from audioflow.export._onnx import _through_tensorflow

    without("tensorflow", "tf2onnx")
    with pytest.raises(MissingDependencyError, match=r"JAX backend goes through TensorFlow") as caught:
        _through_tensorflow(tiny_model, 17)
    assert 'pip install "audioflow[tensorflow,export]"' in str(caught.value)
    assert "KERAS_BACKEND=tensorflow or torch" in str(caught.value)


def test_a_package_whose_own_import_fails_is_not_called_missing(tmp_path, monkeypatch):
    from audioflow.export._onnx import _require

    (tmp_path / "half_installed.py").write_text("import audioflow_absent_dependency\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        MissingDependencyError, match=r"module 'audioflow_absent_dependency' is not installed"
    ):
        _require("half_installed", "half_installed")
    with pytest.raises(
        MissingDependencyError,
        match=r"'absent_exporter' package, which is not installed.*audioflow\[export\]",
    ):
        _require("absent_exporter", "absent_exporter")


@pytest.mark.parametrize(
    ("use", "fragment"),
    [("saved_model", "SavedModel export needs TensorFlow"), ("tflite", "TFLite export needs TensorFlow")],
)
def test_savedmodel_and_tflite_without_tensorflow_say_so(use, fragment, without):
    from audioflow.export._tensorflow import _tensorflow

    without("tensorflow")
    with pytest.raises(MissingDependencyError, match=rf'{fragment}.*pip install "audioflow\[tensorflow\]"'):
        _tensorflow(use)


def test_jax_tflite_without_tensorflow_is_refused_before_the_child_process(
    without, tiny_model, tmp_path, monkeypatch
):
    from audioflow.export import _tensorflow

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    without("tensorflow")
    with pytest.raises(MissingDependencyError, match=r"on the JAX backend the model is re-traced"):
        _tensorflow.export_tflite(tiny_model, tmp_path / "m.tflite")
    assert not (tmp_path / "m.tflite").exists()


def test_running_a_tflite_file_without_an_interpreter_names_both_remedies(without):
    from audioflow.export._tensorflow import _interpreter

    without("tensorflow", "ai_edge_litert", "ai_edge_litert.interpreter")
    with pytest.raises(MissingDependencyError, match=r"LiteRT interpreter or TensorFlow.*ai-edge-litert"):
        _interpreter(b"")


def test_running_an_onnx_file_without_onnxruntime_says_so(without, tmp_path):
    from audioflow.export import load_exported

    without("onnxruntime")
    with pytest.raises(MissingDependencyError, match=r"onnxruntime.*audioflow\[export\]"):
        load_exported(tmp_path / "m.onnx", "onnx")


def test_cli_tflite_on_torch_names_the_backends_not_the_input_pipeline(
    capsys, classifier_file, tmp_path, monkeypatch, without
):
    from audioflow.cli import _common

    monkeypatch.setenv("KERAS_BACKEND", "torch")
    monkeypatch.setitem(_common._QUIET, "done", False)
    without("tensorflow")
    code, _, err = run_cli(
        capsys, "export", classifier_file, "--format", "tflite", "--out", tmp_path / "m.tflite"
    )
    assert_one_line_error(
        code, err, "cannot be produced on the torch backend", "produced from the tensorflow and jax backends",
        "KERAS_BACKEND=tensorflow",
    )  # fmt: skip
    assert "input pipeline" not in err
