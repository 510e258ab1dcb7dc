"""ChromaSTFT: a power :class:`Spectrogram` part and librosa's chroma filterbank (:mod:`audioflow.ops.chroma`)."""

from __future__ import annotations

import math

import keras

from audioflow._compat import ops
from audioflow._typing import LayerArguments, Unpack
from audioflow.layers.base import AudioLayer, serializable
from audioflow.layers.spectral import Spectrogram
from audioflow.ops.chroma import check_norm, chroma_filterbank, chroma_from_power

__all__ = ["ChromaSTFT"]


@serializable
class ChromaSTFT(AudioLayer):
    """Chromagram of waveforms: ``librosa.feature.chroma_stft(y=x[b], sr=..., tuning=...).T``.

    The power spectrogram (``|STFT| ** 2``) times librosa's chroma filterbank, each frame
    normalised by ``norm``. librosa estimates ``tuning`` from the signal when it is None; here it
    is an argument (0.0: A440), so the layer is the same function for every input: pass
    ``librosa.estimate_tuning(y=..., sr=...)`` to reproduce librosa's default exactly.

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``). Default: ``22050``.
        n_fft: FFT size in samples. Default: ``2048``.
        hop_length: samples between frames (librosa.feature's 512 whatever ``n_fft``). Default: ``512``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        window: window name, tuple or array (periodic, as scipy). Default: ``'hann'``.
        center: pad ``n_fft // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center`` (librosa's "constant"). Default: ``'constant'``.
        tuning: deviation from A440 in fractions of a chroma bin. Default: ``0.0``.
        n_chroma: chroma bins per octave, >= 1. Default: ``12``.
        norm: per-frame normalisation: ``math.inf`` (divide by the maximum, librosa's
            default), a positive p (p-norm) or None. Default: ``inf``.
        ctroct: centre of the octave weighting in octaves above C0 (librosa ``ctroct``). Default: ``5.0``.
        octwidth: width of the octave weighting in octaves; None for none. Default: ``2.0``.
        base_c: start the chroma at C (else at A). Default: ``True``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, n_chroma[, channels])``.

    Example:
        >>> ChromaSTFT(sample_rate=22050)(np.zeros((1, 22050), "float32")).shape
        (1, 44, 12)
    """

    input_layout = "(batch, samples) or (batch, samples, channels)"

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
        tuning: float = 0.0,
        n_chroma: int = 12,
        norm: float | None = math.inf,
        ctroct: float = 5.0,
        octwidth: float | None = 2.0,
        base_c: bool = True,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.spectrogram = Spectrogram(
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
            power=2.0,
            name="spectrogram",
        )
        self._filterbank = chroma_filterbank(
            sample_rate=sample_rate,
            n_fft=n_fft,
            n_chroma=n_chroma,
            tuning=tuning,
            ctroct=ctroct,
            octwidth=octwidth,
            base_c=base_c,
        )
        self._norm = check_norm(norm)
        self._adopt_arguments(self.spectrogram)
        self._passed.pop("power", None)
        del self.power
        arguments = dict(sample_rate=sample_rate, tuning=tuning, n_chroma=n_chroma, norm=norm)
        arguments.update(ctroct=ctroct, octwidth=octwidth, base_c=base_c)
        self._keep_arguments(arguments)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.spectrogram)

    def _transform(self, x):
        S = self.spectrogram._transform(x)
        if len(S.shape) == 4:  # (batch, frames, bins, channels): bins last, then back
            return ops.moveaxis(
                chroma_from_power(ops.moveaxis(S, 2, -1), self._filterbank, norm=self._norm), -1, 2
            )
        return chroma_from_power(S, self._filterbank, norm=self._norm)

    def compute_output_shape(self, input_shape):
        shape = self.spectrogram.compute_output_shape(input_shape)
        return (shape[0], shape[1], self._filterbank.shape[1], *shape[3:])
