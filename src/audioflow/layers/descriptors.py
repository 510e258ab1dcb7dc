"""Descriptor layers: librosa.feature's spectral centroid, bandwidth, rolloff, flatness and contrast
(each a :class:`Spectrogram` part and one op), RMS and zero-crossing rate (framed waveforms).

Inputs ``(batch, samples[, channels])``; outputs time-major ``(batch, frames, 1[, channels])``
(contrast: ``n_bands + 1`` values per frame), where librosa returns ``(1, frames)``; librosa's
names and defaults (``sr`` -> ``sample_rate``). The maths is in :mod:`audioflow.ops.descriptors`.
"""

from __future__ import annotations

import keras

from audioflow._compat import ops
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_bool, check_number, parameter_error
from audioflow.layers.base import AudioLayer, serializable
from audioflow.layers.spectral import Spectrogram
from audioflow.ops import descriptors as ops_descriptors
from audioflow.ops.filters import fft_frequencies

__all__ = [
    "SpectralBandwidth",
    "SpectralCentroid",
    "SpectralContrast",
    "SpectralFlatness",
    "SpectralRolloff",
]


_NO_RATE = object()  # a descriptor that needs no bin frequencies (flatness)


class _OfSpectrogram(AudioLayer):
    """A descriptor computed from a magnitude spectrogram part (librosa's ``_spectrogram`` of ``y``)."""

    input_layout = "(batch, samples) or (batch, samples, channels)"
    _values = 1  # values per frame

    def _init_spectrogram(self, *, sample_rate, n_fft, hop_length, win_length, window, center, pad_mode):
        self.spectrogram = Spectrogram(
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
            power=1.0,
            name="spectrogram",
        )
        if sample_rate is not _NO_RATE:
            sample_rate = check_number("sample_rate", sample_rate, exclusive_minimum=0)
            self._freq = fft_frequencies(sample_rate, n_fft)
        self._adopt_arguments(self.spectrogram)
        self._passed.pop("power", None)
        del self.power
        if sample_rate is not _NO_RATE:
            self.sample_rate = sample_rate
            self._remember(sample_rate=sample_rate)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.spectrogram)

    def _transform(self, x):
        S = self.spectrogram._transform(x)
        if len(S.shape) == 3:
            return self._describe(S)
        # (batch, frames, bins, channels): each channel alone, as (batch, channels, frames, bins)
        return ops.transpose(self._describe(ops.transpose(S, (0, 3, 1, 2))), (0, 2, 3, 1))

    def compute_output_shape(self, input_shape):
        shape = self.spectrogram.compute_output_shape(input_shape)
        return (shape[0], shape[1], self._values, *shape[3:])


@serializable
class SpectralCentroid(_OfSpectrogram):
    """Spectral centroid in Hz per frame: ``librosa.feature.spectral_centroid(y=x[b], sr=...).T``.

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``). Default: ``22050``.
        n_fft: FFT size in samples. Default: ``2048``.
        hop_length: samples between frames (librosa.feature's 512 whatever ``n_fft``). Default: ``512``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        window: window name, tuple or array (periodic, as scipy). Default: ``'hann'``.
        center: pad ``n_fft // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center`` (librosa's "constant"). Default: ``'constant'``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, 1[, channels])``. A silent frame
    gives 0 Hz, as librosa.

    Example:
        >>> SpectralCentroid(sample_rate=16000)(np.zeros((2, 16000), "float32")).shape
        (2, 32, 1)
    """

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | list = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self._init_spectrogram(
            sample_rate=sample_rate,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )

    def _describe(self, S):
        return ops_descriptors.spectral_centroid(S, freq=self._freq)


@serializable
class SpectralBandwidth(_OfSpectrogram):
    """p-th order spectral bandwidth per frame: ``librosa.feature.spectral_bandwidth(y=x[b], sr=...).T``.

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``). Default: ``22050``.
        n_fft: FFT size in samples. Default: ``2048``.
        hop_length: samples between frames (librosa.feature's 512 whatever ``n_fft``). Default: ``512``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        window: window name, tuple or array (periodic, as scipy). Default: ``'hann'``.
        center: pad ``n_fft // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center`` (librosa's "constant"). Default: ``'constant'``.
        p: order of the deviation from the centroid, > 0. Default: ``2.0``.
        norm: normalise each frame's magnitudes to sum 1 first. Default: ``True``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, 1[, channels])``.
    """

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | list = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        p: float = 2.0,
        norm: bool = True,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self._init_spectrogram(
            sample_rate=sample_rate,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )
        self.p, self.norm = check_number("p", p, exclusive_minimum=0), check_bool("norm", norm)
        self._remember(p=p, norm=norm)

    def _describe(self, S):
        return ops_descriptors.spectral_bandwidth(S, freq=self._freq, p=self.p, norm=self.norm)


