"""Band-limited resampling in the graph: windowed-sinc interpolation as one strided convolution.

The algorithm is torchaudio's ``functional.resample`` (after Julius O. Smith's bandlimited
interpolation): with both rates reduced by their gcd to ``orig`` and ``new``, output sample
``j + k * new`` is the same FIR filter, the ``j``-th of ``new`` polyphase filters, applied to the
input shifted by ``k * orig``. All ``new`` filters are one kernel of a convolution with stride
``orig``, so a batch of any length resamples in one operation on every backend (and exports).
The kernel is a NumPy constant built once per setting (float64, used as float32).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from audioflow._compat import constant_tensor, host_constant, ops, pad
from audioflow._validation import check_choice, check_int, check_number, parameter_error
from audioflow.ops._tensor import as_float

__all__ = [
    "RESAMPLE_PRESETS",
    "RESAMPLING_METHODS",
    "ResampleSettings",
    "apply_random_speed",
    "apply_resample",
    "resample",
    "resample_settings",
    "speed_settings",
]

#: Window of the sinc filter: Hann (torchaudio's default) or Kaiser with its ``beta``.
RESAMPLING_METHODS = ("sinc_interp_hann", "sinc_interp_kaiser")
#: Kaiser beta torchaudio uses when ``beta`` is None.
_DEFAULT_KAISER_BETA = 14.769656459379492
#: Named quality settings: resampy's ``kaiser_best`` and ``kaiser_fast`` filters, and torchaudio's default.
RESAMPLE_PRESETS = {
    "default": {"lowpass_filter_width": 6, "rolloff": 0.99, "method": "sinc_interp_hann", "beta": None},
    "kaiser_best": {
        "lowpass_filter_width": 64,
        "rolloff": 0.9475937167399596,
        "method": "sinc_interp_kaiser",
        "beta": 14.769656459379492,
    },
    "kaiser_fast": {
        "lowpass_filter_width": 16,
        "rolloff": 0.85,
        "method": "sinc_interp_kaiser",
        "beta": 8.555504641634386,
    },
}
# Kernels above this many coefficients (rates whose reduced ratio is large, e.g. 8001 -> 16000)
# would take gigabytes; refused with a hint instead of failing on memory.
_MAX_KERNEL_SIZE = 1 << 25


@dataclass(frozen=True, eq=False)  # hashed by identity: one kernel per cached setting
class ResampleSettings:
    """Resolved resampling: the rates reduced by their gcd, the filter half-width and the kernel."""

    orig: int
    new: int
    width: int
    kernel: np.ndarray  # (2 * width + orig, new): one polyphase filter per output phase

    def output_length(self, length):
        """``ceil(new * length / orig)`` (torchaudio's), for an int or a symbolic length."""
        if length is None:
            return None
        return (self.new * length + self.orig - 1) // self.orig


def resample_settings(
    *,
    sample_rate: int,
    target_sample_rate: int,
    lowpass_filter_width: int = 6,
    rolloff: float = 0.99,
    method: str = "sinc_interp_hann",
    beta: float | None = None,
) -> ResampleSettings:
    """Validate resampling arguments and build the kernel (cached per setting).

    Raises:
        ParameterError: a rate that is not a positive integer, ``lowpass_filter_width < 1``,
            ``rolloff`` outside (0, 1], an unknown ``method``, a negative ``beta``, or rates whose
            reduced ratio needs a kernel of over 2**25 coefficients.
    """
    sample_rate = check_int("sample_rate", sample_rate, minimum=1)
    target_sample_rate = check_int("target_sample_rate", target_sample_rate, minimum=1)
    lowpass_filter_width = check_int("lowpass_filter_width", lowpass_filter_width, minimum=1)
    rolloff = check_number("rolloff", rolloff, exclusive_minimum=0, maximum=1)
    method = check_choice("method", method, RESAMPLING_METHODS)
    beta = check_number("beta", beta, minimum=0, allow_none=True)
    return _settings(sample_rate, target_sample_rate, lowpass_filter_width, float(rolloff), method, beta)


@functools.lru_cache(maxsize=64)
def _settings(sample_rate, target_sample_rate, lowpass_filter_width, rolloff, method, beta):
    gcd = math.gcd(sample_rate, target_sample_rate)
    orig, new = sample_rate // gcd, target_sample_rate // gcd
    base = min(orig, new) * rolloff
    width = math.ceil(lowpass_filter_width * orig / base)
    if (2 * width + orig) * new > _MAX_KERNEL_SIZE:
        raise parameter_error(
            "target_sample_rate",
            f"in a ratio to `sample_rate` that reduces to small integers (here {orig}:{new})",
            "Resample in two steps through a rate with a larger common divisor.",
            sample_rate=sample_rate,
            target_sample_rate=target_sample_rate,
        )
    kernel = _kernel(orig, new, width, base, lowpass_filter_width, method, beta)
    kernel.setflags(write=False)
    return ResampleSettings(orig=orig, new=new, width=width, kernel=kernel)


def _kernel(orig, new, width, base, lowpass_filter_width, method, beta) -> np.ndarray:
    """torchaudio's ``_get_sinc_resample_kernel`` in float64, as ``(taps, new)``."""
    taps = np.arange(-width, width + orig, dtype=np.float64) / orig
    t = (-np.arange(new, dtype=np.float64)[:, None] / new + taps[None, :]) * base
    t = np.clip(t, -lowpass_filter_width, lowpass_filter_width)
    if method == "sinc_interp_hann":
        window = np.cos(t * math.pi / lowpass_filter_width / 2) ** 2
    else:
        beta = _DEFAULT_KAISER_BETA if beta is None else beta
        window = np.i0(beta * np.sqrt(1 - (t / lowpass_filter_width) ** 2)) / np.i0(beta)
    t = t * math.pi
    with np.errstate(invalid="ignore", divide="ignore"):
        sinc = np.where(t == 0, 1.0, np.sin(t) / np.where(t == 0, 1.0, t))
    return np.ascontiguousarray((sinc * window * (base / orig)).T)


@host_constant
def _kernel_constant(settings: ResampleSettings) -> np.ndarray:
    return settings.kernel.astype(np.float32)[:, None, :]


def apply_resample(x, settings: ResampleSettings):
    """Resample ``(..., samples)`` with resolved ``settings`` (what the layer calls)."""
    if settings.orig == settings.new:
        return x
    shape = ops.shape(x)
    length = shape[-1]
    if isinstance(length, int) and length == 0:  # reshape(-1, 0) is ambiguous: nothing to filter
        return x
    flat = ops.reshape(x, (-1, length))
    width, orig = settings.width, settings.orig
    padded = pad(flat, [(0, 0), (width, width + orig)])
    kernel = ops.cast(constant_tensor(_kernel_constant(settings)), x.dtype)
    phases = ops.conv(ops.expand_dims(padded, -1), kernel, strides=orig, padding="valid")
    out = ops.reshape(phases, (ops.shape(flat)[0], -1))[:, : settings.output_length(length)]
    return ops.reshape(out, (*shape[:-1], settings.output_length(length)))


def resample(
    x,
    *,
    sample_rate: int,
    target_sample_rate: int,
    lowpass_filter_width: int = 6,
    rolloff: float = 0.99,
    method: str = "sinc_interp_hann",
    beta: float | None = None,
):
    """Resample ``(..., samples)`` from ``sample_rate`` to ``target_sample_rate`` (band-limited sinc).

    Equals ``torchaudio.functional.resample(x, sample_rate, target_sample_rate,
    lowpass_filter_width=..., rolloff=..., resampling_method=method, beta=...)`` to float32
    round-off; the output has ``ceil(target_sample_rate * samples / sample_rate)`` samples.

    Args:
        x: waveforms ``(..., samples)``, float.
        sample_rate: input rate in Hz, a positive integer.
        target_sample_rate: output rate in Hz, a positive integer. Both are reduced by their gcd;
            the work per sample grows with the reduced ratio.
        lowpass_filter_width: zero crossings of the sinc on each side, >= 1 (sharper and slower
            when larger; torchaudio ``lowpass_filter_width``). Default: ``6``.
        rolloff: cut-off as a fraction of the lower Nyquist frequency, in (0, 1]. Default: ``0.99``.
        method: "sinc_interp_hann" or "sinc_interp_kaiser" (torchaudio ``resampling_method``).
            Default: ``'sinc_interp_hann'``.
        beta: Kaiser window shape (>= 0; None means torchaudio's 14.769656459379492). Default: ``None``.

    Returns:
        ``(..., ceil(target_sample_rate * samples / sample_rate))`` waveforms.

    Example:
        >>> resample(np.zeros((2, 16000), "float32"), sample_rate=16000, target_sample_rate=8000).shape
        (2, 8000)
    """
    settings = resample_settings(
        sample_rate=sample_rate,
        target_sample_rate=target_sample_rate,
        lowpass_filter_width=lowpass_filter_width,
        rolloff=rolloff,
        method=method,
        beta=beta,
    )
    return apply_resample(as_float(x), settings)


def speed_settings(*, sample_rate: int, factor: float, argument: str = "factor") -> ResampleSettings:
    """The resampling that plays ``sample_rate`` audio ``factor`` times faster (torchaudio ``Speed``).

    The signal is taken as sampled at ``int(factor * sample_rate)`` Hz and resampled to
    ``sample_rate``: its duration is divided by ``factor`` and its pitch multiplied by it, as
    Kaldi's and ESPnet's speed perturbation (sox ``speed``) do. ``argument`` names the factor in
    errors (a layer's ``factors``).
    """
    sample_rate = check_int("sample_rate", sample_rate, minimum=1)
    factor = check_number(argument, factor, exclusive_minimum=0)
    source = int(factor * sample_rate)
    if source < 1:
        raise parameter_error(argument, "large enough that factor * sample_rate >= 1", **{argument: factor})
    return resample_settings(sample_rate=source, target_sample_rate=sample_rate)


def _fit_length(y, like):
    """``y`` (batch, samples') cut or zero-padded at the end to the length of ``like`` (batch, samples)."""
    return ops.concatenate([y, ops.zeros_like(like)], axis=-1)[:, : ops.shape(like)[-1]]


def apply_random_speed(x, settings: tuple[ResampleSettings, ...], choice):
    """``(batch, samples)`` with example ``b`` resampled by ``settings[choice[b]]``, kept at its length.

    Every setting is applied to the whole batch and each example keeps its own (one-hot mix):
    shapes stay static, so this runs under ``jax.jit``, XLA and ``torch.compile``.
    """
    picked = ops.one_hot(choice, len(settings), dtype=x.dtype)  # (batch, factors)
    out = ops.zeros_like(x)
    for index, setting in enumerate(settings):
        version = _fit_length(apply_resample(x, setting), x)
        out = out + version * picked[:, index : index + 1]
    return out
