"""CQT and VQT: librosa's constant-/variable-Q transforms at the input rate (:mod:`audioflow.ops.cqt`)."""

from __future__ import annotations

import keras

from audioflow._compat import ops
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_choice
from audioflow.layers.base import AudioLayer, channels_first, serializable
from audioflow.ops.cqt import C1_HZ, apply_vqt, vqt_plan

__all__ = ["CQT", "VQT"]

_PAD_MODES = ("constant", "reflect", "symmetric", "edge", "wrap")


@serializable
class VQT(AudioLayer):
    """Variable-Q transform of waveforms: ``librosa.vqt(y=x[b], sr=..., tuning=...).T``.

    Each bin correlates the signal with a windowed complex wavelet (librosa's
    ``filters.wavelet``: length ``Q * sr / (f + gamma / alpha)``, normalised by ``norm``) every
    ``hop_length`` samples. librosa runs each octave on a signal halved in rate by soxr; here every
    octave runs at the input rate as one strided convolution whose kernels are librosa's own
    sparsified reduced-rate FFT bases, interpolated to the input rate through a soxr-HQ-like
    lowpass, so the layer is one graph (no resampling) on every backend. librosa estimates
    ``tuning`` when it is None; here it is an argument (0.0: A440): pass
    ``librosa.estimate_tuning(y=..., sr=...)`` to reproduce its default.

    Parity (librosa 0.11 in float64, the same arguments, 22.05 kHz real recordings; per octave,
    cells within 60 dB of the maximum): median error below 0.001 dB in every octave; 99th
    percentile below 0.6 dB away from the signal's ends, where the cells whose wavelet overlaps the
    first or last sample differ by up to several dB in the lowest octaves (soxr's filter
    transients at the ends of each halved signal, which a full-rate kernel does not have). The top
    octave (never resampled by librosa) is exact. Frame counts are ``1 + samples // hop_length``;
    librosa's can be one more when it downsamples before the first octave and ``samples`` is not
    a multiple of the hop.

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``). Default: ``22050``.
        hop_length: samples between frames, >= 1. Default: ``512``.
        fmin: lowest bin's frequency in Hz, > 0. Default: C1 (32.70 Hz).
        n_bins: number of bins, >= 1; the top filter must stay below Nyquist. Default: ``84``.
        bins_per_octave: bins per octave, >= 1. Default: ``12``.
        tuning: deviation from A440 in fractions of a bin. Default: ``0.0``.
        gamma: bandwidth offset in Hz, >= 0; None is librosa's ERB-based default, 0 the CQT.
            Default: ``None``.
        filter_scale: filter length factor, > 0. Default: ``1.0``.
        norm: wavelet normalisation: a positive p (p-norm), ``math.inf`` or None. Default: ``1``.
        sparsity: fraction of each kernel's (FFT-domain L1) energy dropped, in [0, 1). Default: ``0.01``.
        window: wavelet window (name or tuple, as scipy). Default: ``"hann"``.
        scale: divide each bin by the square root of its filter length (librosa ``scale``). Default: ``True``.
        pad_mode: padding of the centred frames (as ``np.pad``). Default: ``"constant"``.
        output: ``"magnitude"`` or ``"complex"`` (real and imaginary parts stacked last, as
            :class:`STFT`). Default: ``"magnitude"``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, n_bins[, channels])``, with a
    last axis of 2 for ``output="complex"``; ``frames = 1 + samples // hop_length``.

    Example:
        >>> VQT(n_bins=48, fmin=65.4)(np.zeros((1, 22050), "float32")).shape
        (1, 44, 48)
    """

    input_layout = "(batch, samples) or (batch, samples, channels)"

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        hop_length: int = 512,
        fmin: float = C1_HZ,
        n_bins: int = 84,
        bins_per_octave: int = 12,
        tuning: float = 0.0,
        gamma: float | None = None,
        filter_scale: float = 1.0,
        norm: float | None = 1,
        sparsity: float = 0.01,
        window: str | tuple = "hann",
        scale: bool = True,
        pad_mode: str = "constant",
        output: str = "magnitude",
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._setup(locals(), gamma=gamma)

    def _setup(self, arguments: dict, *, gamma):
        arguments = {k: v for k, v in arguments.items() if k not in ("self", "kwargs", "__class__")}
        self._plan = vqt_plan(
            **{k: arguments[k] for k in arguments if k not in ("pad_mode", "output", "gamma")}, gamma=gamma
        )
        self._pad_mode = check_choice("pad_mode", arguments["pad_mode"], _PAD_MODES)
        self._complex = check_choice("output", arguments["output"], ("magnitude", "complex")) == "complex"
        output = arguments.pop("output")
        self._keep_arguments(arguments)
        self._remember(output=output)  # no attribute: Keras layers have an `output` property
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def _transform(self, x):
        real, imag = apply_vqt(channels_first(x), self._plan, pad_mode=self._pad_mode)
        if self._complex:
            y = ops.stack([real, imag], axis=-1)
        else:
            y = ops.sqrt(real * real + imag * imag)
        if len(x.shape) == 3:  # (batch, channels, frames, bins, ...) -> channels after bins
            y = ops.moveaxis(y, 1, 3)
        return y

    def compute_output_shape(self, input_shape):
        samples = input_shape[1]
        frames = None if samples is None else 1 + samples // self._plan.hop_length
        shape = (input_shape[0], frames, self._plan.n_bins, *input_shape[2:])
        return (*shape, 2) if self._complex else shape


