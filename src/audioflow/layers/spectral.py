"""Layers from waveforms to spectra and back: STFT, InverseSTFT, Spectrogram.

Inputs are ``(batch, samples)`` or ``(batch, samples, channels)``; outputs are time-major and
channels-last, ``(batch, frames, bins)`` or ``(batch, frames, bins, channels)``, the layout Keras
convolutions and recurrent layers expect (librosa returns ``(bins, frames)``).
"""

from __future__ import annotations

import keras

from audioflow._compat import ops
from audioflow._limits import MAX_SAMPLES
from audioflow._typing import LayerArguments, Unpack, Window
from audioflow._validation import check_int, check_power, parameter_error
from audioflow.config import StftConfig, python_value
from audioflow.layers.base import AudioLayer, arguments_of, channels_first, channels_last, serializable
from audioflow.ops.spectral import _istft, _spectrogram, _stft, istft_length


def stft_config(layer: AudioLayer, **arguments) -> StftConfig:
    """Validate a layer's STFT ``arguments``, set them as its public attributes and remember them.

    An inverse transform pads nothing: without ``pad_mode`` in ``arguments`` it is left out.
    """
    config = StftConfig(**arguments)
    layer._keep_arguments(arguments)
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
class STFT(AudioLayer):
    """Short-time Fourier transform: waveforms to real and imaginary parts.

    Args:
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Gives ``n_fft // 2 + 1`` bins.
            Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4`` (512 for
            the default ``n_fft``). Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, Keras
            ``sequence_length``, tf.signal ``frame_length``); None means ``n_fft``. A shorter window
            is zero-padded and centred inside ``n_fft``, as librosa does. Default: ``None``.
        window: periodic, as ``scipy.signal.get_window(..., fftbins=True)`` (librosa,
            torchaudio): a name ("hann", "hamming", "blackman", "bartlett", "kaiser",
            "rectangular", any scipy window; "kaiser" alone is ``("kaiser", 12.0)``), a tuple with
            its parameters (``("kaiser", beta)``, ``("tukey", 0.25)``), or ``win_length`` samples as
            an array. See :func:`audioflow.ops.get_window`. Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros: librosa's default since
            0.9), "reflect" (torchaudio, nnAudio and ``keras.ops.stft``), "edge", "symmetric" or
            "wrap" (which librosa.stft refuses). Padding wider than the signal reflects (wraps)
            repeatedly, as ``np.pad``; an empty signal can only be padded with "constant".
            Default: ``'constant'``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

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

    def __init__(
        self,
        *,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: Window = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.stft_config = stft_config(self, **arguments_of(StftConfig, locals()))
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        super().build(input_shape)
        check_signal_length(self.stft_config, input_shape[1])

    def _transform(self, x):
        real, imag = _stft(channels_first(x), self.stft_config)
        spectrum = ops.stack([real, imag], axis=-1)
        return spectrum if len(x.shape) == 2 else ops.transpose(spectrum, (0, 2, 3, 1, 4))

    def compute_output_shape(self, input_shape):
        return framed_shape(self.stft_config, input_shape, self.stft_config.n_bins) + (2,)


@serializable
class InverseSTFT(AudioLayer):
    """Inverse short-time Fourier transform: real and imaginary parts back to waveforms.

    Give the STFT arguments of the :class:`STFT` that made the input (librosa ``istft``
    arguments, torchaudio ``InverseSpectrogram``).

    Args:
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Gives ``n_fft // 2 + 1`` bins.
            Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4`` (512 for
            the default ``n_fft``). Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, Keras
            ``sequence_length``, tf.signal ``frame_length``); None means ``n_fft``. A shorter window
            is zero-padded and centred inside ``n_fft``, as librosa does. Default: ``None``.
        window: periodic, as ``scipy.signal.get_window(..., fftbins=True)`` (librosa,
            torchaudio): a name ("hann", "hamming", "blackman", "bartlett", "kaiser",
            "rectangular", any scipy window; "kaiser" alone is ``("kaiser", 12.0)``), a tuple with
            its parameters (``("kaiser", beta)``, ``("tukey", 0.25)``), or ``win_length`` samples as
            an array. See :func:`audioflow.ops.get_window`. Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        length: output length in samples (>= 0): the output is trimmed or zero-padded to it. None
            gives ``hop_length * (frames - 1)`` samples when ``center=True``; pass the original
            length to get it back exactly. Default: ``None``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Shapes: ``(batch, frames, n_fft // 2 + 1, 2)`` -> ``(batch, samples)``;
    ``(batch, frames, n_fft // 2 + 1, channels, 2)`` -> ``(batch, samples, channels)``.

    Parity: weighted overlap-add normalised by the summed squared window, as ``librosa.istft``;
    ``InverseSTFT(...)(STFT(...)(x))`` reconstructs ``x`` to ~1e-6 wherever windows overlap.

    Example:
        >>> spectrum = STFT(n_fft=512, hop_length=128)(x)
        >>> InverseSTFT(n_fft=512, hop_length=128, length=x.shape[1])(spectrum)  # ~= x
    """

    input_layout = "(batch, frames, bins, 2) or (batch, frames, bins, channels, 2)"

    def __init__(
        self,
        *,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: Window = "hann",
        center: bool = True,
        length: int | None = None,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self.stft_config = stft_config(self, **arguments_of(StftConfig, locals()))
        self.length = check_int(
            "length", python_value(length), minimum=0, maximum=MAX_SAMPLES, allow_none=True
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
        signal = _istft((x[..., 0], x[..., 1]), self.stft_config, self.length)
        return ops.transpose(signal, (0, 2, 1)) if rank == 5 else signal

    def compute_output_shape(self, input_shape):
        frames = input_shape[1]
        config = self.stft_config
        if frames is None and self.length is None:
            samples = None
        else:
            samples = istft_length(
                frames or 0,
                n_fft=config.n_fft,
                hop_length=config.resolved_hop_length,
                center=config.center,
                length=self.length,
            )
        return (input_shape[0], samples) + ((input_shape[3],) if len(input_shape) == 5 else ())


@serializable
class Spectrogram(AudioLayer):
    """Power (or magnitude) spectrogram ``|STFT| ** power`` of waveforms.

    Args:
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Gives ``n_fft // 2 + 1`` bins.
            Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4`` (512 for
            the default ``n_fft``). Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, Keras
            ``sequence_length``, tf.signal ``frame_length``); None means ``n_fft``. A shorter window
            is zero-padded and centred inside ``n_fft``, as librosa does. Default: ``None``.
        window: periodic, as ``scipy.signal.get_window(..., fftbins=True)`` (librosa,
            torchaudio): a name ("hann", "hamming", "blackman", "bartlett", "kaiser",
            "rectangular", any scipy window; "kaiser" alone is ``("kaiser", 12.0)``), a tuple with
            its parameters (``("kaiser", beta)``, ``("tukey", 0.25)``), or ``win_length`` samples as
            an array. See :func:`audioflow.ops.get_window`. Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros: librosa's default since
            0.9), "reflect" (torchaudio, nnAudio and ``keras.ops.stft``), "edge", "symmetric" or
            "wrap" (which librosa.stft refuses). Padding wider than the signal reflects (wraps)
            repeatedly, as ``np.pad``; an empty signal can only be padded with "constant".
            Default: ``'constant'``.
        power: exponent of the STFT magnitude, > 0: 2.0 the power spectrogram (librosa, torchaudio
            default), 1.0 the magnitude (Keras ``STFTSpectrogram(mode="magnitude")``).
            Default: ``2.0``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_fft // 2 + 1)``;
    ``(batch, samples, channels)`` -> ``(batch, frames, n_fft // 2 + 1, channels)``.

    Parity: equals ``np.abs(librosa.stft(y, ...)) ** power`` transposed (relative error < 1e-5 in
    float32); torchaudio ``Spectrogram(pad_mode="constant")`` gives the same numbers.

    Example:
        >>> Spectrogram(n_fft=512, hop_length=128, power=1.0)(np.zeros((2, 16000), "float32")).shape
        (2, 126, 257)
    """

    def __init__(
        self,
        *,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: Window = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float = 2.0,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.stft_config = stft_config(self, **arguments_of(StftConfig, locals()))
        self.power = check_power(python_value(power))
        self._remember(power=self.power)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        super().build(input_shape)
        check_signal_length(self.stft_config, input_shape[1])

    def _transform(self, x):
        S = _spectrogram(channels_first(x), self.stft_config, self.power)
        return channels_last(S, len(x.shape))

    def compute_output_shape(self, input_shape):
        return framed_shape(self.stft_config, input_shape, self.stft_config.n_bins)
