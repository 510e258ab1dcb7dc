"""One function of tensors compiled for the Keras backend, reading the layers' weights at each call.

A stream calls the same small computation every few milliseconds, so dispatching it op by op
costs more than the maths: TensorFlow traces it into a ``tf.function`` (variables stay live),
JAX ``jit``-compiles it with the weights passed in (``keras.StatelessScope``, so weights changed
later are used, not stale constants), PyTorch runs it eagerly without autograd. Each distinct
input shape compiles once; callers keep the number of shapes small.
"""

from __future__ import annotations

import keras


def compiled(function, layers):
    """``function(*tensors)`` compiled for the backend; it may read the weights of ``layers``."""
    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        return tf.function(function, autograph=False)
    if backend == "jax":
        import jax

        variables = [variable for layer in layers for variable in layer.variables]

        def pure(values, *args):
            with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))):
                return function(*args)

        jitted = jax.jit(pure)
        return lambda *args: jitted([variable.value for variable in variables], *args)
    if backend == "torch":
        import torch

        def without_autograd(*args):
            with torch.no_grad():
                return function(*args)

        return without_autograd
    return function
