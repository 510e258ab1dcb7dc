"""Keras' own layer-conformance harness (``keras.src.testing.TestCase.run_layer_test``), quarantined.

``keras.src`` is private Keras API: this module is the only place the tests touch it, and
``tests/test_keras_conformance_harness.py`` checks that it still works (and still catches a broken
layer) after a Keras upgrade. The harness is the one Keras runs on its own ``MelSpectrogram``: it
builds the layer from its arguments, round-trips its config through JSON, builds it, calls it
symbolically and eagerly, checks shapes, dtypes and weight counts, trains one step in a compiled
model and checks the ``mixed_float16`` output dtype and float32 weights.
"""

from __future__ import annotations

from keras.src.testing import TestCase


class _Harness(TestCase):
    def runTest(self):  # noqa: N802  (unittest's name) - a TestCase needs one test method to exist
        """Not a test: the harness is used through :func:`run_layer_test`."""


def run_layer_test(layer_cls, init_kwargs: dict, **checks) -> None:
    """Run Keras' ``TestCase.run_layer_test`` on ``layer_cls(**init_kwargs)``; raises on a failure.

    ``checks`` are ``run_layer_test``'s keyword arguments (``input_shape`` or ``input_data``,
    ``expected_output_shape``, ``expected_num_trainable_weights``, ...).
    """
    _Harness().run_layer_test(layer_cls, init_kwargs, **checks)
