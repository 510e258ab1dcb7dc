"""Resampling layers: ``Resample`` (band-limited, in the graph) and ``RandomSpeed`` (speed perturbation).

The maths is in :mod:`audioflow.ops.resample`.
"""

from __future__ import annotations

from collections.abc import Sequence

import keras

from audioflow._compat import ops, random
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_choice, check_int, parameter_error
from audioflow.layers.base import AudioLayer, serializable
from audioflow.ops.resample import (
    RESAMPLE_PRESETS,
    apply_random_speed,
    apply_resample,
    resample_settings,
    speed_settings,
)

__all__ = ["RandomSpeed", "Resample"]

_FILTER_DEFAULTS = RESAMPLE_PRESETS["default"]


def _on_samples(function, x):
    """``function`` on ``(batch, samples)``: channels of ``(batch, samples, channels)`` go through as examples."""
    if len(x.shape) == 2:
        return function(x)
    channels = ops.shape(x)[2]
    # (batch * channels, samples) written out: reshape(-1, 0) of an empty signal is ambiguous
    signals = ops.reshape(ops.transpose(x, (0, 2, 1)), (ops.shape(x)[0] * channels, ops.shape(x)[1]))
    out = function(signals)
    out = ops.reshape(out, (ops.shape(x)[0], channels, ops.shape(out)[-1]))
    return ops.transpose(out, (0, 2, 1))


@serializable
class Resample(AudioLayer):
    """Resample waveforms from ``sample_rate`` to ``target_sample_rate`` inside the model.

    Band-limited windowed-sinc interpolation computed as one strided convolution (all backends,
    compiled, ``tf.data``, export). Equals ``torchaudio.transforms.Resample(sample_rate,
    target_sample_rate, resampling_method=method, lowpass_filter_width=..., rolloff=..., beta=...)``
    to float32 round-off (the tests hold it within 2e-5 of torchaudio in float64).

    Args:
        sample_rate: input rate in Hz, a positive integer.
        target_sample_rate: output rate in Hz, a positive integer. Both are reduced by their gcd
            (44100 -> 16000 is 441 -> 160); the cost per sample grows with the reduced ratio.
        quality: a named filter, or None to use the four filter arguments below:
            "default" (torchaudio's: Hann, 6 zero crossings, rolloff 0.99), "kaiser_best" and
            "kaiser_fast" (resampy's filters: Kaiser, 64 and 16 zero crossings). With a name, the
            filter arguments must stay at their defaults. Default: ``None``.
        lowpass_filter_width: sinc zero crossings on each side, >= 1. Default: ``6``.
        rolloff: cut-off as a fraction of the lower Nyquist frequency, in (0, 1]. Default: ``0.99``.
        method: "sinc_interp_hann" or "sinc_interp_kaiser" (torchaudio ``resampling_method``).
            Default: ``'sinc_interp_hann'``.
        beta: Kaiser shape (>= 0); None is torchaudio's 14.769656459379492. Default: ``None``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ...).

    Shapes: ``(batch, samples)`` -> ``(batch, ceil(samples * target / source))``;
    ``(batch, samples, channels)`` -> ``(batch, ceil(...), channels)``. Any length, also unknown.

    Example:
        >>> Resample(sample_rate=44100, target_sample_rate=16000)(np.zeros((2, 44100), "float32")).shape
        (2, 16000)
    """

    input_layout = "(batch, samples) or (batch, samples, channels)"

    def __init__(
        self,
        *,
        sample_rate: int,
        target_sample_rate: int,
        quality: str | None = None,
        lowpass_filter_width: int = 6,
        rolloff: float = 0.99,
        method: str = "sinc_interp_hann",
        beta: float | None = None,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        passed = {
            "lowpass_filter_width": lowpass_filter_width,
            "rolloff": rolloff,
            "method": method,
            "beta": beta,
        }
        filters = dict(passed)
        if quality is not None:
            check_choice("quality", quality, tuple(RESAMPLE_PRESETS))
            changed = {name: value for name, value in passed.items() if value != _FILTER_DEFAULTS[name]}
            if changed:
                raise parameter_error(
                    "quality", "None when filter arguments are given", quality=quality, **changed
                )
            filters = dict(RESAMPLE_PRESETS[quality])
        self._settings = resample_settings(
            sample_rate=sample_rate, target_sample_rate=target_sample_rate, **filters
        )
        self.sample_rate, self.target_sample_rate, self.quality = sample_rate, target_sample_rate, quality
        self.lowpass_filter_width, self.rolloff, self.method, self.beta = passed.values()
        self._remember(
            sample_rate=sample_rate, target_sample_rate=target_sample_rate, quality=quality, **passed
        )
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def _transform(self, x):
        return _on_samples(lambda signals: apply_resample(signals, self._settings), x)

    def compute_output_shape(self, input_shape):
        length = self._settings.output_length(input_shape[1])
        return (input_shape[0], length, *input_shape[2:])


@serializable
class RandomSpeed(AudioLayer):
    """Speed perturbation of waveforms in training: each example played ``f`` times faster.

    ``f`` is drawn per example from ``factors`` (uniformly); the example is resampled as
    ``torchaudio.transforms.Speed(sample_rate, f)`` does (duration divided by ``f``, pitch
    multiplied by it, as Kaldi's and ESPnet's 0.9/1.0/1.1 recipes), then cut or zero-padded at the
    end to its input length so that a batch keeps one static shape (compiled training works; a
    slower example loses its end, a faster one ends in silence). The identity when ``training``
    is not true, so it can stay in the model for inference and export.

    Args:
        sample_rate: the rate of the input in Hz, a positive integer.
        factors: speed factors (each > 0, ``int(f * sample_rate) >= 1``); 1.0 leaves an example
            as it is. Default: ``(0.9, 1.0, 1.1)``.
        seed: int or None: reproducible draws (different per example and per step). Default: ``None``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples[, channels])`` -> the same shape (channels get the same factor).

    Example:
        >>> speed = RandomSpeed(sample_rate=16000, factors=(0.9, 1.0, 1.1), seed=0)
        >>> speed(np.ones((4, 16000), "float32"), training=True).shape
        (4, 16000)
    """

    input_layout = "(batch, samples) or (batch, samples, channels)"

    def __init__(
        self,
        *,
        sample_rate: int,
        factors: Sequence[float] = (0.9, 1.0, 1.1),
        seed: int | None = None,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        if isinstance(factors, (str, bytes)) or not isinstance(factors, Sequence) or not factors:
            raise parameter_error("factors", "a non-empty sequence of numbers", factors=factors)
        self._settings = tuple(
            speed_settings(sample_rate=sample_rate, factor=f, argument="factors") for f in factors
        )
        self.seed = check_int("seed", seed, allow_none=True)
        self.sample_rate, self.factors = sample_rate, tuple(factors)
        self.seed_generator = keras.random.SeedGenerator(self.seed)
        self._remember(sample_rate=sample_rate, factors=list(factors), seed=self.seed)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def call(self, inputs, training=None):
        x = self._compute_input(inputs)
        if not training:
            return self._output(x)
        choice = random.randint((ops.shape(x)[0],), 0, len(self._settings), seed=self.seed_generator)
        if len(x.shape) == 3:  # every channel of an example gets the example's factor
            choice = ops.reshape(ops.repeat(ops.expand_dims(choice, 1), ops.shape(x)[2], axis=1), (-1,))
        return self._output(_on_samples(lambda s: apply_random_speed(s, self._settings, choice), x))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
