"""The backend seams (audioflow._backend) and the private Keras APIs under them.

Each private Keras API that ``audioflow._backend.keras_private`` uses is pinned here by a test whose
failure message names what Keras changed and where audioflow adapts to it.
"""

import re
import threading
from pathlib import Path

import keras
import numpy as np
import pytest

from audioflow._backend import keras_private
from audioflow._backend.compute import constant_tensor, ops, pad, random
from audioflow._backend.keras_private import DataLayer, DynamicBackend, tensorflow_function
from audioflow._backend.tf_data import backend_name, computing_with_tensorflow, tensorflow_scope
from audioflow._backend.torch_compile import host_constant
from tests.helpers import BACKEND, to_numpy

SRC = Path(__file__).resolve().parents[1] / "src" / "audioflow"


def _changed(what: str) -> str:
    return (
        f"Keras {keras.__version__} changed {what}, which audioflow relies on: adapt "
        "audioflow/_backend/keras_private.py (the one module that uses private Keras APIs)."
    )


def _names_used(namespace: str) -> list[str]:
    """Every ``<namespace>.<name>(`` called in audioflow's ops and layers."""
    names = set()
    for path in [*SRC.glob("ops/*.py"), *SRC.glob("layers/*.py")]:
        names.update(re.findall(rf"(?<![\w.]){namespace}\.(\w+)\(", path.read_text(encoding="utf-8")))
    return sorted(names)


def test_data_layer_switches_to_tensorflow_inside_tf_data():
    import tensorflow as tf

    class Backends(DataLayer):
        def call(self, x):
            return self.backend.numpy.add(x, 1.0)

    layer = Backends()
    assert isinstance(layer, keras.layers.Layer), _changed("DataLayer (no longer a keras.layers.Layer)")
    assert layer.backend.name == BACKEND, _changed("DataLayer.backend (outside tf.data)")
    mapped = tf.data.Dataset.from_tensors(tf.zeros((2, 3))).map(layer)
    assert float(next(iter(mapped)).numpy().sum()) == 6.0, _changed("DataLayer inside tf.data")


def test_data_layer_gives_each_backend_its_own_seed_generator():
    import tensorflow as tf

    class Seeded(DataLayer):
        def __init__(self):
            super().__init__()
            self.seed, self.generator = 3, keras.random.SeedGenerator(3)

        def call(self, x):
            return x

    layer = Seeded()
    assert layer._get_seed_generator(BACKEND) is layer.generator, _changed("DataLayer._get_seed_generator")
    layer.backend.set_backend("tensorflow")  # as DataLayer.__call__ does inside tf.data
    try:
        twin = layer._get_seed_generator("tensorflow")
        draw = layer.backend.random.uniform((2,), seed=twin)
    finally:
        layer.backend.reset()
    assert isinstance(twin, keras.random.SeedGenerator), _changed("DataLayer._get_seed_generator")
    assert isinstance(draw, tf.Tensor), _changed("DataLayer._get_seed_generator's TensorFlow generator")


def test_dynamic_backend_gives_the_tensorflow_backend_functions():
    import tensorflow as tf

    backend = DynamicBackend("tensorflow")
    assert backend.name == "tensorflow", _changed("DynamicBackend.name")
    out = backend.numpy.add(tf.ones(2), 1.0)
    assert isinstance(out, tf.Tensor), _changed("DynamicBackend('tensorflow').numpy")
    generator = keras.random.SeedGenerator(1, backend=backend)
    draw = backend.random.uniform((2,), seed=generator)
    assert isinstance(draw, tf.Tensor), _changed("SeedGenerator(backend=DynamicBackend('tensorflow'))")


@pytest.mark.parametrize(("namespace", "public"), [("ops", keras.ops), ("random", keras.random)])
def test_every_function_audioflow_computes_with_has_a_tensorflow_backend_version(namespace, public):
    names = [name for name in _names_used(namespace) if hasattr(public, name)]
    assert len(names) >= (30 if namespace == "ops" else 3)  # the scan found the ops/layers' calls
    missing = [name for name in names if tensorflow_function(name, getattr(public, name)) is None]
    assert not missing, _changed(
        f"where keras.{namespace}.{{{', '.join(missing)}}} are computed (no function of that name in "
        f"the TensorFlow backend's module {keras_private.OPS_MODULES + ('random',)})"
    )


def test_a_tensorflow_backend_function_taking_data_format_gets_keras_default():
    import tensorflow as tf

    conv = tensorflow_function("conv", keras.ops.conv)
    out = conv(tf.ones((1, 8, 1)), tf.ones((3, 1, 1)), padding="valid")
    np.testing.assert_array_equal(out.numpy().ravel(), [3.0] * 6)


def test_backend_numpy_is_the_running_backends():
    out = keras_private.BACKEND_NUMPY.add(np.ones(2, "float32"), 1.0)
    assert keras.ops.is_tensor(out) and not isinstance(out, np.ndarray), _changed("keras.src.backend.numpy")


