"""audioflow's backend seams, in the open: one private module per concern.

- :mod:`~audioflow._backend.dependency`: the check that the configured Keras backend is
  installed (imports no Keras, so that it can word the error before Keras fails).
- :mod:`~audioflow._backend.keras_private`: every private Keras API audioflow uses, each pinned
  by a test (``tests/test_compat.py``) that fails loudly when Keras changes it.
- :mod:`~audioflow._backend.tf_data`: layers inside a ``tf.data`` graph under JAX or PyTorch
  (why Keras' ``DataLayer`` carries only some of them, and the per-thread switch for the rest).
- :mod:`~audioflow._backend.compute`: ``ops`` and ``random``, what the ops and layers compute
  with (``keras.ops``/``keras.random``, or TensorFlow's in a ``tf.data`` graph), ``pad`` and
  ``constant_tensor``.
- :mod:`~audioflow._backend.torch_compile`: what keeps ``torch.compile`` out of host-side code.

Only :mod:`~audioflow._backend.dependency` is imported here: the other modules import Keras.
"""

from audioflow._backend.dependency import configured_backend, require_keras_backend

__all__ = ["configured_backend", "require_keras_backend"]
