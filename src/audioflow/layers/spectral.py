"""Layers from waveforms to spectra and back: STFT, InverseSTFT, Spectrogram.

Inputs are ``(batch, samples)`` or ``(batch, samples, channels)``; outputs are time-major and
channels-last, ``(batch, frames, bins)`` or ``(batch, frames, bins, channels)``, the layout Keras
convolutions and recurrent layers expect (librosa returns ``(bins, frames)``).
"""

from __future__ import annotations

import keras

from audioflow import ops as af
from audioflow._arguments import argument_names, arguments_for, keyword_arguments
from audioflow._compat import ops
from audioflow._limits import MAX_SAMPLES
from audioflow._validation import check_int, check_power, parameter_error
from audioflow.config import StftConfig, python_value
from audioflow.layers.base import AudioLayer, channels_first, channels_last, serializable


def stft_config(layer: AudioLayer, arguments: dict) -> StftConfig:
    """Validate a layer's STFT ``arguments``, set them as its public attributes and remember them.

    An inverse transform pads nothing: without ``pad_mode`` in ``arguments`` it is left out.
    """
    config = StftConfig(**arguments_for(StftConfig, arguments))
    layer._keep_arguments(arguments_for(StftConfig, arguments))
    layer.window = config.window  # normalised: a list as a read-only float64 array, a JSON list as a tuple
    return config


def check_signal_length(config: StftConfig, samples):
    """A static signal length the STFT can frame (checked at build time)."""
    if samples is None:
        return
    if not config.center and samples < config.n_fft:
        raise parameter_error(
            "inputs",
            "at least `n_fft` samples long when `center=False`",
            samples=samples,
            n_fft=config.n_fft,
            hint="Use center=True or a shorter n_fft.",
        )
    if config.center and config.pad_mode == "reflect" and samples <= config.n_fft // 2:
        raise parameter_error(
            "inputs",
            "longer than `n_fft // 2` samples for pad_mode='reflect'",
            samples=samples,
            n_fft=config.n_fft,
            hint="Use pad_mode='constant' for very short inputs.",
        )


def framed_shape(config: StftConfig, input_shape, bins: int) -> tuple:
    """``(batch, samples[, channels])`` -> ``(batch, frames, bins[, channels])``."""
    return (input_shape[0], config.num_frames(input_shape[1]), bins) + tuple(input_shape[2:])


@serializable
@keyword_arguments(*argument_names(StftConfig))
class STFT(AudioLayer):
    """Short-time Fourier transform: waveforms to real and imaginary parts.

    Args:
        {arguments}
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ...).

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_fft // 2 + 1, 2)``;
    ``(batch, samples, channels)`` -> ``(batch, frames, n_fft // 2 + 1, channels, 2)``, the real
    and imaginary parts stacked last. ``frames`` is :func:`audioflow.ops.num_frames` (``1 + samples
    // hop_length`` when centred). :class:`InverseSTFT` with the same arguments inverts it.

    Parity: equals ``librosa.stft(y, ...)`` transposed, ``.real``/``.imag`` stacked, to float32
    precision (relative error < 1e-5). torchaudio's ``Spectrogram(power=None)`` and Keras'
    ``STFTSpectrogram(mode="real"/"imag")`` reflect-pad by default.

    Example:
        >>> layer = STFT(n_fft=512, hop_length=128)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        (2, 126, 257, 2)
    """

    def __init__(self, arguments: dict, *, allow_more_channels_than_samples: bool = False, **kwargs):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.stft_config = stft_config(self, arguments)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        super().build(input_shape)
        check_signal_length(self.stft_config, input_shape[1])

    def _transform(self, x):
        real, imag = af.stft(channels_first(x), **self.stft_config.op_kwargs())
        spectrum = ops.stack([real, imag], axis=-1)
        return spectrum if len(x.shape) == 2 else ops.transpose(spectrum, (0, 2, 3, 1, 4))

    def compute_output_shape(self, input_shape):
        return framed_shape(self.stft_config, input_shape, self.stft_config.n_bins) + (2,)


