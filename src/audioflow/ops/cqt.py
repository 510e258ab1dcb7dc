"""Constant-Q and variable-Q transforms (librosa ``cqt`` / ``vqt``) in the graph.

librosa computes each octave on a signal halved in rate by soxr, with that octave's wavelets
FFT'd at a small power-of-two size, sparsified, and multiplied with an STFT (a "ones" window).
Here the same: each octave's sparsified FFT basis is built exactly as librosa builds it at its
reduced rate and applied as one strided convolution (its time-domain kernels), and the signal is
halved between octaves in the graph by a fixed Kaiser-windowed sinc lowpass with soxr HQ's band
(flat to 0.913 of the new Nyquist, -120 dB from it). What differs from librosa is that filter.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from audioflow._compat import constant_tensor, ops
from audioflow._validation import check_bool, check_int, check_number, parameter_error
from audioflow.ops._tensor import as_float, dtype_name
from audioflow.ops.chroma import check_norm
from audioflow.ops.spectral import _pad_signal
from audioflow.ops.windows import get_window

__all__ = ["CQTPlan", "apply_vqt", "cqt_frequencies", "vqt_plan", "wavelet_lengths"]

#: librosa.note_to_hz("C1"), librosa's default ``fmin``.
C1_HZ = 32.70319566257483

# librosa.filters.WINDOW_BANDWIDTHS (equivalent noise bandwidths), so the Nyquist check and early
# downsampling decide as librosa; other windows are measured on 1000 samples as librosa does.
_WINDOW_BANDWIDTHS = {
    "barthann": 1.4560255965133932,
    "bartlett": 1.3334961334912805,
    "blackman": 1.7269681554262326,
    "blackmanharris": 2.0045975283585014,
    "bohman": 1.7859588613860062,
    "boxcar": 1.0,
    "cosine": 1.2337005350199792,
    "flattop": 2.7762255046484143,
    "hamming": 1.3629455320350348,
    "hann": 1.50018310546875,
    "nuttall": 1.9763500280946082,
    "ones": 1.0,
    "parzen": 1.917460317460319,
    "rectangular": 1.0,
    "triang": 1.333170652355585,
}


def cqt_frequencies(
    n_bins: int, *, fmin: float = C1_HZ, bins_per_octave: int = 12, tuning: float = 0.0
) -> np.ndarray:
    """``librosa.cqt_frequencies``: ``fmin * 2 ** (tuning / bins_per_octave + k / bins_per_octave)``.

    Args:
        n_bins: number of bins, >= 1.
        fmin: lowest frequency in Hz, > 0 (C1, 32.70 Hz). Default: ``32.70319566257483``.
        bins_per_octave: bins per octave, >= 1. Default: ``12``.
        tuning: deviation from A440 in fractions of a bin. Default: ``0.0``.

    Returns: float64 ``(n_bins,)``.

    Example:
        >>> cqt_frequencies(3, fmin=440.0).round(2)
        array([440.  , 466.16, 493.88])
    """
    n_bins = check_int("n_bins", n_bins, minimum=1)
    fmin = check_number("fmin", fmin, exclusive_minimum=0)
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    tuning = check_number("tuning", tuning)
    correction = 2.0 ** (float(tuning) / bins_per_octave)
    return correction * float(fmin) * 2.0 ** (np.arange(0, n_bins, dtype=float) / bins_per_octave)


def _window_bandwidth(window) -> float:
    if isinstance(window, str) and window in _WINDOW_BANDWIDTHS:
        return _WINDOW_BANDWIDTHS[window]
    values = get_window(window, 1000, dtype=np.float64)
    return float(1000 * np.sum(values**2) / (np.sum(values) ** 2 + np.finfo(np.float64).tiny))


def _relative_bandwidth(freqs: np.ndarray, bins_per_octave: int) -> np.ndarray:
    """librosa's ``alpha``: from the local octave resolution (a single bin: equal temperament)."""
    if len(freqs) == 1:
        r = 2.0 ** (1.0 / bins_per_octave)
        return np.array([(r**2 - 1) / (r**2 + 1)])
    logf = np.log2(freqs)
    bpo = np.empty_like(freqs)
    bpo[0] = 1 / (logf[1] - logf[0])
    bpo[-1] = 1 / (logf[-1] - logf[-2])
    bpo[1:-1] = 2 / (logf[2:] - logf[:-2])
    return (2.0 ** (2 / bpo) - 1) / (2.0 ** (2 / bpo) + 1)


