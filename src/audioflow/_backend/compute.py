"""``ops`` and ``random``: the functions audioflow's ops and layers compute with.

``ops.<name>`` is ``keras.ops.<name>`` and ``random.<name>`` is ``keras.random.<name>``, except in
a thread inside :func:`audioflow._backend.tf_data.tensorflow_scope` (a layer mapped over a
``tf.data`` dataset under JAX or PyTorch), where they are the same-named functions of Keras'
TensorFlow backend (see :mod:`audioflow._backend.tf_data` for why this is a per-thread switch and
not Keras' per-layer ``DataLayer.backend``). The choice is made at each attribute lookup from the
thread's state; nothing is cached on or written to the namespaces.

:func:`pad` and :func:`constant_tensor` are the two helpers whose running-backend version differs
from the public one for ``torch.compile``'s sake (see :mod:`audioflow._backend.torch_compile`).
"""

from __future__ import annotations

import weakref

import keras

from audioflow._backend.keras_private import BACKEND_NUMPY, DynamicBackend, tensorflow_function, torch_device
from audioflow._backend.tf_data import computing_with_tensorflow

__all__ = ["constant_tensor", "ops", "pad", "random"]

_TORCH = keras.backend.backend() == "torch"
if _TORCH:
    import torch


class _Namespace:
    """A public Keras module's functions, or their TensorFlow-backend versions in a TensorFlow scope."""

    __slots__ = ("_public", "_tensorflow_version")

    def __init__(self, public, tensorflow_version):
        self._public, self._tensorflow_version = public, tensorflow_version

    def __getattr__(self, name):
        public = getattr(self._public, name)
        if not computing_with_tensorflow():
            return public
        return self._tensorflow_version(name, public)

    def __dir__(self):
        return dir(self._public)

    def __repr__(self):
        return f"<audioflow namespace over {self._public.__name__}>"


def _tensorflow_op(name, public):
    return tensorflow_function(name, public) or public


#: TensorFlow seed generators standing in for another backend's (same initial seed), per generator.
_tensorflow_generators = weakref.WeakKeyDictionary()


def _tensorflow_random(name, public):
    """``keras.random.<name>`` on TensorFlow, drawing from a TensorFlow twin of the seed generator.

    The twin is what ``DataLayer._get_seed_generator`` makes: a ``SeedGenerator`` with the same
    initial seed on a TensorFlow ``DynamicBackend``.
    """
    function = tensorflow_function(name, public)
    if function is None:
        return public

    def draw(*args, seed=None, **kwargs):
        if isinstance(seed, keras.random.SeedGenerator):
            if seed not in _tensorflow_generators:
                initial = seed.get_config()["seed"]
                twin = keras.random.SeedGenerator(initial, backend=DynamicBackend("tensorflow"))
                _tensorflow_generators[seed] = twin
            seed = _tensorflow_generators[seed]
        return function(*args, seed=seed, **kwargs)

    return draw


#: What the ops and layers compute with: ``keras.ops``/``keras.random``, TensorFlow's in a scope.
ops = _Namespace(keras.ops, _tensorflow_op)
random = _Namespace(keras.random, _tensorflow_random)


def pad(x, pad_width, mode: str = "constant"):
    """``keras.ops.pad(x, pad_width, mode)`` through the backend's own function, as ``Pad.call`` does.

    ``keras.ops.pad`` builds a Keras ``Operation`` on every call, whose automatic name bumps a
    global counter: ``torch.compile`` guards on that counter and recompiles on every call. Symbolic
    inputs (``keras.Input``) still go through ``keras.ops.pad``. ``pad_width`` is one
    ``(before, after)`` pair per axis.
    """
    if isinstance(x, keras.KerasTensor):
        return keras.ops.pad(x, pad_width, mode=mode)
    function = ops.pad if computing_with_tensorflow() else BACKEND_NUMPY.pad
    return function(x, pad_width=[tuple(p) for p in pad_width], mode=mode)


def constant_tensor(array):
    """A NumPy constant (from a ``host_constant`` builder) as a tensor of the same dtype.

    Under the torch backend ``torch.as_tensor`` on Keras' current device, which ``torch.compile``
    folds into its graph (``keras.ops.convert_to_tensor`` of an array breaks the graph there).
    """
    if computing_with_tensorflow():
        return ops.convert_to_tensor(array)
    if _TORCH:
        return torch.as_tensor(array, device=torch_device())
    return keras.ops.convert_to_tensor(array)
