"""Random data augmentation on ``keras.ops``: SpecAugment, gain, noise, time shift and mixup.

Every function draws its randomness from ``seed``: a ``keras.random.SeedGenerator`` (what layers
pass, and what compiled functions need), or an int or None, from which a new generator is made
for the call (eager use). Draws are independent for each example of the batch (and for
each channel where the docstring says so). Lengths may be unknown until run time: nothing here
needs a static time axis, so the functions run inside ``tf.function`` (with XLA), ``jax.jit`` and
PyTorch on variable-length batches.

Layouts: waveforms ``(batch, samples[, channels])``; spectra time-major
``(batch, frames, bins[, channels])``.
"""

from __future__ import annotations

import inspect
from typing import Any

import keras
import numpy as np

from audioflow._compat import ops, random
from audioflow._typing import Seed, Tensor
from audioflow._validation import (
    NOISE_COLORS,
    check_choice,
    check_gain_args,
    check_int,
    check_mixup_batch,
    check_noise_args,
    check_number,
    check_spec_augment_args,
)
from audioflow.ops._tensor import channels_first, channels_last, dim_maximum

SHIFT_MODES = ("roll", "zeros")


def _float(x):
    x = ops.convert_to_tensor(x)
    if keras.backend.standardize_dtype(x.dtype) not in ("float32", "float64"):
        x = ops.cast(x, "float32")
    return x


def _generator(seed):
    """One generator for all the draws of a call (an int seed reused per draw would repeat them)."""
    if isinstance(seed, keras.random.SeedGenerator):
        return seed
    check_int("seed", seed, allow_none=True)
    return keras.random.SeedGenerator(seed)


def _uniform(shape, low, high, seed, dtype="float32"):
    return random.uniform(shape, minval=low, maxval=high, dtype=dtype, seed=seed)


def _band_masks(length, batch_shape, count: int, max_width, seed):
    """Boolean ``batch_shape + (length,)``: ``count`` bands, widths uniform in ``[0, max_width]``.

    ``max_width`` (a float tensor or number, already at most ``length``) may differ per example.
    Each band starts uniformly among the positions where it fits, as in Park et al. (2019).
    """
    shape = tuple(batch_shape) + (count,)
    width = ops.floor(_uniform(shape, 0.0, 1.0, seed) * (max_width + 1.0))
    width = ops.minimum(width, max_width)
    start = ops.floor(_uniform(shape, 0.0, 1.0, seed) * (ops.cast(length, "float32") - width + 1.0))
    position = ops.cast(ops.arange(length), "float32")
    inside = ops.logical_and(position >= start[..., None], position < (start + width)[..., None])
    return ops.any(inside, axis=-2)


def time_warp(x: Tensor, *, max_warp: int, seed: Seed = None) -> Tensor:
    """SpecAugment time warping: a piecewise-linear warp of the time axis of each example.

    A centre frame ``c`` is drawn uniformly in ``[W, frames - 1 - W]`` and moved to ``c + w``,
    ``w ~ U[-W, W]`` (Park et al. 2019, with ``W = max_warp``); the frames on either side are
    stretched or squeezed linearly and read by linear interpolation. All channels of an example
    share one warp (they stay aligned in time). Examples with ``frames <= 2 W + 1`` are unchanged.

    Args:
        x: ``(batch, frames, bins[, channels])``.
        max_warp: ``W`` in frames (lingvo ``time_warp_max_frames``); 0 returns ``x``.
        seed: a ``keras.random.SeedGenerator``, an int or None (a random draw). Default: ``None``.
    """
    seed = _generator(seed)
    check_int("max_warp", max_warp, minimum=0)
    x = _float(x)
    if max_warp == 0:
        return x
    rank = len(x.shape)
    frames = ops.shape(x)[1]
    batch = ops.shape(x)[0]
    n = ops.cast(frames, "float32")
    w_max = float(max_warp)
    last = n - 1.0
    valid = last > 2.0 * w_max
    centre = w_max + _uniform((batch, 1), 0.0, 1.0, seed) * (last - 2.0 * w_max)
    centre = ops.where(valid, centre, ops.maximum(last, 0.0) / 2.0)
    shift = ops.where(valid, _uniform((batch, 1), -w_max, w_max, seed), 0.0)
    # Kept inside (0, last) so both ends stay fixed.
    target = ops.clip(centre + shift, 1.0, ops.maximum(last - 1.0, 1.0))
    t = ops.cast(ops.arange(frames), "float32")[None, :]
    # Output frame t reads the input at `source`: [0, target] -> [0, centre], [target, last] -> [centre, last].
    left = t * centre / ops.maximum(target, 1e-6)
    right = centre + (t - target) * (last - centre) / ops.maximum(last - target, 1e-6)
    source = ops.clip(ops.where(t < target, left, right), 0.0, ops.maximum(last, 0.0))
    source = ops.where(valid, source, t)
    below = ops.floor(source)
    fraction = source - below
    below = ops.cast(below, "int32")
    above = ops.minimum(below + 1, frames - 1)
    expand = (slice(None), slice(None)) + (None,) * (rank - 2)
    lower = ops.take_along_axis(x, ops.broadcast_to(below[expand], ops.shape(x)), axis=1)
    upper = ops.take_along_axis(x, ops.broadcast_to(above[expand], ops.shape(x)), axis=1)
    fraction = ops.cast(fraction[expand], x.dtype)
    return lower + fraction * (upper - lower)


