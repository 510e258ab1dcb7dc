"""Augmentation layers: SpecAugment on features; gain, noise and time shift on waveforms; mixup.

Each layer is active only when called with ``training=True`` (as ``Model.fit`` does) and is the
identity otherwise, so it can stay in the model for inference and export. Randomness comes from
a ``keras.random.SeedGenerator``: reproducible with ``seed``, different for each example of a batch
and at each step. The maths is in :mod:`audioflow.ops.augment`.
"""

from __future__ import annotations

import keras

from audioflow import ops as af
from audioflow._compat import DataLayer
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import (
    check_choice,
    check_fits_axis,
    check_gain_args,
    check_int,
    check_mixup_batch,
    check_noise_args,
    check_number,
    check_spec_augment_args,
    parameter_error,
)
from audioflow.layers.base import AudioLayer, serializable
from audioflow.ops.augment import SHIFT_MODES, beta_weights, seconds_to_samples


class _RandomLayer(AudioLayer):
    """A layer drawing from its own seed generator when ``training`` is true, the identity otherwise.

    A subclass defines ``__init__`` (its arguments, checked once and kept) and ``_augment``.
    """

    input_layout = "(batch, samples) or (batch, samples, channels)"
    _ranks = (2, 3)  # the input ranks accepted

    def __init__(self, *, seed: int | None = None, **kwargs: Unpack[LayerArguments]):
        super().__init__(**kwargs)
        seed = check_int("seed", seed, allow_none=True)  # a NumPy integer as an int
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self._remember(seed=seed)
        self.input_spec = keras.InputSpec(min_ndim=self._ranks[0], max_ndim=self._ranks[1])

    def _keep_op_arguments(self, **arguments):
        """The op's arguments as public attributes, in ``get_config``, and as passed to the op."""
        for name, value in arguments.items():
            setattr(self, name, value)
        self._remember(**arguments)
        self._op_arguments = arguments

    def call(self, inputs, training=None):
        x = self._compute_input(inputs)
        if not training:
            return self._output(x)
        return self._output(self._augment(x))

    def _augment(self, x):
        raise NotImplementedError

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@serializable
class SpecAugment(_RandomLayer):
    """SpecAugment (Park et al. 2019) on time-major features ``(batch, frames, bins[, channels])``.

    Time warping (``time_warp_param`` = W frames), then ``n_freq_masks`` frequency masks of up to
    ``freq_mask_param`` bins and ``n_time_masks`` time masks of up to ``time_mask_param`` frames
    (and at most ``time_mask_max_ratio`` of the length), drawn independently per example and
    channel. Works on any length, including an unknown time axis. Defaults are LEAF's/lingvo's
    (``freq_mask_max_bins=10, freq_mask_count=2, time_mask_max_frames=10, time_mask_count=2``)
    without warping; the paper's LibriSpeech policy LB is ``freq_mask_param=27, n_freq_masks=1,
    time_mask_param=100, n_time_masks=1, time_warp_param=80``. torchaudio ``SpecAugment`` and kapre
    ``SpecAugment`` have no time warping; kapre's works on mono only.

    Args:
        freq_mask_param: ``F``, largest frequency mask in bins, >= 0 (torchaudio
            ``freq_mask_param``, lingvo ``freq_mask_max_bins``). Default: ``10``.
        n_freq_masks: frequency masks per example and channel, >= 0. Default: ``2``.
        time_mask_param: ``T``, largest time mask in frames, >= 0 (torchaudio
            ``time_mask_param``). Default: ``10``.
        n_time_masks: time masks per example and channel, >= 0. Default: ``2``.
        time_mask_max_ratio: ``p``, the largest time mask as a fraction of the length, in [0, 1].
            Default: ``1.0``.
        time_warp_param: ``W`` of :func:`audioflow.ops.time_warp` in frames, >= 0; 0 disables
            warping. Default: ``0``.
        mask_value: "mean" (each example's and channel's mean, i.e. zero on the paper's
            mean-normalised features; the right choice for dB features) or "zero".
            Default: ``'mean'``.
        seed: seed of the layer's ``keras.random.SeedGenerator``; None draws a random one.
            Default: ``None``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    See :func:`audioflow.ops.spec_augment`. Wider masks than a known axis raise ``ParameterError``
    in ``build``; on an unknown axis, masks are clipped to it at run time.

    Example:
        >>> features = LogMelSpectrogram(sample_rate=16000, n_mels=64)(inputs)
        >>> features = SpecAugment(time_warp_param=5, seed=0)(features)
    """

    input_layout = "(batch, frames, bins) or (batch, frames, bins, channels)"
    _ranks = (3, 4)

    def __init__(
        self,
        *,
        freq_mask_param: int = 10,
        n_freq_masks: int = 2,
        time_mask_param: int = 10,
        n_time_masks: int = 2,
        time_mask_max_ratio: float = 1.0,
        time_warp_param: int = 0,
        mask_value: str = "mean",
        seed: int | None = None,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(seed=seed, **kwargs)
        arguments = dict(
            freq_mask_param=freq_mask_param,
            n_freq_masks=n_freq_masks,
            time_mask_param=time_mask_param,
            n_time_masks=n_time_masks,
            time_mask_max_ratio=time_mask_max_ratio,
            time_warp_param=time_warp_param,
            mask_value=mask_value,
        )
        check_spec_augment_args(**arguments)
        self._keep_op_arguments(**arguments)

    def _augment(self, x):
        return af.spec_augment(x, **self._op_arguments, seed=self.seed_generator)

    def build(self, input_shape):
        super().build(input_shape)
        frames, bins = input_shape[1], input_shape[2]
        if self.n_freq_masks:
            check_fits_axis("freq_mask_param", self.freq_mask_param, "bins", bins)
        if self.n_time_masks:
            check_fits_axis("time_mask_param", self.time_mask_param, "frames", frames)
        if self.time_warp_param and frames is not None and 2 * self.time_warp_param + 1 >= frames:
            raise parameter_error(
                "time_warp_param",
                "< (frames - 1) / 2",
                time_warp_param=self.time_warp_param,
                frames=frames,
            )


@serializable
class RandomGain(_RandomLayer):
    """Random gain on waveforms ``(batch, samples[, channels])``: ``g ~ U[gain_db]`` dB per example.

    Args:
        gain_db: ``(low, high)`` in dB, low <= high; all channels of an example get the same gain.
            Default: ``(-6.0, 6.0)``.
        seed: seed of the layer's ``keras.random.SeedGenerator``; None draws a random one.
            Default: ``None``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    See :func:`audioflow.ops.random_gain`.
    """

    def __init__(
        self,
        *,
        gain_db: tuple[float, float] = (-6.0, 6.0),
        seed: int | None = None,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(seed=seed, **kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        check_gain_args(gain_db=gain_db)
        self._keep_op_arguments(gain_db=gain_db)

    def _augment(self, x):
        return af.random_gain(x, **self._op_arguments, seed=self.seed_generator)


@serializable
class AddNoise(_RandomLayer):
    """Additive white or pink noise on waveforms, at an SNR ``~ U[snr_db]`` dB per example.

    The SNR is relative to each example's own power (mean square over samples and channels);
    silent examples stay silent.

    Args:
        snr_db: ``(low, high)`` in dB, low <= high. Default: ``(5.0, 40.0)``.
        color: "white" or "pink" (1/f power spectrum). Default: ``'white'``.
        seed: seed of the layer's ``keras.random.SeedGenerator``; None draws a random one.
            Default: ``None``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    See :func:`audioflow.ops.add_noise`.
    """

    def __init__(
        self,
        *,
        snr_db: tuple[float, float] = (5.0, 40.0),
        color: str = "white",
        seed: int | None = None,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(seed=seed, **kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        check_noise_args(snr_db=snr_db, color=color)
        self._keep_op_arguments(snr_db=snr_db, color=color)

    def _augment(self, x):
        return af.add_noise(x, **self._op_arguments, seed=self.seed_generator)


@serializable
class RandomTimeShift(_RandomLayer):
    """Random time shift of waveforms by up to ``max_shift`` seconds either way, per example.

    Args:
        max_shift: largest shift in seconds (>= 0), ``round(max_shift * sample_rate)`` samples.
            Default: ``0.1``.
        sample_rate: of the input in Hz, > 0 (librosa ``sr``; 22050 like librosa).
            Default: ``22050``.
        mode: "roll" (circular) or "zeros" (vacated samples are zero). Default: ``'roll'``.
        seed: seed of the layer's ``keras.random.SeedGenerator``; None draws a random one.
            Default: ``None``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    See :func:`audioflow.ops.random_time_shift`.
    """

    def __init__(
        self,
        *,
        max_shift: float = 0.1,
        sample_rate: float = 22050,
        mode: str = "roll",
        seed: int | None = None,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(seed=seed, **kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        check_number("max_shift", max_shift, minimum=0.0)
        check_number("sample_rate", sample_rate, exclusive_minimum=0.0)
        check_choice("mode", mode, SHIFT_MODES)
        self._keep_op_arguments(max_shift=max_shift, sample_rate=sample_rate, mode=mode)
        self._max_shift = seconds_to_samples(max_shift, sample_rate)

    def _augment(self, x):
        return af.random_time_shift(x, max_shift=self._max_shift, mode=self.mode, seed=self.seed_generator)


@serializable
class Mixup(DataLayer):
    """Mixup (Zhang et al. 2018) of a batch ``(x, y)``: waveforms or features with one-hot/soft labels.

    ``Mixup(alpha)((x, y))`` returns ``(lam * x + (1 - lam) * x[p], lam * y + (1 - lam) * y[p])``
    with ``lam ~ Beta(alpha, alpha)`` per example and ``p`` a random permutation of the batch.
    Meant for the input pipeline, where the labels are: ``dataset.batch(32).map(lambda x, y:
    mixup((x, y)))`` works inside ``tf.data`` whatever the Keras backend, and the layer also
    runs eagerly and compiled on every backend. Active by default (``training=True``) because it is
    applied to training batches; ``training=False`` returns the batch unchanged.

    Args:
        alpha: Beta parameter > 0 (0.2 is common; smaller mixes less). Default: ``0.2``.
        seed: seed of the layer's ``keras.random.SeedGenerator``; None draws a random one.
            Default: ``None``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    See :func:`audioflow.ops.mixup`.
    """

    def __init__(self, *, alpha: float = 0.2, seed: int | None = None, **kwargs: Unpack[LayerArguments]):
        super().__init__(**kwargs)
        check_number("alpha", alpha, exclusive_minimum=0.0)
        seed = check_int("seed", seed, allow_none=True)  # a NumPy integer as an int
        self.alpha, self.seed = alpha, seed
        self.generator = keras.random.SeedGenerator(seed)

    def __call__(self, data, **kwargs):
        if not isinstance(data, (tuple, list)) or len(data) != 2:
            raise parameter_error("data", "a pair (x, y)", data=type(data).__name__)
        if len(data[1].shape) < 2:
            raise parameter_error(
                "y",
                "one-hot or soft labels shaped (batch, classes)",
                y_shape=tuple(data[1].shape),
                hint="Class ids cannot be mixed: one-hot encode them first.",
            )
        check_mixup_batch(data[0].shape, data[1].shape)
        return super().__call__(tuple(data), **kwargs)

    def call(self, data, training=True):
        x, y = data
        if not training:
            return x, y
        backend = self.backend
        x, y = backend.cast(x, "float32"), backend.cast(y, "float32")
        batch = backend.shape(x)[0]
        seed = self._get_seed_generator(backend.name)
        alpha = float(self.alpha)  # torch draws Beta(1, 1) only from floats
        weight = beta_weights(batch, alpha, seed=seed, random=backend.random)
        order = backend.random.shuffle(backend.numpy.arange(batch), seed=seed)
        x, y = af.mix_batch(x, y, weight, order, numpy=backend.numpy)
        return backend.cast(x, self.compute_dtype), backend.cast(y, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}
