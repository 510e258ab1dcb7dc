"""LEAF's learnable front end (Zeghidour et al. 2021): Gabor filterbank and Gaussian low-pass pooling.

The NumPy builders make the initial values as google-research/leaf-audio does (Gabor filters fitted
to an HTK mel filterbank built like ``tf.signal.linear_to_mel_weight_matrix``); the tensor
functions are differentiable in the parameters on every backend.

Layout: waveforms ``(batch, samples)``; outputs time-major ``(batch, frames, filters)``.
"""

from __future__ import annotations

import math

import numpy as np

from audioflow._compat import ops
from audioflow.ops._tensor import dim_maximum

#: LEAF clips the Gaussian pooling width (relative to half the window) to [2 / size, 0.5].
_POOL_WIDTH_MAX = 0.5
_FWHM_FACTOR = math.sqrt(2.0 * math.log(2.0))


def default_window(sample_rate: float) -> tuple[int, int]:
    """LEAF's window and hop in samples: ``sr * 25 ms + 1`` and ``sr * 10 ms`` (401 and 160 at 16 kHz)."""
    return int(sample_rate * 25.0 // 1000 + 1), int(sample_rate * 10.0 // 1000)


def htk_mel_weight_matrix(n_filters: int, n_fft: int, sample_rate: float, f_min: float, f_max: float):
    """``tf.signal.linear_to_mel_weight_matrix`` in NumPy: HTK triangles in mel space, DC row zero.

    Returns ``(n_fft // 2 + 1, n_filters)`` float64.
    """

    def mel(f):
        return 1127.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)

    linear = np.linspace(0.0, sample_rate / 2.0, n_fft // 2 + 1)[1:]
    spectrum_mel = mel(linear)[:, None]
    edges = np.linspace(mel(f_min), mel(f_max), n_filters + 2)
    lower, centre, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (spectrum_mel - lower) / (centre - lower)
    falling = (upper - spectrum_mel) / (upper - centre)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.concatenate([np.zeros((1, n_filters)), weights], axis=0)


def gabor_parameters(n_filters=40, sample_rate=16000.0, f_min=60.0, f_max=7800.0, n_fft=512) -> np.ndarray:
    """LEAF's Gabor initialisation ``(n_filters, 2)``: centre frequency (radians per sample) and the
    Gaussian envelope's width ``sigma`` (samples), from the peak and the half-maximum width of the
    square root of each HTK mel filter.

    Args:
        n_filters: filters, >= 1. Default: ``40``.
        sample_rate: in Hz. Default: ``16000.0``.
        f_min: lowest mel edge in Hz. Default: ``60.0``.
        f_max: highest mel edge in Hz. Default: ``7800.0``.
        n_fft: FFT size of the mel filterbank the filters are fitted to. Default: ``512``.
    """
    root = np.sqrt(htk_mel_weight_matrix(n_filters, n_fft, sample_rate, f_min, f_max).T)
    centres = np.argmax(root, axis=1).astype(np.float64)
    fwhm = np.sum(root >= root.max(axis=1, keepdims=True) / 2.0, axis=1).astype(np.float64)
    return np.stack([centres * 2 * np.pi / n_fft, _FWHM_FACTOR * n_fft / (np.pi * fwhm)], axis=1)


def constrain_gabor(params, size: int):
    """LEAF's Gabor constraint: centre in [0, pi]; sigma such that the bandwidth stays in [1, pi/2]-ish."""
    centre = ops.clip(params[:, 0], 0.0, math.pi)
    sigma = ops.clip(params[:, 1], 4.0 * _FWHM_FACTOR / math.pi, size * _FWHM_FACTOR / math.pi)
    return centre, sigma


def gabor_filters(params, size: int):
    """Complex Gabor impulse responses ``(size, n_filters)`` as ``(real, imag)``.

    ``h[t] = exp(i mu t) exp(-t^2 / (2 sigma^2)) / (sqrt(2 pi) sigma)`` for
    ``t = -(size // 2) .. (size - 1) // 2``, with ``(mu, sigma)`` from :func:`constrain_gabor`.

    Args:
        params: ``(n_filters, 2)``: centre frequency (radians per sample) and ``sigma`` (samples).
        size: impulse response length in samples.
    """
    centre, sigma = constrain_gabor(ops.convert_to_tensor(params, dtype="float32"), size)
    t = ops.cast(ops.arange(-(size // 2), (size + 1) // 2), "float32")[:, None]
    envelope = ops.exp(-ops.square(t) / (2.0 * ops.square(sigma))) / (math.sqrt(2 * math.pi) * sigma)
    phase = t * centre
    return envelope * ops.cos(phase), envelope * ops.sin(phase)


def gabor_energy(signals, params, size: int):
    """Squared modulus of the complex Gabor filterbank: ``(batch, samples)`` -> ``(batch, samples, filters)``.

    A stride-1 convolution with "same" (centred, zero) padding, as LEAF's ``GaborConv1D`` followed
    by ``SquaredModulus``. An empty signal gives no samples.

    Args:
        signals: waveforms ``(batch, samples)``.
        params: ``(n_filters, 2)`` Gabor parameters (:func:`gabor_parameters`), a tensor or
            variable.
        size: filter length in samples.
    """
    real, imag = gabor_filters(params, size)
    kernel = ops.expand_dims(ops.concatenate([real, imag], axis=1), 1)  # (size, 1, 2 * filters)
    left = (size - 1) // 2
    # One more zero on the right, and its output dropped: an empty signal still fills the kernel
    # (JAX and PyTorch refuse a convolution with no output).
    x = ops.pad(ops.expand_dims(signals, -1), [(0, 0), (left, size - left), (0, 0)])
    response = ops.conv(x, kernel, strides=1, padding="valid")[:, :-1]
    n = real.shape[1]
    # TensorFlow convolves an empty batch into one channel: state the shape.
    response = ops.reshape(response, (ops.shape(signals)[0], ops.shape(signals)[1], 2 * n))
    return ops.square(response[..., :n]) + ops.square(response[..., n:])


def gaussian_windows(widths, size: int):
    """LEAF's Gaussian pooling windows ``(size, filters)``: ``exp(-((t - c) / (w c))^2 / 2)``, ``c = (size - 1) / 2``.

    ``widths`` (one per filter) are clipped to ``[2 / size, 0.5]``; 0.4 approximates a Hann window.
    """
    widths = ops.clip(ops.convert_to_tensor(widths, dtype="float32"), 2.0 / size, _POOL_WIDTH_MAX)
    half = 0.5 * (size - 1)
    t = ops.cast(ops.arange(size), "float32")[:, None]
    return ops.exp(-0.5 * ops.square((t - half) / (widths * half)))


def num_leaf_frames(samples, hop_length: int):
    """Frames of a "same"-padded strided pooling: ``ceil(samples / hop_length)`` (None stays None)."""
    if samples is None:
        return None
    return -(-samples // hop_length)


def gaussian_pooling(energy, widths, size: int, hop_length: int):
    """Depthwise Gaussian low-pass and decimation: ``(batch, samples, filters)`` -> ``(batch, frames, filters)``.

    TensorFlow's "SAME" padding for stride ``hop_length``: ``ceil(samples / hop_length)`` frames,
    the zero padding split with the extra sample on the right (LEAF's ``GaussianLowpass``).

    Computed as a strided depthwise convolution would be, but from hop-sized blocks: the padded
    energy is cut into blocks of ``hop_length`` samples and frame ``t`` sums blocks ``t .. t + k - 1``
    weighted by the matching ``hop_length`` rows of the windows (``k = ceil(size / hop_length)``).
    The same products, in builtin ops everywhere: TFLite's XNNPack refuses the strided depthwise
    convolution (a height stride larger than the kernel's) and a run-time padding hides its
    channel count.

    Args:
        energy: ``(batch, samples, filters)``, e.g. :func:`gabor_energy`.
        widths: ``(filters,)`` pooling widths (0.4 is close to a Hann window).
        size: window length in samples.
        hop_length: stride in samples.
    """
    batch, samples = ops.shape(energy)[0], ops.shape(energy)[1]
    filters = energy.shape[-1]
    frames = (samples + hop_length - 1) // hop_length
    left = dim_maximum((frames - 1) * hop_length + size - samples, 0) // 2
    blocks_per_frame = -(-size // hop_length)
    n_blocks = frames + blocks_per_frame - 1
    # Zeros past the "SAME" padding fill the last block; their window weights are zero.
    padded = ops.pad(energy, [(0, 0), (left, n_blocks * hop_length - samples - left), (0, 0)])
    blocks = ops.reshape(padded, (batch, n_blocks, hop_length, filters))  # batch, not -1: it may be 0
    windows = gaussian_windows(widths, size)
    windows = ops.pad(windows, [(0, blocks_per_frame * hop_length - size), (0, 0)])
    windows = ops.reshape(windows, (blocks_per_frame, hop_length, filters))
    pooled = ops.sum(blocks[:, :frames] * windows[0], axis=2)
    for j in range(1, blocks_per_frame):
        pooled = pooled + ops.sum(blocks[:, j : j + frames] * windows[j], axis=2)
    return pooled