def spec_augment(
    x: Tensor,
    *,
    freq_mask_param: int = 10,
    n_freq_masks: int = 2,
    time_mask_param: int = 10,
    n_time_masks: int = 2,
    time_mask_max_ratio: float = 1.0,
    time_warp_param: int = 0,
    mask_value: str = "mean",
    seed: Seed = None,
) -> Tensor:
    """SpecAugment (Park et al. 2019): time warping, then frequency masks, then time masks.

    Masks are drawn independently for each example and each channel: ``n_freq_masks`` bands of
    ``f ~ U{0..freq_mask_param}`` bins and ``n_time_masks`` bands of ``t ~ U{0..T}`` frames with
    ``T = min(time_mask_param, floor(time_mask_max_ratio * frames))`` (the paper's ``p``), each
    starting uniformly where it fits. Masks wider than the axis are clipped to it.

    Args:
        x: time-major ``(batch, frames, bins[, channels])`` features (any length).
        freq_mask_param: ``F``, largest frequency mask in bins (torchaudio ``freq_mask_param``,
            lingvo ``freq_mask_max_bins``). Default: ``10``.
        time_mask_param: ``T``, largest time mask in frames (torchaudio ``time_mask_param``).
            Default: ``10``.
        time_mask_max_ratio: ``p``, the largest time mask as a fraction of the length.
            Default: ``1.0``.
        time_warp_param: ``W`` of :func:`time_warp` in frames; 0 disables warping. Default: ``0``.
        mask_value: "zero", or "mean" (the example's and channel's own mean over frames and bins,
            which is what zero means on the paper's mean-normalised features). Default: ``'mean'``.
        seed: ``keras.random.SeedGenerator``, int or None. Default: ``None``.
        n_freq_masks: frequency masks per example and channel, >= 0. Default: ``2``.
        n_time_masks: time masks per example and channel, >= 0. Default: ``2``.

    Returns:
        the augmented features, same shape and dtype (float32 for integer input).
    """
    seed = _generator(seed)
    check_spec_augment_args(**_spec_augment_arguments(locals()))
    x = time_warp(_float(x), max_warp=time_warp_param, seed=seed)
    rank = len(x.shape)
    features = channels_first(x, rank=3, mono_axis=True)
    batch, channels, frames, bins = (ops.shape(features)[i] for i in range(4))
    masked = ops.zeros((batch, channels, frames, bins), dtype="bool")
    if n_freq_masks:
        width = min(freq_mask_param, bins) if isinstance(bins, int) else ops.minimum(freq_mask_param, bins)
        band = _band_masks(bins, (batch, channels), n_freq_masks, ops.cast(width, "float32"), seed)
        masked = ops.logical_or(masked, band[:, :, None, :])
    if n_time_masks:
        n = ops.cast(frames, "float32")
        width = ops.minimum(float(time_mask_param), ops.floor(time_mask_max_ratio * n))
        band = _band_masks(frames, (batch, channels), n_time_masks, width, seed)
        masked = ops.logical_or(masked, band[:, :, :, None])
    if mask_value == "mean":
        fill = ops.mean(features, axis=(2, 3), keepdims=True)
    else:
        fill = ops.zeros((), dtype=features.dtype)
    return channels_last(ops.where(masked, fill, features), rank, mono_rank=3, mono_axis=True)


def _spec_augment_arguments(local_values: dict) -> dict:
    """:func:`spec_augment`'s arguments but ``x`` and ``seed``, from its ``locals()``."""
    return {name: local_values[name] for name in _SPEC_AUGMENT_ARGUMENTS}


_SPEC_AUGMENT_ARGUMENTS = tuple(inspect.signature(spec_augment).parameters)[1:-1]


def _per_example(values, rank: int):
    """``(batch,)`` -> broadcastable against ``(batch, samples[, channels])``."""
    return ops.reshape(values, (-1,) + (1,) * (rank - 1))


