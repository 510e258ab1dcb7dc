"""Mel layers: MelScale (a filterbank weight), and MelSpectrogram and LogMelSpectrogram built from parts.

``MelSpectrogram`` holds a :class:`~audioflow.layers.Spectrogram` and a :class:`MelScale`;
``LogMelSpectrogram`` holds a ``MelSpectrogram`` and a :class:`~audioflow.layers.PowerToDb`. Each
computes through its parts' settings and weights (the mel spectrogram in one fused op, so the
spectrogram never makes a full-batch round trip through memory).
"""

from __future__ import annotations

import keras

from audioflow import ops as af
from audioflow._arguments import argument_names, arguments_for, keyword_arguments
from audioflow._validation import parameter_error
from audioflow.config import DecibelConfig, MelConfig, python_value
from audioflow.layers.base import AudioLayer, channels_first, channels_last, on_axis, serializable
from audioflow.layers.scaling import PowerToDb
from audioflow.layers.spectral import Spectrogram, framed_shape
from audioflow.ops.features import filtered_spectrogram


def mel_config(layer: AudioLayer, arguments: dict) -> MelConfig:
    """Validate a layer's mel ``arguments``, set them as its public attributes and remember them.

    ``htk`` (the older spelling of ``mel_scale``) is remembered only when it was given.
    """
    config = MelConfig(**arguments_for(MelConfig, arguments))
    layer._keep_arguments(arguments_for(MelConfig, arguments))
    if layer.htk is None:
        del layer._passed["htk"]
    return config


@serializable
@keyword_arguments(
    *argument_names(MelConfig),
    "trainable",
    docs={"n_fft": "FFT size of the spectrogram it applies to (``n_fft // 2 + 1`` input bins)."},
)
class MelScale(AudioLayer):
    """Mel filterbank applied to a power (or magnitude) spectrogram; the filterbank is a weight.

    The ``(n_fft // 2 + 1, n_mels)`` weight ``filterbank`` is created in ``build`` with the exact
    librosa values (:func:`audioflow.ops.mel_filterbank`). It is fixed by default;
    ``trainable=True`` makes it learnable (gradients reach it on every backend).

    Args:
        {arguments}
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, frames, n_fft // 2 + 1)`` -> ``(batch, frames, n_mels)``;
    ``(batch, frames, n_fft // 2 + 1, channels)`` -> ``(batch, frames, n_mels, channels)``.

    Parity: ``S @ librosa.filters.mel(sr=..., n_fft=..., ...).T``, as
    ``librosa.feature.melspectrogram(S=S.T)``; torchaudio ``MelScale`` with ``norm="slaney",
    mel_scale="slaney"``. Keras' ``MelSpectrogram`` uses HTK triangles without the DC bin.

    Example:
        >>> power = Spectrogram(n_fft=512)(x)                       # (batch, frames, 257)
        >>> MelScale(sample_rate=16000, n_fft=512, n_mels=40, trainable=True)(power).shape[-1]
        40
    """

    input_layout = "(batch, frames, n_fft // 2 + 1) or (batch, frames, n_fft // 2 + 1, channels)"

    def __init__(self, arguments: dict, **kwargs):
        super().__init__(trainable=arguments.pop("trainable"), **kwargs)
        self.mel_config = mel_config(self, arguments)
        self.input_spec = keras.InputSpec(min_ndim=3, max_ndim=4)

    def build(self, input_shape=None):
        if input_shape is not None:
            super().build(input_shape)
            bins = self.n_fft // 2 + 1
            if input_shape[2] not in (None, bins):
                raise parameter_error(
                    "inputs",
                    f"shaped (batch, frames, n_fft // 2 + 1 = {bins}[, channels])",
                    input_shape=tuple(input_shape),
                    n_fft=self.n_fft,
                )
        if getattr(self, "filterbank", None) is None:
            initial = af.mel_filterbank(**self.mel_config.op_kwargs())
            self.filterbank = self.add_weight(
                name="filterbank",
                shape=initial.shape,
                dtype="float32",
                initializer=lambda shape, dtype=None: keras.ops.convert_to_tensor(initial, dtype="float32"),
                trainable=True,
            )
        self.built = True

    def load_own_variables(self, store):
        """Load the filterbank; a file saved before it was a weight (0.1.0) keeps the exact one."""
        if len(store.keys()) == 0:
            return
        super().load_own_variables(store)

    def _transform(self, S):
        return on_axis(lambda s: af.apply_filterbank(s, self.filterbank), S, 2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.mel_config.n_mels) + tuple(input_shape[3:])


