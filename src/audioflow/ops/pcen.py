"""Per-channel energy normalisation (PCEN) and its smoother, on time-major spectra ``(..., frames, bins)``.

The smoother is the one-pole low-pass ``M[t] = (1 - s) M[t-1] + s E[t]`` along frames. It runs as
matrix products, not a loop over frames: frames are cut into chunks of ``C``; inside a chunk the
filter is a ``C x C`` lower-triangular matrix of ``s (1 - s)^k``; the state entering each chunk
follows the same recursion one level up, a ``K x K`` matrix over the ``K`` chunks. Both levels are
exact (no truncation; powers of ``1 - s`` only, so nothing overflows) and work for any length,
known or not, on every backend; cost ``C + K`` multiply-adds per value, ``C ~ sqrt(frames)``.
"""

from __future__ import annotations

import math

import numpy as np

from audioflow._compat import ops
from audioflow._validation import check_pcen_args
from audioflow.ops.augment import _float
from audioflow.ops.dft import expm1, log1p

_DEFAULT_CHUNK = 64


def smoothing_coefficient(
    sample_rate: float = 22050, hop_length: int = 512, time_constant: float = 0.4
) -> float:
    """librosa's ``b`` for a time constant: the root of ``b**2 + (1 - b) / t - 2 = 0``, ``t = T sr / hop``.

    It approximates the full width at half maximum of the filter's squared frequency response.

    Args:
        sample_rate: of the audio behind the frames in Hz (librosa ``sr``). Default: ``22050``.
        hop_length: samples between frames. Default: ``512``.
        time_constant: the smoother's time constant in seconds. Default: ``0.4``.
    """
    t_frames = time_constant * sample_rate / float(hop_length)
    return float((np.sqrt(1 + 4 * t_frames**2) - 1) / (2 * t_frames**2))


def _chunk_size(frames) -> int:
    if not isinstance(frames, int):
        return _DEFAULT_CHUNK
    return max(8, 2 ** math.ceil(math.log2(max(math.sqrt(frames), 1.0))))


def _powers(base, exponents):
    return ops.power(base, ops.maximum(exponents, 0.0))


def exponential_moving_average(E, coefficient, *, initial_state=1.0, chunk_size: int | None = None):
    """``M[t] = (1 - s) M[t-1] + s E[t]`` along the frames axis of ``E`` ``(..., frames, bins)``.

    Args:
        E: ``(..., frames, bins)``.
        coefficient: ``s`` in (0, 1]: a number, or a tensor ``(bins,)`` (one per bin, learnable).
        initial_state: ``M[-1]``, a number or a tensor broadcastable to ``(..., 1, bins)``;
            librosa's ``lfilter_zi`` start is 1.0. Default: ``1.0``.
        chunk_size: frames per chunk (default ~sqrt(frames), 64 when the length is unknown).
            Default: ``None``.

    Equals ``scipy.signal.lfilter([s], [1, s - 1], E, axis=-2, zi=(1 - s) * initial_state)`` (to
    ~1e-7 relative in float32).
    """
    E = _float(E)
    frames = ops.shape(E)[-2]
    chunk = chunk_size or _chunk_size(frames)
    x = ops.swapaxes(E, -1, -2)  # (..., bins, frames): the matrix products run over frames
    lead = tuple(ops.shape(x)[:-1])
    chunks = (frames + chunk - 1) // chunk
    x = ops.pad(x, [(0, 0)] * (len(x.shape) - 1) + [(0, chunks * chunk - frames)])
    x = ops.reshape(x, lead + (chunks, chunk))
    s = ops.cast(coefficient, E.dtype)
    decay = 1.0 - s
    if len(s.shape):  # per bin: (bins, 1, 1) broadcasts over the chunk matrices
        s, decay = s[:, None, None], decay[:, None, None]
    lag = ops.cast(ops.arange(chunk)[None, :] - ops.arange(chunk)[:, None], E.dtype)  # [in, out] = out - in
    within = ops.where(lag >= 0, s * _powers(decay, lag), 0.0)
    local = ops.matmul(x, within)  # (..., bins, K, C): each chunk filtered from a zero state
    chunk_decay = _powers(decay, float(chunk))
    steps = ops.cast(ops.arange(chunks, dtype="int32"), E.dtype)  # a dtype: `chunks` may be a SymInt
    chunk_lag = steps[None, :] - steps[:, None]
    across = ops.where(chunk_lag >= 0, _powers(chunk_decay, chunk_lag), 0.0)
    start = ops.swapaxes(
        ops.convert_to_tensor(initial_state, dtype=E.dtype) * ops.ones_like(E[..., :1, :]), -1, -2
    )
    # State at the end of chunk k: its own filtered end plus the decayed ends of the earlier ones.
    # (expand_dims, not x[..., None]: TFLite's builtin StridedSlice has no new axes on dynamic shapes.)
    ends = ops.matmul(ops.expand_dims(local[..., -1], -2), across)[..., 0, :]
    per_bin = len(decay.shape) > 0
    ends = ends + _powers(chunk_decay[..., 0] if per_bin else chunk_decay, steps + 1.0) * start
    entering = ops.concatenate([start, ends[..., :-1]], axis=-1)  # (..., bins, K)
    carry = _powers(decay, ops.cast(ops.arange(chunk) + 1, E.dtype))  # (C,) or (bins, 1, C)
    M = local + ops.expand_dims(entering, -1) * carry
    M = ops.reshape(M, lead + (chunks * chunk,))[..., :frames]
    return ops.swapaxes(M, -1, -2)


