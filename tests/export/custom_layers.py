"""A registered custom layer in an importable module, for tests/export/test_custom_layers.py."""

import keras


@keras.saving.register_keras_serializable(package="audioflow_tests")
class Doubling(keras.layers.Layer):
    def call(self, x):
        return x * 2.0