def wavelet_lengths(
    freqs,
    *,
    sample_rate: float,
    window="hann",
    filter_scale: float = 1.0,
    gamma: float | None = 0.0,
    alpha=None,
) -> tuple[np.ndarray, float]:
    """``librosa.filters.wavelet_lengths``: filter lengths ``Q * sr / (f + gamma / alpha)`` and the cutoff.

    ``Q = filter_scale / alpha``; ``gamma=None`` is the ERB-based ``24.7 * alpha / 0.108``
    (librosa's ``vqt`` default), ``gamma=0`` the constant-Q case. The cutoff is the highest
    frequency any filter's main lobe reaches (compared with Nyquist).
    """
    freqs = np.asarray(freqs, dtype=np.float64)
    alpha = _relative_bandwidth(freqs, 12) if alpha is None else np.asarray(alpha, dtype=np.float64)
    gamma_ = alpha * 24.7 / 0.108 if gamma is None else float(gamma)
    q = float(filter_scale) / alpha
    cutoff = float(np.max(freqs * (1 + 0.5 * _window_bandwidth(window) / q) + 0.5 * gamma_))
    return q * sample_rate / (freqs + gamma_ / alpha), cutoff


@dataclass(frozen=True)
class CQTPlan:
    """Resolved kernels, top octave first: halvings before each octave, its hop and kernels.

    ``kernels[i]`` is ``(n_fft_i, 2 * bins_i)``: the real parts of the octave's bins, then the
    imaginary parts, lowest bin first; ``halvings[i]`` rate halvings precede octave ``i``.
    """

    n_bins: int
    halvings: tuple[int, ...]
    hops: tuple[int, ...]
    kernels: tuple[np.ndarray, ...]
    decimator: np.ndarray

    def frames(self, samples: int) -> int:
        """librosa's frame count: the top octave's ``1 + ceil(samples / f) // hop``."""
        for _ in range(self.halvings[0]):
            samples = (samples + 1) // 2
        return 1 + samples // self.hops[0]