def max_filter_bins(S, size: int):
    """``scipy.ndimage.maximum_filter1d(S, size, axis=-1)`` (mode "reflect") over the bins axis.

    With reflected edges the maximum over a window equals the maximum over its part inside the
    axis, so the edges are padded by repeating the edge bins.
    """
    if size == 1:
        return S
    left, right = size // 2, size - 1 - size // 2
    padded = ops.concatenate([S[..., :1]] * left + [S] + [S[..., -1:]] * right, axis=-1)
    bins = ops.shape(S)[-1]
    result = padded[..., :bins]
    for offset in range(1, size):
        result = ops.maximum(result, padded[..., offset : offset + bins])
    return result


def pcen_compress(S, M, *, gain, bias, power, eps):
    """PCEN's gain control and compression of ``S`` by its smoothed energy ``M``, as librosa writes it.

    ``(S / (eps + M)**gain + bias)**power - bias**power``, computed in log space:
    ``bias**power * expm1(power * log1p(S * (eps + M)**-gain / bias))``; ``power == 0`` gives
    ``log1p(S / (eps + M)**gain)`` and ``bias == 0`` gives ``(S / (eps + M)**gain)**power``.
    ``gain``, ``bias`` and ``power`` may be Python numbers (librosa's branches) or tensors
    broadcastable to ``S`` (learnable, then bias > 0 is required).
    """
    smooth = ops.exp(-gain * (np.log(eps) + log1p(M / eps)))
    if isinstance(power, (int, float)) and power == 0:
        return log1p(S * smooth)
    if isinstance(bias, (int, float)) and bias == 0:
        return ops.exp(power * (ops.log(S) + ops.log(smooth)))
    return ops.power(bias, power) * expm1(power * log1p(S * smooth / bias))


def pcen(
    S,
    *,
    sample_rate: float = 22050,
    hop_length: int = 512,
    gain: float = 0.98,
    bias: float = 2.0,
    power: float = 0.5,
    time_constant: float = 0.4,
    eps: float = 1e-6,
    b: float | None = None,
    max_size: int = 1,
    initial_state=None,
    return_state: bool = False,
):
    """Per-channel energy normalisation (Wang et al. 2017): ``librosa.pcen`` on time-major spectra.

    ``M`` = the spectrogram (or its maximum over ``max_size`` neighbouring bins) smoothed over time
    by ``M[t] = (1 - b) M[t-1] + b E[t]``; output ``(S / (eps + M)**gain + bias)**power - bias**power``.

    Args:
        S: magnitude or power spectrogram ``(..., frames, bins)`` (e.g. a mel spectrogram), >= 0.
        sample_rate, hop_length: sample rate (Hz) and hop (samples) of ``S``, which turn
            ``time_constant`` into frames (librosa ``sr`` and ``hop_length``).
        gain: ``alpha`` >= 0, exponent of the automatic gain control. Default: ``0.98``.
        bias: ``delta`` >= 0, added before compression. Default: ``2.0``.
        power: ``r`` >= 0, compression exponent (0 means ``log1p``). Default: ``0.5``.
        time_constant: smoother time constant in seconds (> 0), used when ``b`` is None.
            Default: ``0.4``.
        eps: > 0, keeps the gain finite on silence. Default: ``1e-06``.
        b: smoothing coefficient in [0, 1]; None derives it from ``time_constant``
            (:func:`smoothing_coefficient`). Default: ``None``.
        max_size: > 1 smooths the maximum over that many neighbouring bins (librosa's ``max_size``,
            for vibrato suppression), while the output still divides ``S`` itself. Default: ``1``.
        initial_state: the smoother's state before the first frame, ``(..., 1, bins)`` or a number;
            None is librosa's start (``lfilter_zi``: as if every earlier frame had energy 1).
            Default: ``None``.
        return_state: also return the state after the last frame, to continue a stream with the
            next block (librosa's ``zi``/``return_zf``, where ``zf = (1 - b) * state``).
            Default: ``False``.
        sample_rate: sample rate (Hz) of the audio behind ``S`` (librosa ``sr``). Default:
            ``22050``.
        hop_length: samples between the frames of ``S`` (librosa ``hop_length``). Default: ``512``.

    Returns:
        PCEN of ``S``, same shape; with ``return_state``, ``(pcen, state)``.

    Parity: ``librosa.pcen(S[i].T, sr=sample_rate, hop_length=..., ...).T`` to 1e-5 relative in float32
    (``max_size > 1``: librosa's ``max_axis`` is the bins axis). Negative input: PCEN is defined on
    energies; librosa's formulas give NaN where the smoothed energy drops below ``-eps`` or
    ``S * gain`` below ``-bias`` (and wherever ``S < 0`` with ``bias=0``), and so does this op,
    value for value. Apply PCEN to a spectrogram, never to dB or log values.

    Example:
        >>> mel = MelSpectrogram(sample_rate=22050, power=1.0)(waveforms)  # librosa's PCEN example
        >>> features = pcen(mel * 2**31, sample_rate=22050, hop_length=512)
    """
    check_pcen_args(sample_rate, hop_length, gain, bias, power, time_constant, eps, b, max_size)
    coefficient = smoothing_coefficient(sample_rate, hop_length, time_constant) if b is None else float(b)
    S = _float(S)
    energy = max_filter_bins(S, max_size)
    start = 1.0 if initial_state is None else initial_state
    M = exponential_moving_average(energy, coefficient, initial_state=start)
    out = pcen_compress(S, M, gain=float(gain), bias=float(bias), power=float(power), eps=float(eps))
    return (out, M[..., -1:, :]) if return_state else out
