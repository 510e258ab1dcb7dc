"""torch.compile: what keeps the compiler out of host-side code (no-ops under other backends).

``torch.compile`` (Dynamo) traces Python into one graph, and breaks the graph, or fails, on NumPy
and scipy code, on new weights and on growing global counters. audioflow meets it in two places:

- a layer's first call builds it (NumPy filterbanks and windows, ``add_weight``): when Dynamo
  traces that call, :func:`call_eagerly` runs it outside the compiler (``AudioLayer.__call__``
  asks :func:`compiling`), and the next call is traced into a single graph;
- host-side builders of constants (windows, filterbanks from Python arguments) are marked with
  :func:`host_constant`: Dynamo calls them once while tracing and keeps their result as a constant.

:func:`audioflow._backend.compute.constant_tensor` and :func:`audioflow._backend.compute.pad`
are the tensor-side halves (a constant Dynamo folds in, a pad without an ``Operation`` counter).
"""

from __future__ import annotations

import keras

__all__ = ["call_eagerly", "compiling", "host_constant", "outside_compiler"]

_TORCH = keras.backend.backend() == "torch"
if _TORCH:
    import torch


def compiling() -> bool:
    """Whether ``torch.compile`` is tracing the caller (always False under other backends)."""
    return _TORCH and torch.compiler.is_compiling()


def outside_compiler(function):
    """``function`` run eagerly (a graph break) when ``torch.compile`` reaches it; unchanged elsewhere."""
    return torch.compiler.disable(function) if _TORCH else function


def host_constant(function):
    """``function`` marked for ``torch.compile`` as returning a constant (under the torch backend).

    For host-side builders whose result depends only on Python arguments (windows, filterbanks):
    ``torch.compile`` calls them once while tracing and keeps the result in the graph instead of
    tracing into NumPy and scipy (which breaks the graph or fails). Other backends trace them as
    plain Python; the function is returned unchanged there.
    """
    return torch.compiler.assume_constant_result(function) if _TORCH else function


@outside_compiler
def call_eagerly(keras_call, inputs, *args, **kwargs):
    """``keras_call(inputs, ...)`` (a layer's ``Layer.__call__``) run outside ``torch.compile``."""
    return keras_call(inputs, *args, **kwargs)