def test_layer_input_flags_let_a_layer_take_inputs_as_they_are():
    class Probe(keras.layers.Layer):
        def call(self, x, *args):
            self.seen = x
            return x

    layer = Probe()
    for flag in keras_private.LAYER_INPUT_FLAGS:
        assert hasattr(layer, flag), _changed(f"keras.layers.Layer.{flag}")
    x = np.ones((2, 3), "float32")
    layer(x)
    assert not isinstance(layer.seen, np.ndarray), _changed("Layer.__call__'s input conversion")
    with pytest.raises(ValueError, match="positional"):
        layer(x, "not a tensor")
    with keras_private.taking_tensors_of_another_backend(layer):
        layer(x, "not a tensor")
    assert isinstance(layer.seen, np.ndarray), _changed("Layer._convert_input_args")
    assert {flag: getattr(layer, flag) for flag in keras_private.LAYER_INPUT_FLAGS} == {
        "_convert_input_args": True,
        "_allow_non_tensor_positional_args": False,
    }


@pytest.mark.skipif(BACKEND != "torch", reason="the device of Keras' PyTorch backend")
def test_torch_device_is_where_keras_puts_tensors():
    assert str(keras_private.torch_device()) == str(keras.ops.zeros(1).device), _changed("torch get_device")


def test_namespaces_are_keras_outside_a_tensorflow_scope_and_tensorflow_inside():
    import tensorflow as tf

    assert ops.stft is keras.ops.stft and random.uniform is keras.random.uniform
    assert backend_name() == BACKEND and not computing_with_tensorflow()
    with tensorflow_scope():
        assert backend_name() == "tensorflow"
        with tensorflow_scope():
            assert computing_with_tensorflow()
        assert computing_with_tensorflow()
        assert ops.stft is tensorflow_function("stft", keras.ops.stft)
        assert isinstance(ops.add(tf.ones(2), 1.0), tf.Tensor)
        assert isinstance(constant_tensor(np.ones(2, "float32")), tf.Tensor)
        assert isinstance(pad(tf.ones((2, 2)), [(0, 0), (1, 1)]), tf.Tensor)
        other_thread = []
        thread = threading.Thread(target=lambda: other_thread.append(ops.stft))
        thread.start()
        thread.join()
        assert other_thread == [keras.ops.stft]  # the switch is this thread's only
    assert ops.stft is keras.ops.stft and backend_name() == BACKEND


def test_random_in_a_tensorflow_scope_draws_from_a_tensorflow_twin_of_the_generator():
    import tensorflow as tf

    generator = keras.random.SeedGenerator(5)
    with tensorflow_scope():
        first = random.uniform((3,), seed=generator)
        second = random.uniform((3,), seed=generator)
    assert isinstance(first, tf.Tensor)
    assert not np.array_equal(first.numpy(), second.numpy())  # the twin advances


@pytest.mark.parametrize("mode", ["constant", "reflect", "symmetric"])
def test_pad_equals_keras_ops_pad(mode):
    x = np.arange(12, dtype="float32").reshape(3, 4)
    widths = [(0, 0), (2, 1)]
    np.testing.assert_array_equal(
        to_numpy(pad(x, widths, mode)), to_numpy(keras.ops.pad(x, widths, mode=mode))
    )


def test_pad_of_a_symbolic_tensor_is_symbolic():
    padded = pad(keras.Input((4,)), [(0, 0), (2, 1)])
    assert isinstance(padded, keras.KerasTensor)
    assert tuple(padded.shape) == (None, 7)


def test_constant_tensor_keeps_values_and_dtype():
    array = np.linspace(0.0, 1.0, 5, dtype="float32")
    tensor = constant_tensor(array)
    assert keras.backend.standardize_dtype(tensor.dtype) == "float32"
    np.testing.assert_array_equal(to_numpy(tensor), array)


def test_compat_re_exports_the_names_ops_and_layers_import():
    from audioflow import _compat

    assert _compat.ops is ops and _compat.random is random and _compat.pad is pad
    assert _compat.DataLayer is DataLayer and _compat.host_constant is host_constant


@pytest.mark.skipif(BACKEND != "torch", reason="torch.compile is the PyTorch backend's compiler")
def test_host_constant_builder_runs_once_outside_the_torch_graph():
    import torch

    calls = []

    @host_constant
    def ramp(n: int, dtype: str):
        calls.append(n)
        with np.errstate(all="ignore"):  # NumPy that Dynamo cannot trace
            return np.arange(n).astype(dtype)

    def scale(x):
        return x * constant_tensor(ramp(4, "float32"))

    torch._dynamo.reset()
    compiled = torch.compile(scale, backend="eager", fullgraph=True)
    for _ in range(3):
        out = compiled(torch.ones(4))
    np.testing.assert_array_equal(to_numpy(out), [0.0, 1.0, 2.0, 3.0])
    assert calls == [4]
