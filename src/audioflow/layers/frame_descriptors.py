"""Frame descriptors of waveforms (no FFT): librosa.feature's RMS and zero-crossing rate.

Inputs ``(batch, samples[, channels])``; outputs ``(batch, frames, 1[, channels])``. The maths is
in :mod:`audioflow.ops.descriptors`.
"""

from __future__ import annotations

import keras

from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_bool, check_choice, check_int, check_number
from audioflow.layers.base import AudioLayer, channels_first, channels_last, serializable
from audioflow.ops import descriptors as ops_descriptors
from audioflow.ops.framing import num_frames

__all__ = ["RMS", "ZeroCrossingRate"]


class _OfFrames(AudioLayer):
    """A descriptor of framed waveforms (no FFT)."""

    input_layout = "(batch, samples) or (batch, samples, channels)"

    def _init_frames(self, *, frame_length, hop_length, center):
        self.frame_length = check_int("frame_length", frame_length, minimum=1)
        self.hop_length = check_int("hop_length", hop_length, minimum=1)
        self.center = check_bool("center", center)
        self._remember(frame_length=frame_length, hop_length=hop_length, center=center)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def _transform(self, x):
        return channels_last(self._describe(channels_first(x)), len(x.shape))

    def compute_output_shape(self, input_shape):
        frames = num_frames(
            input_shape[1], n_fft=self.frame_length, hop_length=self.hop_length, center=self.center
        )
        return (input_shape[0], frames, 1, *input_shape[2:])


@serializable
class RMS(_OfFrames):
    """Root mean square of each frame: ``librosa.feature.rms(y=x[b], ...).T``.

    Args:
        frame_length: samples per frame, >= 1. Default: ``2048``.
        hop_length: samples between frames, >= 1. Default: ``512``.
        center: pad ``frame_length // 2`` on both sides. Default: ``True``.
        pad_mode: padding for ``center``: "constant" (zeros, librosa's default), "edge" or "reflect".
            Default: ``'constant'``.
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
        frame_length: int = 2048,
        hop_length: int = 512,
        center: bool = True,
        pad_mode: str = "constant",
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self._init_frames(frame_length=frame_length, hop_length=hop_length, center=center)
        self.pad_mode = check_choice("pad_mode", pad_mode, ops_descriptors.RMS_PAD_MODES)
        self._remember(pad_mode=pad_mode)

    def _describe(self, x):
        framing = dict(frame_length=self.frame_length, hop_length=self.hop_length, center=self.center)
        return ops_descriptors.rms(x, **framing, pad_mode=self.pad_mode)


@serializable
class ZeroCrossingRate(_OfFrames):
    """Fraction of sign changes in each frame: ``librosa.feature.zero_crossing_rate(x[b], ...).T``.

    Args:
        frame_length: samples per frame, >= 1. Default: ``2048``.
        hop_length: samples between frames, >= 1. Default: ``512``.
        center: pad ``frame_length // 2`` edge samples on both sides (as librosa). Default: ``True``.
        threshold: ``|x| <= threshold`` counts as zero (librosa ``zero_crossings``). Default: ``1e-10``.
        ref_magnitude: scales ``threshold`` when given (a number; librosa also takes a function).
            Default: ``None``.
        zero_pos: zero counts as positive (else as its own sign). Default: ``True``.
        pad: count each frame's first sample as a crossing. Default: ``False``.
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
        frame_length: int = 2048,
        hop_length: int = 512,
        center: bool = True,
        threshold: float = 1e-10,
        ref_magnitude: float | None = None,
        zero_pos: bool = True,
        pad: bool = False,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self._init_frames(frame_length=frame_length, hop_length=hop_length, center=center)
        self.threshold = check_number("threshold", threshold, minimum=0)
        self.ref_magnitude = check_number("ref_magnitude", ref_magnitude, minimum=0, allow_none=True)
        self.zero_pos, self.pad = check_bool("zero_pos", zero_pos), check_bool("pad", pad)
        self._remember(threshold=threshold, ref_magnitude=ref_magnitude, zero_pos=zero_pos, pad=pad)

    def _describe(self, x):
        framing = dict(frame_length=self.frame_length, hop_length=self.hop_length, center=self.center)
        zeros = dict(threshold=self.threshold, ref_magnitude=self.ref_magnitude, zero_pos=self.zero_pos)
        return ops_descriptors.zero_crossing_rate(x, **framing, **zeros, pad=self.pad)
