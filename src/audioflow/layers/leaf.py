"""LEAF, a learnable audio front end: Gabor filterbank, Gaussian low-pass pooling and sPCEN."""

from __future__ import annotations

import keras
import numpy as np

from audioflow._compat import ops
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_bool, check_int, check_number, parameter_error
from audioflow.layers.base import AudioLayer, serializable
from audioflow.layers.pcen import PCEN
from audioflow.ops.leaf import (
    default_window,
    gabor_energy,
    gabor_parameters,
    gaussian_pooling,
    num_leaf_frames,
)

#: LEAF floors the pooled energies before compression.
_ENERGY_FLOOR = 1e-5


@serializable
class Leaf(AudioLayer):
    """LEAF front end (Zeghidour et al. 2021): ``(batch, samples[, channels])`` -> ``(batch, frames, n_filters[, channels])``.

    1. a complex Gabor filterbank (one centre frequency and bandwidth per filter, initialised to
       match an HTK mel filterbank between ``f_min`` and ``f_max``), squared modulus;
    2. Gaussian low-pass pooling, one learnable width per filter (initialised to 0.4, close to a
       Hann window), decimated by ``hop_length``;
    3. sPCEN: a :class:`PCEN` layer with per-channel learnable parameters and smoother
       (gain 0.96, bias 2, power 0.5, smoothing 0.04, eps 1e-12, first-frame start), as LEAF.

    Defaults follow the paper and google-research/leaf-audio: 40 filters, 16 kHz, 25 ms windows
    (``win_length = sample_rate * 25 ms + 1`` = 401 samples) every 10 ms (``hop_length`` = 160),
    60-7800 Hz. ``frames = ceil(samples / hop_length)`` ("same" padding). Audio channels share the
    parameters. The maths is in :mod:`audioflow.ops.leaf`; the trainable mel filterbank alternative
    is ``MelScale(trainable=True)``.

    Args:
        n_filters: filters, >= 1 (LEAF ``n_filters``, like ``n_mels``). Default: ``40``.
        sample_rate: of the input in Hz, > 0. Default: ``16000``.
        win_length: filter and pooling length in samples, >= 2; None means 25 ms + 1 (401 at
            16 kHz). Default: ``None``.
        hop_length: pooling stride in samples, >= 1; None means 10 ms (160 at 16 kHz).
            Default: ``None``.
        f_min: lowest centre frequency of the initial filters in Hz, >= 0, < ``f_max``.
            Default: ``60.0``.
        f_max: highest centre frequency of the initial filters in Hz, <= ``sample_rate / 2``;
            None means min(7800, sample_rate / 2). Default: ``None``.
        learn_filters: learn the Gabor filters' centre frequencies and bandwidths (as LEAF).
            Default: ``True``.
        learn_pooling: learn the Gaussian pooling widths (as LEAF). Default: ``True``.
        learn_pcen: learn the sPCEN parameters (as LEAF). Default: ``True``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Example:
        >>> features = Leaf(sample_rate=16000)(keras.Input((16000,)))  # (None, 100, 40)
    """

    input_layout = "(batch, samples) or (batch, samples, channels)"

    def __init__(
        self,
        *,
        n_filters: int = 40,
        sample_rate: float = 16000,
        win_length: int | None = None,
        hop_length: int | None = None,
        f_min: float = 60.0,
        f_max: float | None = None,
        learn_filters: bool = True,
        learn_pooling: bool = True,
        learn_pcen: bool = True,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        check_int("n_filters", n_filters, minimum=1)
        check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
        check_int("win_length", win_length, minimum=2, allow_none=True)
        check_int("hop_length", hop_length, minimum=1, allow_none=True)
        check_number("f_min", f_min, minimum=0.0)
        check_number("f_max", f_max, exclusive_minimum=0.0, allow_none=True)
        for name, value in (("learn_filters", learn_filters), ("learn_pooling", learn_pooling)):
            check_bool(name, value)
        check_bool("learn_pcen", learn_pcen)
        resolved_f_max = min(7800.0, sample_rate / 2.0) if f_max is None else float(f_max)
        if resolved_f_max > sample_rate / 2.0:
            raise parameter_error("f_max", "<= sample_rate / 2", f_max=f_max, sample_rate=sample_rate)
        if f_min >= resolved_f_max:
            raise parameter_error("f_min", "< `f_max`", f_min=f_min, f_max=resolved_f_max)
        default_win, default_hop = default_window(sample_rate)
        self._win_length = default_win if win_length is None else win_length
        self._hop_length = default_hop if hop_length is None else hop_length
        if self._hop_length < 1:
            raise parameter_error("hop_length", "a positive integer", hop_length=self._hop_length)
        self._keep_arguments(
            dict(
                n_filters=n_filters,
                sample_rate=sample_rate,
                win_length=win_length,
                hop_length=hop_length,
                f_min=f_min,
                f_max=f_max,
                learn_filters=learn_filters,
                learn_pooling=learn_pooling,
                learn_pcen=learn_pcen,
            )
        )
        self._initial_gabor = gabor_parameters(n_filters, sample_rate, f_min, resolved_f_max)
        self.pcen = PCEN(
            gain=0.96,
            bias=2.0,
            power=0.5,
            b=0.04,
            eps=1e-12,
            initial_state="first_frame",
            trainable=learn_pcen,
            name="pcen",
        )
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        super().build(input_shape)
        self.gabor = self.add_weight(
            name="gabor",
            shape=(self.n_filters, 2),
            initializer=keras.initializers.Constant(self._initial_gabor.astype(np.float32)),
            trainable=self.learn_filters,
            dtype="float32",
        )
        self.pooling_width = self.add_weight(
            name="pooling_width",
            shape=(self.n_filters,),
            initializer=keras.initializers.Constant(0.4),
            trainable=self.learn_pooling,
            dtype="float32",
        )
        self.pcen.build((None, None, self.n_filters))

    def call(self, inputs):
        x = self._compute_input(inputs)
        rank = len(x.shape)
        if rank == 3:  # channels share the filters: fold them into the batch
            batch, channels = ops.shape(x)[0], ops.shape(x)[2]
            x = ops.reshape(ops.transpose(x, (0, 2, 1)), (batch * channels, ops.shape(x)[1]))
        energy = gabor_energy(x, self.gabor, self._win_length)
        pooled = gaussian_pooling(energy, self.pooling_width, self._win_length, self._hop_length)
        features = self.pcen._transform(ops.maximum(pooled, _ENERGY_FLOOR))
        if rank == 3:
            features = ops.reshape(features, (batch, channels) + tuple(ops.shape(features)[1:]))
            features = ops.transpose(features, (0, 2, 3, 1))
        return self._output(features)

    def compute_output_shape(self, input_shape):
        shape = (input_shape[0], num_leaf_frames(input_shape[1], self._hop_length), self.n_filters)
        return shape + tuple(input_shape[2:])