def _wavelet_fft_basis(freqs, alpha, *, sample_rate, window, filter_scale, norm, gamma, sparsity):
    """librosa's ``__vqt_filter_fft`` at one octave's rate: ``(n_fft // 2 + 1, bins)`` and ``n_fft``."""
    lengths, _ = wavelet_lengths(
        freqs, sample_rate=sample_rate, window=window, filter_scale=filter_scale, gamma=gamma, alpha=alpha
    )
    n_fft = int(2.0 ** np.ceil(np.log2(np.max(lengths))))
    basis = np.zeros((len(freqs), n_fft), dtype=np.complex128)
    for row, (length, freq) in enumerate(zip(lengths, freqs, strict=True)):
        times = np.arange(-length // 2, length // 2, dtype=float)
        wavelet = np.exp(1j * 2 * np.pi * freq / sample_rate * times)
        wavelet = wavelet * get_window(window, len(wavelet), dtype=np.float64)
        wavelet = _normalize(wavelet, norm)
        left = (n_fft - len(wavelet)) // 2
        basis[row, left : left + len(wavelet)] = wavelet * length / n_fft
    fft_basis = np.fft.fft(basis, axis=1)[:, : n_fft // 2 + 1]
    return _sparsify_rows(fft_basis, sparsity), n_fft


def _normalize(values: np.ndarray, norm) -> np.ndarray:
    """``librosa.util.normalize`` of one vector (below ``tiny``: unchanged)."""
    if norm is None:
        return values
    magnitude = np.abs(values)
    length = np.max(magnitude) if norm == math.inf else np.sum(magnitude**norm) ** (1.0 / norm)
    return values if length < np.finfo(np.float64).tiny else values / length


def _sparsify_rows(x: np.ndarray, quantile: float) -> np.ndarray:
    """``librosa.util.sparsify_rows``: zero each row's smallest entries holding ``quantile`` of its L1 norm."""
    mags = np.abs(x)
    norms = np.sum(mags, axis=1, keepdims=True)
    mag_sort = np.sort(mags, axis=1)
    cumulative = np.cumsum(mag_sort / norms, axis=1)
    threshold = mag_sort[np.arange(len(x)), np.argmin(cumulative < quantile, axis=1)]
    return np.where(mags >= threshold[:, None], x, 0)


def _octave_kernel(fft_basis: np.ndarray, n_fft: int, factor: int, lengths, scale: bool) -> np.ndarray:
    """``sum_f B[f] Y[f]`` over a frame's DFT ``Y`` is a correlation with ``fft(B)``.

    librosa's halvings keep the energy (``* sqrt(2)`` each) and its bases are scaled by
    ``sqrt(factor)``; the halvings here keep the amplitude, so the kernels take ``factor``.
    """
    kernel = np.fft.fft(fft_basis, n=n_fft, axis=1) * factor
    if scale:
        kernel = kernel / np.sqrt(lengths)[:, None]
    return np.ascontiguousarray(np.concatenate([kernel.real, kernel.imag]).T)


@functools.lru_cache(maxsize=4)
def _decimator(passband: float = 0.913, attenuation: float = 120.0) -> np.ndarray:
    """Kaiser-windowed sinc halving lowpass (unit gain): flat to ``passband * pi / 2``, stopped from ``pi / 2``."""
    width = (1.0 - passband) * np.pi / 2
    half = int(np.ceil((attenuation - 8) / (2.285 * width) / 2))
    cutoff = (1.0 + passband) / 2
    n = np.arange(-half, half + 1)
    taps = cutoff / 2 * np.sinc(cutoff * n / 2) * np.kaiser(2 * half + 1, 0.1102 * (attenuation - 8.7))
    taps.setflags(write=False)
    return taps


def _octave_rates(*, sample_rate, hop_length, n_octaves, filter_cutoff) -> list[int]:
    """The decimation factor of each octave (top first) librosa would use: early, then halving."""
    nyquist = sample_rate / 2.0
    count1 = max(0, int(np.ceil(np.log2(nyquist / filter_cutoff)) - 1) - 1)
    twos = (hop_length & -hop_length).bit_length() - 1
    factor = 2 ** min(count1, max(0, twos - n_octaves + 1))
    hop, factors = hop_length // factor, []
    for _ in range(n_octaves):
        factors.append(factor)
        if hop % 2 == 0:
            hop, factor = hop // 2, factor * 2
    return factors


def vqt_plan(
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
) -> CQTPlan:
    """Validate librosa ``vqt``'s arguments and build the kernels (cached, read-only).

    Raises:
        ParameterError: non-positive ``sample_rate``/``fmin``/``filter_scale``, ``n_bins``,
            ``bins_per_octave`` or ``hop_length`` < 1, ``gamma < 0``, ``sparsity`` outside
            [0, 1), a bad ``norm``, or a top filter reaching past Nyquist (``n_bins``).
    """
    sample_rate = check_number("sample_rate", sample_rate, exclusive_minimum=0)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    n_bins = check_int("n_bins", n_bins, minimum=1)
    bins_per_octave = check_int("bins_per_octave", bins_per_octave, minimum=1)
    fmin = check_number("fmin", fmin, exclusive_minimum=0)
    tuning = check_number("tuning", tuning)
    gamma = check_number("gamma", gamma, minimum=0, allow_none=True)
    filter_scale = check_number("filter_scale", filter_scale, exclusive_minimum=0)
    sparsity = check_number("sparsity", sparsity, minimum=0)
    if sparsity >= 1:
        raise parameter_error("sparsity", "< 1", sparsity=sparsity)
    norm = check_norm(norm)
    scale = check_bool("scale", scale)
    get_window(window, 4)  # validates the window
    window = tuple(window) if isinstance(window, list) else window
    return _plan(
        float(sample_rate), hop_length, float(fmin), n_bins, bins_per_octave, float(tuning),
        None if gamma is None else float(gamma), float(filter_scale), norm, float(sparsity), window, scale,
    )  # fmt: skip


@functools.lru_cache(maxsize=16)
def _plan(sample_rate, hop, fmin, n_bins, bpo, tuning, gamma, filter_scale, norm, sparsity, window, scale):
    freqs = cqt_frequencies(n_bins, fmin=fmin, bins_per_octave=bpo, tuning=tuning)
    alpha = _relative_bandwidth(freqs, bpo)
    lengths, cutoff = wavelet_lengths(
        freqs, sample_rate=sample_rate, window=window, filter_scale=filter_scale, gamma=gamma, alpha=alpha
    )
    if cutoff > sample_rate / 2:
        raise parameter_error(
            "n_bins",
            "such that the top filter stays below Nyquist (librosa's check)",
            hint="Reduce n_bins or fmin, or raise sample_rate.",
            n_bins=n_bins, fmin=fmin, bins_per_octave=bpo, filter_cutoff=round(cutoff, 2), nyquist=sample_rate / 2,
        )  # fmt: skip
    n_octaves = int(np.ceil(n_bins / bpo))
    factors = _octave_rates(
        sample_rate=sample_rate, hop_length=hop, n_octaves=n_octaves, filter_cutoff=cutoff
    )
    kernels, halvings, hops, previous = [], [], [], 1
    for octave, factor in enumerate(factors):
        top = n_bins - octave * bpo
        bins = slice(max(0, top - bpo), top)
        fft_basis, n_fft = _wavelet_fft_basis(
            freqs[bins], alpha[bins], sample_rate=sample_rate / factor, window=window,
            filter_scale=filter_scale, norm=norm, gamma=gamma, sparsity=sparsity,
        )  # fmt: skip
        kernel = _octave_kernel(fft_basis, n_fft, factor, lengths[bins], scale)
        kernel.setflags(write=False)
        kernels.append(kernel)
        halvings.append(int(np.log2(factor // previous)))
        hops.append(hop // factor)
        previous = factor
    return CQTPlan(n_bins, tuple(halvings), tuple(hops), tuple(kernels), _decimator())


def _halve(x, taps: np.ndarray):
    """``(signals, samples)`` lowpassed and every other sample kept: ``ceil(samples / 2)`` samples."""
    half = len(taps) // 2
    weights = ops.cast(constant_tensor(taps[:, None, None]), dtype_name(x))
    padded = _pad_signal(x, half, "constant")
    return ops.squeeze(ops.conv(ops.expand_dims(padded, -1), weights, strides=2, padding="valid"), -1)


def apply_vqt(x, plan: CQTPlan, *, pad_mode: str = "constant"):
    """``(..., samples)`` -> ``(real, imag)``, each ``(..., frames, n_bins)``, lowest bin first.

    ``frames`` is :meth:`CQTPlan.frames` (``1 + samples // hop_length`` without early halving).
    """
    x = as_float(x)
    shape = ops.shape(x)
    signal = ops.reshape(x, (-1, shape[-1]))
    reals, imags, frames = [], [], None
    for halvings, hop, kernel in zip(plan.halvings, plan.hops, plan.kernels, strict=True):
        for _ in range(halvings):
            signal = _halve(signal, plan.decimator)
        padded = _pad_signal(signal, kernel.shape[0] // 2, pad_mode)
        weights = ops.cast(constant_tensor(kernel[:, None, :]), dtype_name(x))
        response = ops.conv(ops.expand_dims(padded, -1), weights, strides=hop, padding="valid")
        frames = ops.shape(response)[1] if frames is None else frames  # the top octave's: the fewest
        bins = kernel.shape[1] // 2
        reals.insert(0, response[:, :frames, :bins])
        imags.insert(0, response[:, :frames, bins:])
    real, imag = ops.concatenate(reals, axis=-1), ops.concatenate(imags, axis=-1)
    out_shape = (*shape[:-1], ops.shape(real)[1], plan.n_bins)
    return ops.reshape(real, out_shape), ops.reshape(imag, out_shape)
