"""Short-time Fourier transform, its inverse, and (power) spectrograms on ``keras.ops``.

Layout: signals are ``(..., samples)``; spectra are time-major ``(..., frames, bins)`` with
``bins = n_fft // 2 + 1``. librosa returns ``(..., bins, frames)``: transpose to compare.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from audioflow._validation import check_int, check_power, resolve_stft_args
from audioflow.ops.windows import get_window, pad_center

_FLOAT_DTYPES = ("float32", "float64")


def dtype_name(x) -> str:
    """The standard name ("float32", ...) of a tensor's dtype on any backend."""
    return keras.backend.standardize_dtype(x.dtype)


def _as_float(x):
    x = ops.convert_to_tensor(x)
    if dtype_name(x) not in _FLOAT_DTYPES:
        x = ops.cast(x, "float32")
    return x


def _pad_last_axis(x, left: int, right: int, mode: str = "constant"):
    widths = [(0, 0)] * (len(x.shape) - 1) + [(left, right)]
    return ops.pad(x, widths, mode=mode)


def stft(
    x,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
):
    """Short-time Fourier transform of ``(..., samples)`` as ``(real, imag)``, each ``(..., frames, bins)``.

    Args:
        x: real signal, ``(..., samples)``; integer input is cast to float32.
        n_fft: FFT size (librosa ``n_fft``, tf.signal ``fft_length``, Keras ``fft_length``);
            2048 samples = 93 ms at 22.05 kHz. ``bins = n_fft // 2 + 1``.
        hop_length: samples between frames (tf.signal ``frame_step``, Keras ``sequence_stride``);
            default ``win_length // 4``.
        win_length: window length, ``<= n_fft``; the window is zero-padded and centred inside
            ``n_fft`` as librosa does. Default ``n_fft``.
        window: see :func:`audioflow.ops.get_window`; periodic.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length``.
        pad_mode: "constant" (zeros, librosa's default since 0.9) or "reflect" (torchaudio,
            nnAudio, ``keras.ops.stft``).

    Frame count: :func:`audioflow.ops.num_frames`. Matches ``librosa.stft`` (transposed) to float32
    precision.
    """
    hop, win = resolve_stft_args(n_fft, hop_length, win_length, window, center, pad_mode)
    x = _as_float(x)
    if center:
        x = _pad_last_axis(x, n_fft // 2, n_fft // 2, mode=pad_mode)
    window_values = get_window(window, win, dtype=dtype_name(x))
    if x.shape[-1] is not None and x.shape[-1] < n_fft:
        # Shorter than one frame: no frames (num_frames gives 0), the same on every backend.
        empty = ops.zeros(tuple(ops.shape(x)[:-1]) + (0, n_fft // 2 + 1), dtype=dtype_name(x))
        return empty, empty
    return ops.stft(
        x, sequence_length=win, sequence_stride=hop, fft_length=n_fft, window=window_values, center=False
    )


def magnitude_power(real, imag, power: float = 2.0):
    """``|X| ** power`` from the real and imaginary parts, without a square root for power 2."""
    squared = ops.square(real) + ops.square(imag)
    if power == 2.0:
        return squared
    if power == 1.0:
        return ops.sqrt(squared)
    return ops.power(squared, power / 2.0)


def spectrogram(
    x,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
):
    """``|stft(x)| ** power``: ``(..., samples)`` -> ``(..., frames, n_fft // 2 + 1)``.

    ``power=2`` is the power spectrogram (librosa default), ``power=1`` the magnitude.
    Matches ``np.abs(librosa.stft(x, ...)) ** power`` transposed.
    """
    check_power(power)
    real, imag = stft(
        x, n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center, pad_mode=pad_mode
    )
    return magnitude_power(real, imag, power)


def overlap_add(frames, hop_length: int):
    """Sum frames ``(..., frames, frame_length)`` hop-spaced into ``(..., (frames - 1) * hop + frame_length)``."""
    check_int("hop_length", hop_length, minimum=1)
    frame_length = frames.shape[-1]
    blocks_per_frame = -(-frame_length // hop_length)
    frames = _pad_last_axis(frames, 0, blocks_per_frame * hop_length - frame_length)
    total = None
    for k in range(blocks_per_frame):
        block = frames[..., k * hop_length : (k + 1) * hop_length]
        widths = [(0, 0)] * (len(block.shape) - 2) + [(k, blocks_per_frame - 1 - k), (0, 0)]
        block = ops.pad(block, widths)
        total = block if total is None else total + block
    merged = ops.reshape(total, tuple(ops.shape(total)[:-2]) + (-1,))
    n_frames = ops.shape(frames)[-2]
    return merged[..., : (n_frames - 1) * hop_length + frame_length]


def istft(
    stft_matrix,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window="hann",
    center: bool = True,
    length: int | None = None,
):
    """Inverse STFT of ``(real, imag)``, each ``(..., frames, n_fft // 2 + 1)`` -> ``(..., samples)``.

    Weighted overlap-add normalised by the window's summed square, as ``librosa.istft``; without
    ``length`` the output has ``hop_length * (frames - 1)`` samples when ``center=True``. With
    ``length`` it is trimmed or zero-padded to exactly that many. ``istft(stft(x))`` reconstructs
    ``x`` wherever the window overlap is non-zero (everywhere with ``center=True`` and a
    Hann window at hop <= n_fft / 2).
    """
    hop, win = resolve_stft_args(n_fft, hop_length, win_length, window, center, "constant")
    check_int("length", length, minimum=0, allow_none=True)
    real, imag = stft_matrix
    real = _as_float(real)
    dtype = dtype_name(real)
    imag = ops.cast(imag, dtype)
    frames = ops.irfft((real, imag), fft_length=n_fft)
    window_values = pad_center(get_window(window, win, dtype=np.float64), n_fft)
    frames = frames * window_values.astype(dtype)
    signal = overlap_add(frames, hop)
    unit_frames = ops.ones((ops.shape(frames)[-2], 1), dtype=dtype) * np.square(window_values).astype(dtype)
    window_sum = overlap_add(unit_frames, hop)
    tiny = float(np.finfo(dtype).tiny)
    signal = ops.where(window_sum > tiny, signal / ops.where(window_sum > tiny, window_sum, 1.0), signal)
    start = n_fft // 2 if center else 0
    if length is not None:
        # Zero-pad then cut: exact `length` samples whether the frames cover it or not.
        signal = _pad_last_axis(signal[..., start : start + length], 0, length)
        return signal[..., :length]
    end = ops.shape(signal)[-1] - (n_fft // 2 if center else 0)
    return signal[..., start:end]
