"""The steps of Kaldi's front end (``compute-spectrogram/fbank/mfcc-feats``) on ``keras.ops``, batched.

The same numbers as ``torchaudio.compliance.kaldi.spectrogram/fbank/mfcc`` (which take one
utterance at a time), with torchaudio's option names and defaults, for a batch ``(batch, samples)``
-> ``(batch, frames, bins)``. Each frame goes through Kaldi's steps in Kaldi's order: framing
(``snip_edges=True``: whole frames only; ``False``: ``(samples + shift // 2) // shift`` frames with
the ends reflected), dither, DC removal, raw log-energy, pre-emphasis, window, zero-padding to the
FFT size, power spectrum, then the mel bank, logarithm and DCT. Windows, mel banks and the DCT
are NumPy constants (:mod:`audioflow.ops.kaldi_filters`).

An optional ``lengths`` (``(batch,)`` integers) gives each example its own length: its frame count
is the one torchaudio gives for ``x[b, :lengths[b]]``, its reflected ends (``snip_edges=False``)
and ``subtract_mean`` use only its own samples and frames, and its frames past that count are
zero.
"""

from __future__ import annotations

import math

import numpy as np

from audioflow._compat import constant_tensor, host_constant, ops, random
from audioflow._validation import is_int
from audioflow._validation.kaldi import KaldiFraming, KaldiMel
from audioflow.ops._tensor import as_float, dtype_name, is_symbolic_dim, pad_last_axis
from audioflow.ops.dft import dft_as_matmul, export_safe, rfft_matmul
from audioflow.ops.framing import num_frames
from audioflow.ops.kaldi_filters import kaldi_dct_matrix, kaldi_mel_banks, kaldi_window

__all__ = ["fbank_features", "kaldi_num_frames", "mfcc_features", "spectrogram_features"]

#: The floor of every logarithm: float32's machine epsilon (also for float64), as Kaldi.
EPSILON = float(np.finfo(np.float32).eps)

_BUILDERS = {"window": kaldi_window, "mel": kaldi_mel_banks, "dct": kaldi_dct_matrix}


@host_constant
def _host_array(kind: str, arguments: tuple, dtype: str) -> np.ndarray:
    return _BUILDERS[kind](*arguments).astype(dtype)


def _constant(kind: str, arguments: tuple, like):
    return constant_tensor(_host_array(kind, arguments, dtype_name(like)))


