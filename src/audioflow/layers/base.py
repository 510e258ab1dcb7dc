"""What every audioflow layer shares: channel layout, float32 maths, shape checks, config."""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from audioflow._validation import parameter_error
from audioflow.ops.spectral import dtype_name

_COMPUTE_DTYPES = ("float32", "float64")


def serializable(cls):
    return keras.saving.register_keras_serializable(package="audioflow")(cls)


def config_value(value):
    """An argument as passed, in a JSON-friendly form (arrays become lists)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, tuple):
        return [config_value(item) for item in value]
    return value


def window_argument(window):
    """Undo JSON's tuple -> list for ("kaiser", beta) windows coming back from a config."""
    if isinstance(window, list) and len(window) == 2 and window[0] == "kaiser":
        return ("kaiser", window[1])
    return window


class AudioLayer(keras.layers.Layer):
    """Base of the audioflow layers.

    The FFT and dB maths run in float32 (float64 inputs stay float64) whatever the dtype policy;
    outputs are cast to the layer's compute dtype, so under ``mixed_float16`` the layer returns
    float16 without computing in it.
    """

    #: Input ranks the layer accepts, and a description for the error message.
    input_ranks: tuple[int, ...] = (2, 3)
    input_layout = "(batch, samples) or (batch, samples, channels)"

    def __init__(self, **kwargs):
        kwargs.pop("autocast", None)
        super().__init__(autocast=False, **kwargs)
        self._passed = {}

    def _remember(self, **arguments):
        """Keep the arguments exactly as passed, for ``get_config``."""
        self._passed.update(arguments)

    def get_config(self):
        config = super().get_config()
        config.update({key: config_value(value) for key, value in self._passed.items()})
        return config

    def build(self, input_shape):
        rank = len(input_shape)
        if rank not in self.input_ranks:
            raise parameter_error(
                "inputs",
                f"of rank {' or '.join(map(str, self.input_ranks))}: {self.input_layout}",
                layer=self.name,
                input_shape=tuple(input_shape),
            )
        self.built = True

    def _compute_input(self, x):
        x = ops.convert_to_tensor(x)
        if dtype_name(x) not in _COMPUTE_DTYPES:
            x = ops.cast(x, "float32")
        return x

    def _output(self, y):
        return ops.cast(y, self.compute_dtype) if dtype_name(y) != self.compute_dtype else y


class WaveformLayer(AudioLayer):
    """A layer from waveforms ``(batch, samples[, channels])`` to ``(batch, frames, bins[, channels])``."""

    def _signals(self, x):
        """``(batch, samples, channels)`` -> ``(batch, channels, samples)``; mono passes through."""
        x = self._compute_input(x)
        return ops.transpose(x, (0, 2, 1)) if len(x.shape) == 3 else x

    @staticmethod
    def _channels_last(y, rank: int):
        """``(batch, channels, frames, bins, ...)`` -> ``(batch, frames, bins, ..., channels)``."""
        if rank == 2:
            return y
        axes = tuple(range(len(y.shape)))
        return ops.transpose(y, (0,) + axes[2:] + (1,))