@serializable
@keyword_arguments(
    "sample_rate", *argument_names(Spectrogram), *argument_names(MelConfig), "trainable_filterbank"
)
class MelSpectrogram(AudioLayer):
    """Mel spectrogram of waveforms: a :class:`Spectrogram` followed by a :class:`MelScale`.

    Defaults are librosa's, so ``MelSpectrogram()(x)[b]`` equals
    ``librosa.feature.melspectrogram(y=x[b]).T``.

    Args:
        {arguments}
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_mels)``; ``(batch, samples, channels)`` ->
    ``(batch, frames, n_mels, channels)``; ``frames`` from :func:`audioflow.ops.num_frames`.

    Parity: ``librosa.feature.melspectrogram`` to a relative error below 1e-5 in float32 (any
    ``pad_mode``, ``center``, ``mel_scale``, ``norm``, window and ``power``). Keras'
    ``MelSpectrogram`` and tf.signal use HTK triangles without the DC bin and reflect padding;
    torchaudio's ``MelSpectrogram`` matches with ``norm="slaney", mel_scale="slaney",
    pad_mode="constant"``.

    Example:
        >>> layer = MelSpectrogram(sample_rate=16000, n_fft=512, hop_length=160, n_mels=64)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        (2, 101, 64)
    """

    def __init__(self, arguments: dict, *, allow_more_channels_than_samples: bool = False, **kwargs):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.spectrogram = Spectrogram(**arguments_for(Spectrogram, arguments), name="spectrogram")
        self.mel_filters = MelScale(
            **arguments_for(MelConfig, arguments),
            trainable=python_value(arguments["trainable_filterbank"]),
            name="mel_filters",
        )
        self._adopt_arguments(self.spectrogram)
        self._adopt_arguments(self.mel_filters)
        self.trainable_filterbank = self.mel_filters.trainable
        self._remember(trainable_filterbank=self.trainable_filterbank)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.spectrogram, self.mel_filters)

    def _transform(self, x):
        stft = self.spectrogram.stft_config.op_kwargs()
        mel = filtered_spectrogram(
            channels_first(x), self.mel_filters.filterbank, power=self.spectrogram.power, **stft
        )
        return channels_last(mel, len(x.shape))

    def compute_output_shape(self, input_shape):
        return framed_shape(self.spectrogram.stft_config, input_shape, self.mel_filters.mel_config.n_mels)


@serializable
@keyword_arguments(*argument_names(MelSpectrogram), *argument_names(DecibelConfig))
class LogMelSpectrogram(AudioLayer):
    """Log-mel spectrogram in dB: a :class:`MelSpectrogram` followed by :class:`PowerToDb`.

    ``LogMelSpectrogram()(x)[b]`` equals
    ``librosa.power_to_db(librosa.feature.melspectrogram(y=x[b]), top_db=80).T``.

    Args:
        {arguments}
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_mels)``; ``(batch, samples, channels)`` ->
    ``(batch, frames, n_mels, channels)``.

    Parity: within 0.01 dB of librosa above the floor. The maximum behind ``top_db`` and
    ``ref="max"`` is each example's (and channel's) own; Keras' ``MelSpectrogram`` takes the whole
    batch's, so its features depend on the batch-mates.

    Example:
        >>> inputs = keras.Input((16000,))
        >>> features = LogMelSpectrogram(sample_rate=16000, n_mels=64)(inputs)   # (None, 32, 64)
    """

    def __init__(self, arguments: dict, *, allow_more_channels_than_samples: bool = False, **kwargs):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.mel_spectrogram = MelSpectrogram(
            **arguments_for(MelSpectrogram, arguments), name="mel_spectrogram"
        )
        self.power_to_db = PowerToDb(**arguments_for(PowerToDb, arguments), name="power_to_db")
        self._adopt_arguments(self.mel_spectrogram)
        self._adopt_arguments(self.power_to_db)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.mel_spectrogram, self.power_to_db)

    def _transform(self, x):
        return self.power_to_db._transform(self.mel_spectrogram._transform(x))

    def compute_output_shape(self, input_shape):
        return self.mel_spectrogram.compute_output_shape(input_shape)
