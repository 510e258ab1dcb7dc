"""Types for signatures that editors and type checkers read (no Keras import).

``LayerArguments`` types the Keras base-layer keyword arguments every audioflow layer accepts, so
``def __init__(self, *, n_fft: int = 2048, ..., **kwargs: Unpack[LayerArguments])`` lets a type
checker flag a misspelt keyword (``n_fftt=``) instead of swallowing it into ``**kwargs``.
"""

from __future__ import annotations

import sys
from typing import Any, TypedDict

if sys.version_info >= (3, 11):
    from typing import Unpack
else:  # pragma: no cover - Python 3.10
    from typing_extensions import Unpack

__all__ = ["LayerArguments", "Unpack"]


class LayerArguments(TypedDict, total=False):
    """Keyword arguments of ``keras.layers.Layer`` that audioflow layers pass through."""

    name: str | None
    dtype: Any
    trainable: bool
    autocast: bool
    activity_regularizer: Any
    input_shape: tuple[int | None, ...]
    input_dim: int
    batch_input_shape: tuple[int | None, ...]
    batch_size: int | None
