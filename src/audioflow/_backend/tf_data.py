"""tf.data on every backend: an audioflow layer inside ``dataset.map`` under JAX or PyTorch.

A ``tf.data`` graph can only hold TensorFlow ops, so a layer mapped over a dataset while Keras runs
JAX or PyTorch has to compute with Keras' TensorFlow backend there. Keras' own answer is
``DataLayer`` (``keras/src/layers/preprocessing/data_layer.py``): in a TensorFlow graph its
``__call__`` switches the layer's ``self.backend`` (a ``DynamicBackend``) to TensorFlow, and
``call`` computes with ``self.backend.numpy.add(...)``. audioflow uses it where it carries the
layer (:class:`audioflow.layers.Mixup`), and cannot use it for the feature layers because:

- **the maths lives in functions, not in layers.** ``audioflow.ops.stft(x)`` is called by users
  outside any layer and by the layers through several levels of helpers; a layer's
  ``self.backend`` never reaches them, and handing a backend to every op would put a backend
  argument into every public op's signature;
- **layers are composed**: ``MFCC`` computes through its ``LogMelSpectrogram``'s and
  ``MelSpectrogram``'s ``_transform``, not through their ``__call__``, so a switch made on the
  outer layer's ``self.backend`` would not reach its parts';
- ``DataLayer.__call__`` converts the input to the compute dtype (float16 under
  ``mixed_float16``) before the maths, where audioflow computes in float32.

So the switch is made per thread instead of per layer, with the same rule and the same effect as
``DataLayer.__call__``: while a layer is called on a ``tf.data`` graph's tensor
(:func:`in_tensorflow_data_graph`), this thread computes with TensorFlow
(:func:`tensorflow_scope`), which ``audioflow._backend.compute.ops``/``random`` follow, and
:func:`call_in_tensorflow` passes the TensorFlow tensors through ``Layer.__call__`` as they are.
Weights need no conversion: TensorFlow reads a JAX or PyTorch ``keras.Variable`` by value
(``__array__``), so the graph keeps the values the weights had when it was traced, as
``DataLayer.convert_weight`` does.
"""

from __future__ import annotations

import contextlib
import sys
import threading

import keras

from audioflow._backend.keras_private import taking_tensors_of_another_backend

__all__ = [
    "backend_name",
    "call_in_tensorflow",
    "computing_with_tensorflow",
    "in_tensorflow_data_graph",
    "tensorflow_scope",
]

_KERAS_BACKEND = keras.backend.backend()


class _ThreadState(threading.local):
    def __init__(self):
        self.tensorflow = False  # whether this thread is inside tensorflow_scope()


_thread = _ThreadState()


def computing_with_tensorflow() -> bool:
    """Whether this thread computes with Keras' TensorFlow backend in place of the configured one."""
    return _thread.tensorflow


def backend_name() -> str:
    """The backend the ops compute with: "tensorflow" inside :func:`tensorflow_scope`, else Keras'."""
    return "tensorflow" if _thread.tensorflow else _KERAS_BACKEND


@contextlib.contextmanager
def tensorflow_scope():
    """Compute with Keras' TensorFlow backend in this thread (``ops``, ``random``, ``pad``, ...)."""
    outer = _thread.tensorflow
    _thread.tensorflow = True
    try:
        yield
    finally:
        _thread.tensorflow = outer


def in_tensorflow_data_graph(x) -> bool:
    """Whether ``x`` is a symbolic TensorFlow tensor while Keras runs JAX or PyTorch (``dataset.map``).

    ``DataLayer.__call__``'s test (a TensorFlow graph, not a JAX tracing), asked of the input
    itself: a JAX model traced by ``jax2tf`` inside a ``tf.function`` (export) gets JAX tracers,
    and is not taken for a ``tf.data`` graph.
    """
    if _KERAS_BACKEND == "tensorflow" or _thread.tensorflow or "tensorflow" not in sys.modules:
        return False
    tf = sys.modules["tensorflow"]
    return isinstance(x, tf.Tensor) and not tf.executing_eagerly()


def call_in_tensorflow(layer, keras_call, inputs, *args, **kwargs):
    """``keras_call(inputs, ...)`` (``layer``'s ``Layer.__call__``) on a ``tf.data`` graph's tensor.

    The layer is built first on a symbolic input, so its weights belong to the Keras backend and
    outlive the graph; then it is called with this thread computing with TensorFlow.
    """
    if not layer.built:
        keras_call(keras.KerasTensor(tuple(inputs.shape), keras.backend.standardize_dtype(inputs.dtype)))
    with taking_tensors_of_another_backend(layer), tensorflow_scope():
        return keras_call(inputs, *args, **kwargs)
