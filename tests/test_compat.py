"""The private Keras APIs audioflow relies on still provide what it needs (see audioflow._compat)."""

import keras
import numpy as np
import pytest

from audioflow._compat import DataLayer, constant_tensor, host_constant, pad
from tests.helpers import BACKEND, to_numpy


def test_data_layer_switches_to_tensorflow_inside_tf_data():
    import tensorflow as tf

    class Backends(DataLayer):
        def call(self, x):
            return self.backend.numpy.add(x, 1.0)

    layer = Backends()
    assert isinstance(layer, keras.layers.Layer)
    mapped = tf.data.Dataset.from_tensors(tf.zeros((2, 3))).map(layer)
    assert float(next(iter(mapped)).numpy().sum()) == 6.0


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
