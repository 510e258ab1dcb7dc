"""The one place that imports private ``keras.src`` APIs (each with the public behaviour it provides).

- ``DataLayer``: a layer that runs with TensorFlow ops inside a ``tf.data`` pipeline whatever the
  Keras backend (Keras' own augmentation layers use it); used by :class:`audioflow.layers.Mixup`.
"""

from keras.src.layers.preprocessing.data_layer import DataLayer

__all__ = ["DataLayer"]
