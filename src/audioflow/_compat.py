"""The names ops and layers have imported from here, re-exported from :mod:`audioflow._backend`.

New code imports from the module that owns a name (``audioflow._backend.compute.ops``, ...).
"""

from __future__ import annotations

from audioflow._backend.compute import constant_tensor, ops, pad, random
from audioflow._backend.keras_private import DataLayer
from audioflow._backend.tf_data import backend_name, in_tensorflow_data_graph, tensorflow_scope
from audioflow._backend.torch_compile import compiling, host_constant, outside_compiler

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
]