@serializable
class CQT(VQT):
    """Constant-Q transform of waveforms: ``librosa.cqt(y=x[b], sr=..., tuning=...).T``.

    :class:`VQT` with ``gamma=0`` (librosa's ``cqt`` is ``vqt`` with ``gamma=0``); the same
    arguments, parity and shapes. At librosa's defaults the lowest (C1) wavelet is ~11,000 samples
    at 22.05 kHz, so its kernel spans ~0.8 s.

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``). Default: ``22050``.
        hop_length: samples between frames, >= 1. Default: ``512``.
        fmin: lowest bin's frequency in Hz, > 0. Default: C1 (32.70 Hz).
        n_bins: number of bins, >= 1; the top filter must stay below Nyquist. Default: ``84``.
        bins_per_octave: bins per octave, >= 1. Default: ``12``.
        tuning: deviation from A440 in fractions of a bin. Default: ``0.0``.
        filter_scale: filter length factor, > 0. Default: ``1.0``.
        norm: wavelet normalisation: a positive p (p-norm), ``math.inf`` or None. Default: ``1``.
        sparsity: fraction of each kernel's (FFT-domain L1) energy dropped, in [0, 1). Default: ``0.01``.
        window: wavelet window (name or tuple, as scipy). Default: ``"hann"``.
        scale: divide each bin by the square root of its filter length. Default: ``True``.
        pad_mode: padding of the centred frames (as ``np.pad``). Default: ``"constant"``.
        output: ``"magnitude"`` or ``"complex"`` (real/imaginary stacked last). Default: ``"magnitude"``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> ``(batch, frames, n_bins[, channels])`` (``[, 2]``
    for ``output="complex"``).

    Example:
        >>> CQT()(np.zeros((1, 22050), "float32")).shape
        (1, 44, 84)
    """

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        hop_length: int = 512,
        fmin: float = C1_HZ,
        n_bins: int = 84,
        bins_per_octave: int = 12,
        tuning: float = 0.0,
        filter_scale: float = 1.0,
        norm: float | None = 1,
        sparsity: float = 0.01,
        window: str | tuple = "hann",
        scale: bool = True,
        pad_mode: str = "constant",
        output: str = "magnitude",
        **kwargs: Unpack[LayerArguments],
    ):
        AudioLayer.__init__(self, **kwargs)
        self._setup(locals(), gamma=0.0)
