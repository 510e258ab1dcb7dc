"""The one place that imports private ``keras.src`` APIs (each with the public behaviour it provides),
and the hooks that keep compilers (``torch.compile``) out of host-side code.

- ``DataLayer``: a layer that runs with TensorFlow ops inside a ``tf.data`` pipeline whatever the
  Keras backend (Keras' own augmentation layers use it); used by :class:`audioflow.layers.Mixup`.
- :func:`pad`: ``keras.ops.pad`` without its ``Operation`` object on concrete tensors.
- :func:`compiling` and :func:`outside_compiler`: run a layer's first (building) call eagerly
  when ``torch.compile`` traces it.
- :func:`host_constant`: marks a host-side builder (NumPy/scipy on Python arguments) as constant
  for ``torch.compile``; :func:`constant_tensor` turns its result into a tensor.
"""

from __future__ import annotations

import keras
from keras.src import backend as _keras_backend
from keras.src.layers.preprocessing.data_layer import DataLayer

__all__ = ["DataLayer", "compiling", "constant_tensor", "host_constant", "outside_compiler", "pad"]

_TORCH = keras.backend.backend() == "torch"
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
    return _keras_backend.numpy.pad(x, pad_width=[tuple(p) for p in pad_width], mode=mode)


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
    if _TORCH:
        return torch.as_tensor(array, device=_torch_device())
    return keras.ops.convert_to_tensor(array)


def compiling() -> bool:
    """Whether ``torch.compile`` is tracing the caller (always False under other backends)."""
    return _TORCH and torch.compiler.is_compiling()


def outside_compiler(function):
    """``function`` run eagerly (a graph break) when ``torch.compile`` reaches it; unchanged elsewhere."""
    return torch.compiler.disable(function) if _TORCH else function