def random_gain(x: Tensor, *, gain_db: tuple[float, float] = (-6.0, 6.0), seed: Seed = None) -> Tensor:
    """Multiply each example by ``10 ** (g / 20)``, ``g ~ U[gain_db]`` dB (one gain for all its channels).

    Args:
        x: waveforms ``(batch, samples[, channels])``.
        gain_db: ``(low, high)`` in dB, low <= high (torchaudio ``Vol(gain_type="db")`` with a random gain).
            Default: ``(-6.0, 6.0)``.
        seed: a ``keras.random.SeedGenerator``, an int or None (a random draw). Default: ``None``.
    """
    seed = _generator(seed)
    low, high = check_gain_args(gain_db=gain_db)
    x = _float(x)
    gain = _uniform((ops.shape(x)[0],), low, high, seed)
    scale = ops.power(10.0, gain / 20.0)
    return x * ops.cast(_per_example(scale, len(x.shape)), x.dtype)


def colored_noise(shape: tuple, *, color: str = "white", seed: Seed = None, dtype: str = "float32") -> Tensor:
    """Unit-variance Gaussian noise ``(batch, samples[, channels])``, white or pink (1/f power).

    Pink noise is white noise whose spectrum is scaled by ``1/sqrt(f)`` (DC left at 0), then
    normalised to unit power per example and channel, at every length (one sample included).

    Args:
        shape: ``(batch, samples[, channels])``.
        color: "white" or "pink". Default: ``'white'``.
        seed: a ``keras.random.SeedGenerator``, an int or None (a random draw). Default: ``None``.
        dtype: of the noise. Default: ``'float32'``.
    """
    seed = _generator(seed)
    check_choice("color", color, NOISE_COLORS)
    if color == "pink":
        return ops.cast(_pink_noise(shape, seed), dtype)
    return ops.cast(random.normal(shape, dtype="float32", seed=seed), dtype)


def _pink_noise(shape, seed):
    """Pink noise of ``shape``, drawn for at least one example of at least 2 samples, then cut.

    One sample has only a DC bin, which pink noise leaves at zero (no noise at all), and PyTorch's
    FFT refuses an empty axis; the cut noise is normalised, so its power is 1 at any length.
    """
    rank = len(shape)
    batch, samples = shape[0], shape[1]
    drawn = (dim_maximum(batch, 1), dim_maximum(samples, 2)) + tuple(shape[2:])
    noise = random.normal(drawn, dtype="float32", seed=seed)
    signals = noise if rank == 2 else ops.transpose(noise, (0, 2, 1))
    real, imag = ops.rfft(signals)
    index = ops.cast(ops.arange(ops.shape(real)[-1]), "float32")
    scale = ops.where(index > 0, ops.rsqrt(ops.maximum(index, 1.0)), 0.0)
    signals = ops.irfft((real * scale, imag * scale), fft_length=drawn[1])[:batch, ..., :samples]
    power = ops.mean(ops.square(signals), axis=-1, keepdims=True)
    signals = signals * ops.rsqrt(ops.maximum(power, 1e-20))
    return signals if rank == 2 else ops.transpose(signals, (0, 2, 1))


def add_noise(
    x: Tensor, *, snr_db: tuple[float, float] = (5.0, 40.0), color: str = "white", seed: Seed = None
) -> Tensor:
    """Add noise at a signal-to-noise ratio ``~ U[snr_db]`` dB, relative to each example's own power.

    The power of an example is its mean square over samples and channels; the noise (independent
    per channel, see :func:`colored_noise`) is scaled so that ``10 log10(P_signal / P_noise)``
    equals the drawn SNR. A silent example stays silent (no noise can meet an SNR against zero).

    Args:
        x: waveforms ``(batch, samples[, channels])``.
        snr_db: ``(low, high)`` in dB, low <= high (torchaudio ``AddNoise``'s ``snr`` drawn at random).
            Default: ``(5.0, 40.0)``.
        color: "white" or "pink". Default: ``'white'``.
        seed: a ``keras.random.SeedGenerator``, an int or None (a random draw). Default: ``None``.
    """
    seed = _generator(seed)
    low, high = check_noise_args(snr_db=snr_db, color=color)
    x = _float(x)
    rank = len(x.shape)
    axes = tuple(range(1, rank))
    noise = colored_noise(ops.shape(x), color=color, seed=seed, dtype=x.dtype)
    snr = _uniform((ops.shape(x)[0],), low, high, seed)
    signal_power = ops.cast(ops.mean(ops.square(x), axis=axes), "float32")
    noise_power = ops.maximum(ops.cast(ops.mean(ops.square(noise), axis=axes), "float32"), 1e-20)
    scale = ops.sqrt(signal_power / noise_power * ops.power(10.0, -snr / 10.0))
    return x + noise * ops.cast(_per_example(scale, rank), x.dtype)


