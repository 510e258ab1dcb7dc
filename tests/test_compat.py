"""The private Keras APIs audioflow relies on still provide what it needs (see audioflow._compat)."""

import keras

from audioflow._compat import DataLayer


def test_data_layer_switches_to_tensorflow_inside_tf_data():
    import tensorflow as tf

    class Backends(DataLayer):
        def call(self, x):
            return self.backend.numpy.add(x, 1.0)

    layer = Backends()
    assert isinstance(layer, keras.layers.Layer)
    mapped = tf.data.Dataset.from_tensors(tf.zeros((2, 3))).map(layer)
    assert float(next(iter(mapped)).numpy().sum()) == 6.0
