"""The one place that imports private ``keras.src`` APIs (each with the public behaviour it provides),
and the hooks that keep compilers (``torch.compile``) out of host-side code.

- ``DataLayer``: a layer that runs with TensorFlow ops inside a ``tf.data`` pipeline whatever the
  Keras backend (Keras' own augmentation layers use it); used by :class:`audioflow.layers.Mixup`.
- :func:`pad`: ``keras.ops.pad`` without its ``Operation`` object on concrete tensors.
- :func:`compiling` and :func:`outside_compiler`: run a layer's first (building) call eagerly
  when ``torch.compile`` traces it.
- :func:`host_constant`: marks a host-side builder (NumPy/scipy on Python arguments) as constant
  for ``torch.compile``; :func:`constant_tensor` turns its result into a tensor.
- ``ops`` and ``random``: the namespaces the ops and layers compute with, ``keras.ops`` and
  ``keras.random`` normally, and Keras' TensorFlow backend functions inside
  :func:`tensorflow_scope` (a ``tf.data`` graph under the JAX or PyTorch backend), so every layer
  runs in-graph there, as Keras' preprocessing layers do (:func:`in_tensorflow_data_graph`).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import sys
import threading
import weakref

import keras
from keras.src import backend as _keras_backend
from keras.src.layers.preprocessing.data_layer import DataLayer
from keras.src.utils.backend_utils import DynamicBackend

__all__ = [
    "DataLayer",
    "backend_name",
    "compiling",
    "constant_tensor",
    "host_constant",
    "in_tensorflow_data_graph",
    "ops",
    "outside_compiler",
    "pad",
    "random",
    "tensorflow_scope",
    "tensorflow_weights",
]

_BACKEND = keras.backend.backend()
_TORCH = _BACKEND == "torch"
if _TORCH:
    import torch
    from keras.src.backend.torch.core import get_device as _torch_device


def pad(x, pad_width, mode: str = "constant"):
    """``keras.ops.pad(x, pad_width, mode)`` through the backend's own function, as ``Pad.call`` does.

    ``keras.ops.pad`` builds a Keras ``Operation`` on every call, whose automatic name bumps a
    global counter: ``torch.compile`` guards on that counter and recompiles on every call. Symbolic
    inputs (``keras.Input``) still go through ``keras.ops.pad``. ``pad_width`` is one
    ``(before, after)`` pair per axis.
    """
    if isinstance(x, keras.KerasTensor):
        return keras.ops.pad(x, pad_width, mode=mode)
    numpy = _tensorflow_module("numpy") if _in_scope.active else _keras_backend.numpy
    return numpy.pad(x, pad_width=[tuple(p) for p in pad_width], mode=mode)


def host_constant(function):
    """``function`` marked for ``torch.compile`` as returning a constant (under the torch backend).

    For host-side builders whose result depends only on Python arguments (windows, filterbanks):
    ``torch.compile`` calls them once while tracing and keeps the result in the graph instead of
    tracing into NumPy and scipy (which breaks the graph or fails). Other backends trace them as
    plain Python; the function is returned unchanged there.
    """
    return torch.compiler.assume_constant_result(function) if _TORCH else function


def constant_tensor(array):
    """A NumPy constant (from a :func:`host_constant` builder) as a tensor of the same dtype.

    Under the torch backend ``torch.as_tensor`` on Keras' current device, which ``torch.compile``
    folds into its graph (``keras.ops.convert_to_tensor`` of an array breaks the graph there).
    """
    if _in_scope.active:
        return _tensorflow_module("core").convert_to_tensor(array)
    if _TORCH:
        return torch.as_tensor(array, device=_torch_device())
    return keras.ops.convert_to_tensor(array)


def compiling() -> bool:
    """Whether ``torch.compile`` is tracing the caller (always False under other backends)."""
    return _TORCH and torch.compiler.is_compiling()


def outside_compiler(function):
    """``function`` run eagerly (a graph break) when ``torch.compile`` reaches it; unchanged elsewhere."""
    return torch.compiler.disable(function) if _TORCH else function


class _Scope(threading.local):
    active = False  # whether this thread is inside tensorflow_scope()


_in_scope = _Scope()


def backend_name() -> str:
    """The backend the ops compute with: "tensorflow" inside :func:`tensorflow_scope`, else Keras'."""
    return "tensorflow" if _in_scope.active else _BACKEND


def _tensorflow_module(name: str):
    return importlib.import_module(f"keras.src.backend.tensorflow.{name}")


