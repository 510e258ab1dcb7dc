"""Whisper's log-mel input (openai-whisper ``whisper.audio.log_mel_spectrogram``), batched.

16 kHz audio; a 400-point STFT (25 ms, periodic Hann) every 160 samples (10 ms), centred with
reflect padding, the last frame dropped (``N // 160`` frames: 3000 for 30 s); the power spectrum
through librosa's Slaney mel filters (80, or 128 for large-v3); ``log10`` clamped at 1e-10;
floored at each example's maximum minus 8; then ``(x + 4) / 4``.
"""

from __future__ import annotations

import math

import numpy as np

from audioflow._compat import ops
from audioflow._validation import check_choice
from audioflow.ops.features import filtered_spectrogram
from audioflow.ops.filters import mel_filterbank

__all__ = [
    "WHISPER_HOP_LENGTH",
    "WHISPER_N_FFT",
    "WHISPER_SAMPLE_RATE",
    "whisper_log_mel",
    "whisper_mel_filters",
    "whisper_scale",
]

WHISPER_SAMPLE_RATE = 16000
WHISPER_N_FFT = 400
WHISPER_HOP_LENGTH = 160
#: The STFT options of Whisper's front end (torch.stft's defaults: centred, reflect padding).
WHISPER_STFT = dict(
    n_fft=WHISPER_N_FFT, hop_length=WHISPER_HOP_LENGTH, window="hann", center=True, pad_mode="reflect"
)
_INV_LN10 = 1.0 / math.log(10.0)


def whisper_mel_filters(n_mels: int = 80, *, dtype=np.float32) -> np.ndarray:
    """Whisper's mel filters ``(201, n_mels)``: ``librosa.filters.mel(sr=16000, n_fft=400, n_mels).T``.

    The arrays openai-whisper ships in ``assets/mel_filters.npz`` (``whisper.audio.mel_filters``),
    transposed.

    Args:
        n_mels: 80 (Whisper up to large-v2) or 128 (large-v3). Default: ``80``.
        dtype: NumPy dtype of the returned array. Default: ``<class 'numpy.float32'>``.
    """
    n_mels = check_choice("n_mels", n_mels, (80, 128))
    return mel_filterbank(WHISPER_SAMPLE_RATE, WHISPER_N_FFT, n_mels, dtype=dtype)


def whisper_scale(mel):
    """Whisper's scaling of a mel power spectrogram ``(batch, frames, n_mels)``, per example.

    ``log10(max(mel, 1e-10))``, floored at each example's own maximum minus 8, then
    ``(x + 4) / 4`` (``log10`` written as ``log(x) / ln 10``, which every exporter carries).
    """
    log_spec = ops.log(ops.maximum(mel, 1e-10)) * _INV_LN10
    # amax, not max: keras.ops.max on torch probes its result's `.values`, which breaks torch.compile's graph.
    peak = ops.amax(log_spec, axis=(-2, -1), keepdims=True)
    return (ops.maximum(log_spec, peak - 8.0) + 4.0) / 4.0


def whisper_log_mel(x, *, n_mels: int = 80):
    """Whisper's log-mel spectrogram of ``(batch, samples)`` 16 kHz audio: ``(batch, samples // 160, n_mels)``.

    Args:
        x: waveforms ``(batch, samples)`` in [-1, 1], more than 200 samples long (reflect padding).
        n_mels: 80 (Whisper up to large-v2) or 128 (large-v3). Default: ``80``.

    Parity: ``whisper_log_mel(x)[b]`` equals ``whisper.audio.log_mel_spectrogram(x[b], n_mels).T``
    to float32 round-off. openai-whisper takes the ``max - 8`` floor over its whole input (a batch
    passed to it at once shares one maximum); here each example has its own, as transformers'
    batched ``WhisperFeatureExtractor``.

    Example:
        >>> whisper_log_mel(np.zeros((2, 480000), "float32")).shape
        (2, 3000, 80)
    """
    filters = whisper_mel_filters(n_mels)
    mel = filtered_spectrogram(x, filters, power=2.0, **WHISPER_STFT)
    return whisper_scale(mel[..., :-1, :])
