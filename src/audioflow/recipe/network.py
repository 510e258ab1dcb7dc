"""The network of :class:`audioflow.recipe.TemporalResNet`: a 2-D stem, temporal residual stages, pooling.

Each builder takes a Keras tensor and returns the next one (functional API); layer names are part
of the saved model's layout, so they do not change.
"""

from __future__ import annotations

import keras

__all__ = ["GlobalMaxPool", "temporal_resnet"]


@keras.saving.register_keras_serializable(package="audioflow")
class GlobalMaxPool(keras.layers.GlobalMaxPooling1D):
    """``GlobalMaxPooling1D`` through ``keras.ops.amax``: the same maximum, but ``keras.ops.max`` (which
    Keras' layer uses) breaks ``torch.compile``'s graph under the torch backend."""

    def call(self, inputs):
        return keras.ops.amax(
            inputs, axis=1 if self.data_format == "channels_last" else 2, keepdims=self.keepdims
        )


def temporal_resnet(x, size, *, kernel_size, dropout, classes):
    """Features -> class probabilities: 2-D stem, temporal ResNet stages, max + mean pooling, softmax."""
    x = _stem(x, size)
    for index, channels in enumerate(size["stages"], start=1):
        x = _residual_stage(x, channels, kernel_size, index)
    x = keras.layers.Concatenate(name="pool")(
        [
            GlobalMaxPool(name="max_pool")(x),
            keras.layers.GlobalAveragePooling1D(name="avg_pool")(x),
        ]
    )
    x = keras.layers.Dropout(dropout, name="dropout")(x)
    return keras.layers.Dense(classes, activation="softmax", name="probabilities")(x)


def _stem(x, size):
    """2-D convolutions over (time, band) that tolerate small shifts in frequency (other voices,
    other recorders), pooled over bands, then the bands x channels as the channels of a 1-D stem."""
    conv, bn, relu = keras.layers.Conv2D, keras.layers.BatchNormalization, keras.layers.Activation
    x = keras.layers.Reshape((x.shape[1], x.shape[2], 1), name="add_channel")(x)
    for index, channels in enumerate(size["stem2d"], start=1):
        x = conv(channels, 3, padding="same", use_bias=False, name=f"stem2d_conv{index}")(x)
        x = bn(momentum=0.9, name=f"stem2d_bn{index}")(x)
        x = relu("relu", name=f"stem2d_relu{index}")(x)
        x = keras.layers.MaxPooling2D((1, 2), padding="same", name=f"stem2d_pool{index}")(x)
    x = keras.layers.Reshape((x.shape[1], x.shape[2] * x.shape[3]), name="bands_to_channels")(x)
    x = keras.layers.Conv1D(size["stem"], 3, padding="same", use_bias=False, name="stem_conv")(x)
    x = bn(momentum=0.9, name="stem_bn")(x)
    return relu("relu", name="stem_relu")(x)


def _residual_stage(x, channels, kernel_size, index):
    """Two 1-D convolutions (the first halves the frame rate) plus a strided 1x1 shortcut."""
    conv, bn, relu = keras.layers.Conv1D, keras.layers.BatchNormalization, keras.layers.Activation
    y = conv(channels, kernel_size, strides=2, padding="same", use_bias=False, name=f"stage{index}_conv1")(x)
    y = bn(momentum=0.9, name=f"stage{index}_bn1")(y)
    y = relu("relu", name=f"stage{index}_relu1")(y)
    y = conv(channels, kernel_size, padding="same", use_bias=False, name=f"stage{index}_conv2")(y)
    y = bn(momentum=0.9, name=f"stage{index}_bn2")(y)
    shortcut = conv(channels, 1, strides=2, padding="same", use_bias=False, name=f"stage{index}_shortcut")(x)
    shortcut = bn(momentum=0.9, name=f"stage{index}_shortcut_bn")(shortcut)
    y = keras.layers.Add(name=f"stage{index}_add")([y, shortcut])
    return relu("relu", name=f"stage{index}_relu2")(y)