class _Namespace(threading.local):
    """A public Keras module's functions (``keras.ops``), or TensorFlow's in a TensorFlow scope.

    Each thread keeps its own resolved functions as plain attributes: outside a scope a lookup
    costs what a module attribute does (``__getattr__`` runs once per name and thread).
    """

    def __init__(self, public, tensorflow_function):
        self._public, self._tensorflow_function = public, tensorflow_function

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        public = getattr(self._public, name)
        function = self._tensorflow_function(name, public) if _in_scope.active else public
        setattr(self, name, function)
        return function

    def _forget(self):
        """Drop this thread's resolved functions (the scope changed), returning them."""
        resolved = {key: value for key, value in vars(self).items() if not key.startswith("_")}
        for key in resolved:
            delattr(self, key)
        return resolved


def _tensorflow_op(name, public):
    """The TensorFlow backend's function behind ``keras.ops.<name>`` (same module, same name)."""
    module = public.__module__.rpartition(".")[2]  # keras.src.ops.numpy -> numpy
    if module not in ("numpy", "math", "nn", "core", "linalg", "image"):
        return public
    function = getattr(_tensorflow_module(module), name)
    if "data_format" in inspect.signature(function).parameters:  # keras.ops fills in None
        return lambda *args, data_format=None, **kwargs: function(
            *args, data_format=data_format or keras.config.image_data_format(), **kwargs
        )
    return function


#: TensorFlow seed generators standing in for another backend's (same initial seed), per generator.
_tensorflow_generators = weakref.WeakKeyDictionary()


def _tensorflow_random(name, public):
    """``keras.random.<name>`` on TensorFlow, drawing from a TensorFlow twin of the seed generator."""
    function = getattr(_tensorflow_module("random"), name, None)
    if function is None:
        return public

    def draw(*args, seed=None, **kwargs):
        if isinstance(seed, keras.random.SeedGenerator):
            if seed not in _tensorflow_generators:
                initial = seed.get_config()["seed"]
                _tensorflow_generators[seed] = keras.random.SeedGenerator(
                    initial, backend=DynamicBackend("tensorflow")
                )
            seed = _tensorflow_generators[seed]
        return function(*args, seed=seed, **kwargs)

    return draw


#: What the ops and layers compute with: ``keras.ops``/``keras.random``, TensorFlow in a scope.
ops = _Namespace(keras.ops, _tensorflow_op)
random = _Namespace(keras.random, _tensorflow_random)


@contextlib.contextmanager
def tensorflow_scope():
    """Compute with Keras' TensorFlow backend functions in this thread (``ops``, ``random``, :func:`pad`)."""
    if _in_scope.active:
        yield
        return
    resolved = [ops._forget(), random._forget()]
    _in_scope.active = True
    try:
        yield
    finally:
        _in_scope.active = False
        for namespace, functions in zip((ops, random), resolved, strict=True):
            namespace._forget()
            for name, function in functions.items():
                setattr(namespace, name, function)


def in_tensorflow_data_graph(x) -> bool:
    """Whether ``x`` is a symbolic TensorFlow tensor while Keras runs JAX or PyTorch (``dataset.map``).

    The check Keras' ``DataLayer`` makes (a TensorFlow graph, not a Keras or JAX tracing), asked of
    the input itself so that a JAX model traced by ``jax2tf`` inside a ``tf.function`` is not taken
    for a ``tf.data`` graph.
    """
    if _BACKEND == "tensorflow" or _in_scope.active or "tensorflow" not in sys.modules:
        return False
    tf = sys.modules["tensorflow"]
    return isinstance(x, tf.Tensor) and not tf.executing_eagerly()


@contextlib.contextmanager
def tensorflow_weights(layer):
    """``layer``'s weights (and its sublayers') read as TensorFlow constants of their current values.

    For a ``tf.data`` graph built under another backend: the graph keeps the values the weights
    had when it was traced, as Keras' ``DataLayer.convert_weight`` does. The attributes are swapped
    without Keras' tracking and put back on exit; the inputs (TensorFlow tensors) are left as they are.
    """
    import tensorflow as tf

    flags = ("_convert_input_args", "_allow_non_tensor_positional_args")  # as DataLayer sets them
    saved = {flag: getattr(layer, flag) for flag in flags}
    layer._convert_input_args, layer._allow_non_tensor_positional_args = False, True
    swapped = []
    for part in layer._flatten_layers(include_self=True, recursive=True):
        for name, value in list(vars(part).items()):
            if isinstance(value, keras.Variable):
                swapped.append((part, name, value))
                object.__setattr__(part, name, tf.constant(keras.ops.convert_to_numpy(value)))
    try:
        yield
    finally:
        for part, name, value in swapped:
            object.__setattr__(part, name, value)
        for flag, value in saved.items():
            setattr(layer, flag, value)