@serializable
class SpectralRolloff(_OfSpectrogram):
    """Roll-off frequency per frame: ``librosa.feature.spectral_rolloff(y=x[b], sr=...).T``.

    The lowest bin centre below which ``roll_percent`` of the frame's magnitude sum lies.

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``). Default: ``22050``.
        n_fft: FFT size in samples. Default: ``2048``.
        hop_length: samples between frames (librosa.feature's 512 whatever ``n_fft``). Default: ``512``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        window: window name, tuple or array (periodic, as scipy). Default: ``'hann'``.
        center: pad ``n_fft // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center`` (librosa's "constant"). Default: ``'constant'``.
        roll_percent: fraction in (0, 1). Default: ``0.85``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, 1[, channels])``.
    """

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | list = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        roll_percent: float = 0.85,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self._init_spectrogram(
            sample_rate=sample_rate,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )
        self.roll_percent = check_number("roll_percent", roll_percent, exclusive_minimum=0)
        if self.roll_percent >= 1:
            raise parameter_error("roll_percent", "in (0, 1)", roll_percent=roll_percent)
        self._remember(roll_percent=roll_percent)

    def _describe(self, S):
        return ops_descriptors.spectral_rolloff(S, freq=self._freq, roll_percent=self.roll_percent)


@serializable
class SpectralFlatness(_OfSpectrogram):
    """Spectral flatness (Wiener entropy) per frame: ``librosa.feature.spectral_flatness(y=x[b]).T``.

    Args:
        n_fft: FFT size in samples. Default: ``2048``.
        hop_length: samples between frames (librosa.feature's 512 whatever ``n_fft``). Default: ``512``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        window: window name, tuple or array (periodic, as scipy). Default: ``'hann'``.
        center: pad ``n_fft // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center`` (librosa's "constant"). Default: ``'constant'``.
        amin: floor of ``S ** power``, > 0. Default: ``1e-10``.
        power: exponent of the magnitude, > 0 (2.0: power). Default: ``2.0``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, 1[, channels])``; 1 for white
    noise, near 0 for a tone.
    """

    def __init__(
        self,
        *,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | list = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        amin: float = 1e-10,
        power: float = 2.0,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self._init_spectrogram(
            sample_rate=_NO_RATE,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )
        self.amin = check_number("amin", amin, exclusive_minimum=0)
        self.power = check_number("power", power, exclusive_minimum=0)
        self._remember(amin=amin, power=power)

    def _describe(self, S):
        return ops_descriptors.spectral_flatness(S, amin=self.amin, power=self.power)


@serializable
class SpectralContrast(_OfSpectrogram):
    """Spectral contrast of octave sub-bands per frame: ``librosa.feature.spectral_contrast(y=x[b], sr=...).T``.

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``). Default: ``22050``.
        n_fft: FFT size in samples. Default: ``2048``.
        hop_length: samples between frames (librosa.feature's 512 whatever ``n_fft``). Default: ``512``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        window: window name, tuple or array (periodic, as scipy). Default: ``'hann'``.
        center: pad ``n_fft // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center`` (librosa's "constant"). Default: ``'constant'``.
        fmin: upper edge of the lowest band in Hz, > 0; ``fmin * 2 ** n_bands`` must be below
            Nyquist. Default: ``200.0``.
        n_bands: octave bands above the first, >= 1 (``n_bands + 1`` values). Default: ``6``.
        quantile: fraction of each band averaged for its peak and valley, in (0, 1). Default: ``0.02``.
        linear: peak minus valley of the magnitudes instead of their dB difference. Default: ``False``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, n_bands + 1[, channels])``.
    """

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        n_fft: int = 2048,
        hop_length: int = 512,
        win_length: int | None = None,
        window: str | tuple | list = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        fmin: float = 200.0,
        n_bands: int = 6,
        quantile: float = 0.02,
        linear: bool = False,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self._init_spectrogram(
            sample_rate=sample_rate,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )
        self._bands = ops_descriptors.contrast_bands(
            self._freq, sample_rate=self.sample_rate, fmin=fmin, n_bands=n_bands
        )
        self.quantile = check_number("quantile", quantile, exclusive_minimum=0)
        if self.quantile >= 1:  # librosa's range, (0, 1)
            raise parameter_error("quantile", "in (0, 1)", quantile=quantile)
        self.fmin, self.n_bands, self.linear = fmin, n_bands, check_bool("linear", linear)
        self._values = n_bands + 1
        self._remember(fmin=fmin, n_bands=n_bands, quantile=quantile, linear=linear)

    def _describe(self, S):
        return ops_descriptors.spectral_contrast(
            S, bands=self._bands, quantile=self.quantile, linear=self.linear
        )
