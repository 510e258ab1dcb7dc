"""Types for signatures that editors and type checkers read (no Keras import).

``LayerArguments`` types the Keras base-layer keyword arguments every audioflow layer accepts, so
``def __init__(self, *, n_fft: int = 2048, ..., **kwargs: Unpack[LayerArguments])`` lets a type
checker flag a misspelt keyword (``n_fftt=``) instead of swallowing it into ``**kwargs``.
``NoOtherArguments`` types the ``**kwargs`` of an op that takes no keyword beyond its own: a type
checker flags any other name, and at run time the op still refuses another library's name
(``sr=``, ``fmin=``) with a :class:`~audioflow.errors.ParameterError` naming the audioflow one.
"""

from __future__ import annotations

import sys
from typing import Any, TypedDict

if sys.version_info >= (3, 11):
    from typing import Unpack
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Unpack

__all__ = [
    "LayerArguments",
    "LayerArgumentsBesidesTrainable",
    "NoOtherArguments",
    "Tensor",
    "Unpack",
    "Window",
]


class LayerArgumentsBesidesTrainable(TypedDict, total=False):
    """``keras.layers.Layer``'s keyword arguments (Keras 3.15) but ``trainable``, for layers that
    declare ``trainable`` themselves (``MelScale``, ``PCEN``)."""

    name: str | None
    dtype: Any
    autocast: bool
    activity_regularizer: Any
    input_shape: tuple[int | None, ...]
    input_dim: int


class LayerArguments(LayerArgumentsBesidesTrainable, total=False):
    """Keyword arguments of ``keras.layers.Layer`` (Keras 3.15) that audioflow layers pass through."""

    trainable: bool


class NoOtherArguments(TypedDict, total=False):
    """No keyword argument: the ``**kwargs`` of an op exist only to name another library's spelling."""


#: A tensor of any backend, a NumPy array or a nested list: what ops take and return.
Tensor = Any
#: A window: a name, a ``(name, *parameters)`` tuple, a bare kaiser beta or its samples.
Window = str | tuple[Any, ...] | float | Tensor
#: A seed of random ops: a ``keras.random.SeedGenerator``, an int, or None (a random draw).
Seed = Any