@serializable
@keyword_arguments("n_fft", "hop_length", "win_length", "window", "center", "length")
class InverseSTFT(AudioLayer):
    """Inverse short-time Fourier transform: real and imaginary parts back to waveforms.

    Give the STFT arguments of the :class:`STFT` that made the input (librosa ``istft``
    arguments, torchaudio ``InverseSpectrogram``).

    Args:
        {arguments}
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, frames, n_fft // 2 + 1, 2)`` -> ``(batch, samples)``;
    ``(batch, frames, n_fft // 2 + 1, channels, 2)`` -> ``(batch, samples, channels)``.

    Parity: weighted overlap-add normalised by the summed squared window, as ``librosa.istft``;
    ``InverseSTFT(...)(STFT(...)(x))`` reconstructs ``x`` to ~1e-6 wherever windows overlap.

    Example:
        >>> spectrum = STFT(n_fft=512, hop_length=128)(x)
        >>> InverseSTFT(n_fft=512, hop_length=128, length=x.shape[1])(spectrum)  # ~= x
    """

    input_layout = "(batch, frames, bins, 2) or (batch, frames, bins, channels, 2)"

    def __init__(self, arguments: dict, **kwargs):
        super().__init__(**kwargs)
        self.stft_config = stft_config(self, arguments)
        self.length = check_int(
            "length", python_value(arguments["length"]), minimum=0, maximum=MAX_SAMPLES, allow_none=True
        )
        self._remember(length=self.length)
        self.input_spec = keras.InputSpec(min_ndim=4, max_ndim=5)

    def build(self, input_shape):
        super().build(input_shape)
        bins = self.stft_config.n_bins
        if input_shape[2] not in (None, bins) or input_shape[-1] not in (None, 2):
            raise parameter_error(
                "inputs",
                f"shaped (batch, frames, n_fft // 2 + 1 = {bins}, [channels,] 2)",
                input_shape=tuple(input_shape),
                n_fft=self.n_fft,
            )

    def _transform(self, x):
        rank = len(x.shape)
        if rank == 5:
            x = ops.transpose(x, (0, 3, 1, 2, 4))
        kwargs = self.stft_config.op_kwargs()
        kwargs.pop("pad_mode")
        signal = af.istft((x[..., 0], x[..., 1]), length=self.length, **kwargs)
        return ops.transpose(signal, (0, 2, 1)) if rank == 5 else signal

    def compute_output_shape(self, input_shape):
        frames = input_shape[1]
        config = self.stft_config
        if frames is None and self.length is None:
            samples = None
        else:
            samples = af.istft_length(
                frames or 0,
                n_fft=config.n_fft,
                hop_length=config.resolved_hop_length,
                center=config.center,
                length=self.length,
            )
        return (input_shape[0], samples) + ((input_shape[3],) if len(input_shape) == 5 else ())


@serializable
@keyword_arguments(*argument_names(StftConfig), "power")
class Spectrogram(AudioLayer):
    """Power (or magnitude) spectrogram ``|STFT| ** power`` of waveforms.

    Args:
        {arguments}
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_fft // 2 + 1)``;
    ``(batch, samples, channels)`` -> ``(batch, frames, n_fft // 2 + 1, channels)``.

    Parity: equals ``np.abs(librosa.stft(y, ...)) ** power`` transposed (relative error < 1e-5 in
    float32); torchaudio ``Spectrogram(pad_mode="constant")`` gives the same numbers.

    Example:
        >>> Spectrogram(n_fft=512, hop_length=128, power=1.0)(np.zeros((2, 16000), "float32")).shape
        (2, 126, 257)
    """

    def __init__(self, arguments: dict, *, allow_more_channels_than_samples: bool = False, **kwargs):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.stft_config = stft_config(self, arguments)
        self.power = check_power(python_value(arguments["power"]))
        self._remember(power=self.power)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        super().build(input_shape)
        check_signal_length(self.stft_config, input_shape[1])

    def _transform(self, x):
        S = af.spectrogram(channels_first(x), power=self.power, **self.stft_config.op_kwargs())
        return channels_last(S, len(x.shape))

    def compute_output_shape(self, input_shape):
        return framed_shape(self.stft_config, input_shape, self.stft_config.n_bins)