def kaldi_num_frames(n_samples, framing: KaldiFraming):
    """Frames Kaldi makes of ``n_samples`` samples (an int, or an integer tensor of lengths).

    ``snip_edges=True``: ``1 + (n - window_size) // window_shift`` (0 for a signal shorter than a
    frame, :func:`audioflow.ops.num_frames` with ``center=False``); ``False``: ``(n + shift // 2)
    // shift``. A signal shorter than ``min_duration`` seconds has none.
    """
    size, shift = framing.window_size, framing.window_shift
    shortest = framing.min_duration * framing.sample_frequency
    if is_int(n_samples):
        if n_samples < shortest:
            return 0
        if framing.snip_edges:
            return num_frames(int(n_samples), n_fft=size, hop_length=shift, center=False)
        return (int(n_samples) + shift // 2) // shift
    if _is_dimension(n_samples):  # a symbolic dimension (shape-polymorphic export) stays one
        if framing.snip_edges:
            return num_frames(n_samples, n_fft=size, hop_length=shift, center=False)
        return (n_samples + shift // 2) // shift
    if framing.snip_edges:
        count = ops.maximum(1 + (n_samples - size) // shift, 0)
    else:
        count = (n_samples + shift // 2) // shift
    return ops.where(ops.cast(n_samples, "float64") < shortest, 0, count) if shortest > 0 else count


def _is_dimension(size) -> bool:
    """A JAX symbolic dimension or a ``torch.export`` SymInt (a length, not a tensor of lengths)."""
    return is_symbolic_dim(size) or type(size).__name__ == "SymInt"


def _reflect(positions, n_samples, reach: int):
    """Positions folded into ``[0, n)`` by reflection with the edge sample repeated (Kaldi's loop).

    Positions are at least ``-reach``; a whole number of periods is added first so that ``mod``
    only sees non-negative numbers (exporters disagree on the sign of a negative ``mod``).
    """
    period = ops.maximum(2 * n_samples, 1)
    shift = (reach + period - 1) // period * period
    folded = ops.mod(positions + shift, period)
    return ops.where(folded >= n_samples, period - 1 - folded, folded)


def _gather_frames(x, positions):
    """``x[..., positions]`` for ``(frames, window)`` positions, exportable to ONNX when exporting.

    Inside :func:`audioflow.ops.export_safe_stft` the samples are gathered as rows of the
    ``(samples, signals)`` transpose, as :func:`audioflow.ops.stft` does there.
    """
    if not export_safe():
        return ops.take(x, positions, axis=-1)
    columns = ops.transpose(x)  # (samples, batch)
    return ops.moveaxis(ops.take(columns, positions, axis=0), -1, 0)


def _frames(x, n_frames, framing: KaldiFraming, lengths):
    """Raw frames ``(batch, frames, window_size)`` of ``x`` ``(batch, samples)``."""
    size, shift = framing.window_size, framing.window_shift
    offset = 0 if framing.snip_edges else size // 2 - shift // 2
    starts = ops.arange(n_frames, dtype="int32") * shift - offset
    positions = ops.expand_dims(starts, 1) + ops.expand_dims(ops.arange(size, dtype="int32"), 0)
    if framing.snip_edges:
        return _gather_frames(x, positions)
    if lengths is None:
        n_samples = x.shape[-1] if is_int(x.shape[-1]) else ops.shape(x)[-1]
        return _gather_frames(x, _reflect(positions, n_samples, max(offset, 0)))
    # Each example reflects at its own end: positions (batch, frames, window).
    folded = _reflect(ops.expand_dims(positions, 0), ops.reshape(lengths, (-1, 1, 1)), max(offset, 0))
    flat = ops.reshape(folded, (ops.shape(x)[0], -1))
    return ops.reshape(ops.take_along_axis(x, flat, axis=-1), (-1, n_frames, size))


def _log_energy(frames, energy_floor: float):
    """``log(max(sum(frame ** 2), eps))``, floored at ``log(energy_floor)`` when that is not 0."""
    energy = ops.log(ops.maximum(ops.sum(ops.square(frames), axis=-1), EPSILON))
    return ops.maximum(energy, math.log(energy_floor)) if energy_floor != 0.0 else energy


def _windowed(frames, framing: KaldiFraming, seed):
    """Dither, DC removal, log-energy, pre-emphasis and window: ``(frames, log_energy)``."""
    if framing.dither != 0.0:
        noise = random.normal(ops.shape(frames), dtype=dtype_name(frames), seed=seed)
        frames = frames + noise * framing.dither
    if framing.remove_dc_offset:
        frames = frames - ops.mean(frames, axis=-1, keepdims=True)
    energy = _log_energy(frames, framing.energy_floor) if framing.raw_energy else None
    if framing.preemphasis_coefficient != 0.0:
        previous = ops.concatenate([frames[..., :1], frames[..., :-1]], axis=-1)
        frames = frames - framing.preemphasis_coefficient * previous
    window = (framing.window_type, framing.window_size, framing.blackman_coeff)
    frames = frames * _constant("window", window, frames)
    if energy is None:
        energy = _log_energy(frames, framing.energy_floor)
    return frames, energy


def _spectrum(frames, padded: int, power: bool):
    """``|rfft(frames, padded)| ** 2`` (or ``|.|`` without ``power``), ``(..., padded // 2 + 1)``."""
    frames = pad_last_axis(frames, 0, padded - frames.shape[-1])
    if dft_as_matmul(padded):
        real, imag = rfft_matmul(frames, padded)
    else:
        real, imag = ops.rfft(frames, fft_length=padded)
    squared = ops.square(real) + ops.square(imag)
    return squared if power else ops.sqrt(squared)


def _prepare(x, framing: KaldiFraming, lengths):
    """``(x, n_frames, lengths, valid)``: the float input, its frame count, clipped lengths and a
    ``(batch, frames)`` mask of each example's own frames (None without ``lengths``)."""
    x = as_float(x)
    n_samples = x.shape[-1] if is_int(x.shape[-1]) else ops.shape(x)[-1]
    n_frames = kaldi_num_frames(n_samples, framing)
    if lengths is None:
        return x, n_frames, None, None
    lengths = ops.clip(ops.cast(ops.reshape(lengths, (-1,)), "int32"), 0, n_samples)
    counts = kaldi_num_frames(lengths, framing)
    valid = ops.expand_dims(ops.arange(n_frames, dtype="int32"), 0) < ops.expand_dims(counts, 1)
    return x, n_frames, lengths, ops.cast(valid, dtype_name(x))


def _empty(x, bins: int):
    """``(batch, 0, bins)`` zeros for a signal shorter than one frame."""
    return ops.zeros((ops.shape(x)[0], 0, bins), dtype=dtype_name(x))


def _finish(features, valid, subtract_mean: bool):
    """Zero the frames past each example's end; subtract each example's mean over its own frames."""
    if valid is None:
        if subtract_mean:
            features = features - ops.mean(features, axis=-2, keepdims=True)
        return features
    weights = ops.expand_dims(valid, -1)
    features = features * weights
    if subtract_mean:
        count = ops.maximum(ops.sum(weights, axis=-2, keepdims=True), 1.0)
        features = (features - ops.sum(features, axis=-2, keepdims=True) / count) * weights
    return features


def spectrogram_features(x, framing: KaldiFraming, *, lengths=None, seed=None):
    """:func:`kaldi_spectrogram` on resolved options (what the layers call)."""
    x, n_frames, lengths, valid = _prepare(x, framing, lengths)
    bins = framing.padded_window_size // 2 + 1
    if is_int(n_frames) and n_frames == 0:
        return _empty(x, bins)
    frames, energy = _windowed(_frames(x, n_frames, framing, lengths), framing, seed)
    log_power = ops.log(ops.maximum(_spectrum(frames, framing.padded_window_size, True), EPSILON))
    features = ops.concatenate([ops.expand_dims(energy, -1), log_power[..., 1:]], axis=-1)
    return _finish(features, valid, framing.subtract_mean)


def _mel_energies(x, framing: KaldiFraming, mel: KaldiMel, lengths, seed):
    """``(mel energies (batch, frames, bins), log_energy, valid)``; None energies for no frames."""
    x, n_frames, lengths, valid = _prepare(x, framing, lengths)
    if is_int(n_frames) and n_frames == 0:
        return x, None, None
    frames, energy = _windowed(_frames(x, n_frames, framing, lengths), framing, seed)
    spectrum = _spectrum(frames, framing.padded_window_size, mel.use_power)
    banks = (
        mel.num_mel_bins,
        framing.padded_window_size,
        framing.sample_frequency,
        mel.low_freq,
        mel.high_freq,
        mel.vtln_low,
        mel.vtln_high,
        mel.vtln_warp,
    )
    energies = ops.matmul(spectrum, _constant("mel", banks, spectrum))
    if mel.use_log_fbank:
        energies = ops.log(ops.maximum(energies, EPSILON))
    return energies, energy, valid


def fbank_features(x, framing: KaldiFraming, mel: KaldiMel, *, lengths=None, seed=None):
    """:func:`kaldi_fbank` on resolved options (what the layers call)."""
    energies, energy, valid = _mel_energies(x, framing, mel, lengths, seed)
    if energy is None:
        return _empty(energies, mel.num_mel_bins + int(mel.use_energy))
    if mel.use_energy:
        energy = ops.expand_dims(energy, -1)
        parts = [energies, energy] if mel.htk_compat else [energy, energies]
        energies = ops.concatenate(parts, axis=-1)
    return _finish(energies, valid, framing.subtract_mean)


def mfcc_features(
    x, framing: KaldiFraming, mel: KaldiMel, *, num_ceps: int, cepstral_lifter: float, lengths=None, seed=None
):
    """:func:`kaldi_mfcc` on resolved options (what the layers call); ``mel`` must use log power."""
    log_mel, energy, valid = _mel_energies(x, framing, mel, lengths, seed)
    if energy is None:
        return _empty(log_mel, num_ceps)
    dct = _constant("dct", (num_ceps, mel.num_mel_bins, cepstral_lifter), log_mel)
    cepstra = ops.matmul(log_mel, dct)
    first, rest = cepstra[..., :1], cepstra[..., 1:]
    if mel.use_energy:
        first = ops.expand_dims(energy, -1)
    elif mel.htk_compat:
        first = first * math.sqrt(2.0)
    cepstra = ops.concatenate([rest, first] if mel.htk_compat else [first, rest], axis=-1)
    return _finish(cepstra, valid, framing.subtract_mean)
