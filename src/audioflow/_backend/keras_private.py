"""Every private Keras API audioflow uses (``keras.src`` modules and private ``Layer`` attributes).

This is the only module of audioflow that touches them. Each entry says what public behaviour it
provides; ``tests/test_compat.py`` pins each one with a test that fails with a message naming it
when a Keras release moves or changes it (the fix then goes here, nowhere else).

- :class:`DataLayer`: Keras' base for layers that run inside a ``tf.data`` graph on every backend
  (its ``self.backend`` switches to TensorFlow there); :class:`audioflow.layers.Mixup` is one.
- :class:`DynamicBackend`: one backend's functions by module (``numpy``, ``nn``, ``random``, ...)
  whatever backend Keras runs; Keras' ``DataLayer`` and ``SeedGenerator(backend=...)`` use it.
- :func:`tensorflow_function`: the function of Keras' TensorFlow backend behind a public
  ``keras.ops``/``keras.random`` function (Keras defines ``keras.ops.stft`` in
  ``keras.src.ops.math`` over ``keras.src.backend.<backend>.math.stft``).
- :data:`BACKEND_NUMPY`: the running backend's ``numpy`` functions, without the ``Operation``
  object that ``keras.ops`` builds on every call.
- :func:`torch_device`: the device Keras' PyTorch backend puts new tensors on.
- :func:`taking_tensors_of_another_backend`: the two ``Layer`` flags that ``DataLayer.__call__``
  sets so that ``Layer.__call__`` takes TensorFlow tensors under JAX or PyTorch as they are.
"""

from __future__ import annotations

import contextlib
import functools
import inspect

import keras
from keras.src.layers.preprocessing.data_layer import DataLayer
from keras.src.utils.backend_utils import DynamicBackend

__all__ = [
    "DataLayer",
    "DynamicBackend",
    "BACKEND_NUMPY",
    "LAYER_INPUT_FLAGS",
    "OPS_MODULES",
    "taking_tensors_of_another_backend",
    "tensorflow_function",
    "torch_device",
]

#: The modules of ``keras.src.ops`` whose functions each backend defines under the same module and name.
OPS_MODULES = ("numpy", "math", "nn", "core", "linalg", "image")

#: The ``Layer`` attributes ``DataLayer.__call__`` sets to call a layer on another backend's tensors.
LAYER_INPUT_FLAGS = {"_convert_input_args": False, "_allow_non_tensor_positional_args": True}

_TENSORFLOW = DynamicBackend("tensorflow")


@functools.cache
def tensorflow_function(name: str, public):
    """The TensorFlow backend's function behind ``public``, the ``keras.ops``/``keras.random`` ``name``.

    ``keras.ops.<name>`` lives in ``keras.src.ops.<module>`` and computes with
    ``keras.src.backend.<backend>.<module>.<name>``; ``keras.random.<name>`` with
    ``keras.src.backend.<backend>.random.<name>``. None when the backend has no such function.
    A backend function taking ``data_format`` gets Keras' default for None, as ``keras.ops`` does.
    """
    module = public.__module__.rpartition(".")[2]  # keras.src.ops.numpy -> numpy
    if module not in (*OPS_MODULES, "random"):
        return None
    function = getattr(getattr(_TENSORFLOW, module), name, None)
    if function is None or "data_format" not in inspect.signature(function).parameters:
        return function

    @functools.wraps(function)
    def with_data_format(*args, data_format=None, **kwargs):
        data_format = data_format or keras.config.image_data_format()
        return function(*args, data_format=data_format, **kwargs)

    return with_data_format


#: The running Keras backend's ``numpy`` functions (``keras.src.backend.<backend>.numpy``).
BACKEND_NUMPY = DynamicBackend(keras.backend.backend()).numpy


def torch_device():
    """The device Keras' PyTorch backend creates tensors on ("cpu", "cuda:0", ...)."""
    from keras.src.backend.torch.core import get_device

    return get_device()


@contextlib.contextmanager
def taking_tensors_of_another_backend(layer):
    """``layer.__call__`` taking TensorFlow tensors as they are under JAX or PyTorch (as ``DataLayer`` does).

    ``Layer.__call__`` converts its inputs to the running backend's tensors unless
    ``_convert_input_args`` is off, and refuses a non-Keras tensor positional argument unless
    ``_allow_non_tensor_positional_args`` is on; both are restored on exit.
    """
    saved = {flag: getattr(layer, flag) for flag in LAYER_INPUT_FLAGS}
    for flag, value in LAYER_INPUT_FLAGS.items():
        setattr(layer, flag, value)
    try:
        yield
    finally:
        for flag, value in saved.items():
            setattr(layer, flag, value)