def random_time_shift(x: Tensor, *, max_shift: int, mode: str = "roll", seed: Seed = None) -> Tensor:
    """Shift each example in time by ``s ~ U{-max_shift..max_shift}`` samples (all channels alike).

    Args:
        x: waveforms ``(batch, samples[, channels])``.
        max_shift: largest shift in samples (shifts are clipped to the length).
        mode: "roll" (circular, like ``np.roll``) or "zeros" (the vacated samples are zero).
            Default: ``'roll'``.
        seed: a ``keras.random.SeedGenerator``, an int or None (a random draw). Default: ``None``.
    """
    seed = _generator(seed)
    check_int("max_shift", max_shift, minimum=0)
    check_choice("mode", mode, SHIFT_MODES)
    x = _float(x)
    rank = len(x.shape)
    samples = ops.shape(x)[1]
    shift = ops.floor(_uniform((ops.shape(x)[0], 1), 0.0, 1.0, seed) * (2 * max_shift + 1)) - max_shift
    source = ops.arange(samples, dtype="int32")[None, :] - ops.cast(shift, "int32")
    inside = ops.logical_and(source >= 0, source < samples)
    source = ops.mod(source, samples) if mode == "roll" else ops.clip(source, 0, samples - 1)
    expand = (slice(None), slice(None)) + (None,) * (rank - 2)
    shifted = ops.take_along_axis(x, ops.broadcast_to(source[expand], ops.shape(x)), axis=1)
    if mode == "zeros":
        shifted = ops.where(inside[expand], shifted, ops.zeros((), dtype=x.dtype))
    return shifted


def beta_weights(batch, alpha: float, *, seed, random=random):
    """``(batch,)`` draws of ``Beta(alpha, alpha)``, mixup's weights; ``random`` is the namespace.

    Drawn for at least one example and cut to ``batch``: PyTorch's Beta refuses an empty shape.
    """
    draws = max(batch, 1) if isinstance(batch, int) else batch
    return random.beta((draws,), alpha, alpha, seed=seed, dtype="float32")[:batch]


def mix_batch(x: Tensor, y: Tensor, weight: Tensor, order: Tensor, numpy: Any = ops) -> tuple[Tensor, Tensor]:
    """``weight * x + (1 - weight) * x[order]`` and the same for ``y``: the mixing step of mixup.

    ``x``, ``y`` and ``weight`` share one float dtype; ``weight`` is ``(batch,)``, ``order`` a permutation of the batch; ``numpy`` is the namespace
    providing ``reshape`` and ``take`` (``keras.ops`` by default; the :class:`~audioflow.layers.Mixup`
    layer passes TensorFlow's inside a ``tf.data`` pipeline whatever the Keras backend).

    Args:
        x: waveforms or features ``(batch, ...)``, float.
        y: labels ``(batch, classes)``, the same dtype.
        weight: ``(batch,)`` mixing weights.
        order: a permutation of the batch: each example's partner.
        numpy: the namespace providing ``reshape`` and ``take``. Default: ``audioflow._compat.ops``
            (``keras.ops``, or Keras' TensorFlow backend inside a ``tf.data`` graph).
    """

    def mix(values):
        w = numpy.reshape(weight, (-1,) + (1,) * (len(values.shape) - 1))
        return w * values + (1.0 - w) * numpy.take(values, order, axis=0)

    return mix(x), mix(y)


def mixup(x: Tensor, y: Tensor, *, alpha: float = 0.2, seed: Seed = None) -> tuple[Tensor, Tensor]:
    """Mixup (Zhang et al. 2018): mix each example with another of the batch.

    ``lambda ~ Beta(alpha, alpha)`` per example; the partner comes from a random permutation of
    the batch; waveforms and labels are mixed with the same weight.

    Args:
        x: waveforms (or features) ``(batch, ...)``, float.
        y: one-hot or soft labels ``(batch, classes)``, float (integer class ids cannot be mixed).
        alpha: Beta parameter > 0; small values keep most examples nearly unmixed.
            Default: ``0.2``.
        seed: a ``keras.random.SeedGenerator``, an int or None (a random draw). Default: ``None``.

    Returns:
        ``(x_mixed, y_mixed)``.
    """
    seed = _generator(seed)
    check_number("alpha", alpha, exclusive_minimum=0.0)
    x, y = _float(x), _float(y)
    check_mixup_batch(x.shape, y.shape)
    batch = ops.shape(x)[0]
    weight = beta_weights(batch, float(alpha), seed=seed)
    order = random.shuffle(ops.arange(batch), seed=seed)
    return mix_batch(x, ops.cast(y, x.dtype), ops.cast(weight, x.dtype), order)


def seconds_to_samples(seconds: float, sample_rate: float) -> int:
    """``round(seconds * sample_rate)``, the sample count of a duration."""
    return int(np.round(seconds * sample_rate))
