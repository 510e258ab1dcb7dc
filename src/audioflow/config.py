"""Validated settings shared by ops, layers and the command line.

Each class is a frozen dataclass, constructed with keywords only and validated once, on
construction, by the checks in :mod:`audioflow._validation` (so a bad value raises the same
:class:`~audioflow.errors.ParameterError` text wherever it came from). NumPy scalars are stored as
the Python values they hold. Fields hold the values as passed; ``resolved_*`` properties give the
defaults filled in::

    >>> stft = StftConfig(n_fft=512)
    >>> stft.hop_length, stft.resolved_hop_length, stft.num_frames(16000)
    (None, 128, 126)
    >>> MelConfig(sample_rate=16000, htk=True).mel_scale
    'htk'

The defaults are librosa's. This module imports neither Keras nor a backend.
"""

from __future__ import annotations

import dataclasses
from dataclasses import InitVar, dataclass

import numpy as np

from audioflow._validation import check_db_args, resolve_mel_args, resolve_mel_scale, resolve_stft_args

__all__ = ["DecibelConfig", "MelConfig", "StftConfig", "python_value", "window_argument"]


def python_value(value):
    """``value`` with NumPy scalars as Python scalars (``np.int64(512)`` -> ``512``); arrays kept."""
    if isinstance(value, np.generic):
        return value.item()
    return value


def window_argument(window):
    """A window as the ops take it: (name, *parameters) a tuple again after JSON, lists as arrays."""
    window = python_value(window)
    if isinstance(window, (list, tuple)) and window and isinstance(python_value(window[0]), str):
        return tuple(python_value(item) for item in window)  # ("tukey", 0.25), ("kaiser", 8.0), ...
    if isinstance(window, list):
        return np.asarray(window)
    return window


def _set(instance, **values):
    for name, value in values.items():
        object.__setattr__(instance, name, value)


def _comparable(value):
    return ("array", tuple(value.tolist())) if isinstance(value, np.ndarray) else value


class _Config:
    """Equality and hashing by field values (array windows compare by their samples)."""

    def _key(self):
        return tuple(_comparable(getattr(self, f.name)) for f in dataclasses.fields(self))

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def to_dict(self) -> dict:
        """The fields as passed, as a dict (JSON-friendly but for an array window)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


@dataclass(frozen=True, kw_only=True, eq=False)
class StftConfig(_Config):
    """Short-time Fourier transform settings (librosa's defaults).

    Args:
        n_fft: FFT size in samples, >= 2 (librosa ``n_fft``, torchaudio ``n_fft``, tf.signal and
            Keras ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. ``n_fft // 2 + 1`` bins.
        hop_length: samples between frames (tf.signal ``frame_step``, Keras ``sequence_stride``);
            None means ``win_length // 4``.
        win_length: window length in samples, <= ``n_fft`` (tf.signal ``frame_length``, Keras
            ``sequence_length``); None means ``n_fft``. A shorter window is zero-padded, centred.
        window: "hann", "hamming", "blackman", "bartlett", "kaiser", "rectangular",
            ("kaiser", beta), or an array of ``win_length`` samples (periodic, as scipy).
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length``.
        pad_mode: "constant" (zeros, librosa's default) or "reflect" (torchaudio, Keras).
    """

    n_fft: int = 2048
    hop_length: int | None = None
    win_length: int | None = None
    window: object = "hann"
    center: bool = True
    pad_mode: str = "constant"

    def __post_init__(self):
        _set(
            self,
            n_fft=python_value(self.n_fft),
            hop_length=python_value(self.hop_length),
            win_length=python_value(self.win_length),
            window=window_argument(self.window),
            center=python_value(self.center),
            pad_mode=python_value(self.pad_mode),
        )
        hop, win = resolve_stft_args(
            self.n_fft, self.hop_length, self.win_length, self.window, self.center, self.pad_mode
        )
        if isinstance(self.window, np.ndarray):
            window = np.array(self.window, dtype=np.float64)
            window.flags.writeable = False
            _set(self, window=window)
        _set(self, _hop=hop, _win=win)

    @property
    def resolved_hop_length(self) -> int:
        """``hop_length``, or ``win_length // 4`` when it is None."""
        return self._hop

    @property
    def resolved_win_length(self) -> int:
        """``win_length``, or ``n_fft`` when it is None."""
        return self._win

    @property
    def n_bins(self) -> int:
        """Frequency bins of one frame: ``n_fft // 2 + 1``."""
        return self.n_fft // 2 + 1

    def num_frames(self, samples):
        """Frames of a ``samples``-long signal (:func:`audioflow.ops.num_frames`); None stays None."""
        from audioflow.ops.framing import num_frames

        return num_frames(python_value(samples), n_fft=self.n_fft, hop_length=self._hop, center=self.center)

    def op_kwargs(self) -> dict:
        """Resolved keyword arguments for :func:`audioflow.ops.stft` and the ops built on it."""
        return dict(
            n_fft=self.n_fft,
            hop_length=self._hop,
            win_length=self._win,
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class MelConfig(_Config):
    """Mel filterbank settings (librosa's defaults: Slaney scale and area normalisation).

    Args:
        sample_rate: Hz, > 0 (librosa ``sr``, torchaudio ``sample_rate``, Keras ``sampling_rate``).
        n_fft: FFT size the filterbank applies to (``n_fft // 2 + 1`` bins).
        n_mels: mel bands, >= 1 (Keras/tf.signal ``num_mel_bins``).
        f_min: lowest edge in Hz (librosa ``fmin``, Keras ``min_freq``).
        f_max: highest edge in Hz, <= ``sample_rate / 2``; None means ``sample_rate / 2``
            (librosa ``fmax``, Keras ``max_freq``).
        mel_scale: "slaney" (librosa's default: linear below 1 kHz, log above) or "htk"
            (``2595 log10(1 + f / 700)``, tf.signal and Keras); torchaudio ``mel_scale``.
        norm: "slaney" (each triangle has unit area), None (peak 1, as tf.signal/HTK) or a
            positive number p (each filter divided by its p-norm).
        htk: the older spelling (audioflow 0.1.0, librosa): ``htk=True`` means
            ``mel_scale="htk"``. Accepted so that old configurations load; not stored.
    """

    sample_rate: float = 22050
    n_fft: int = 2048
    n_mels: int = 128
    f_min: float = 0.0
    f_max: float | None = None
    mel_scale: str = "slaney"
    norm: object = "slaney"
    htk: InitVar[bool | None] = None

    def __post_init__(self, htk):
        _set(
            self,
            sample_rate=python_value(self.sample_rate),
            n_fft=python_value(self.n_fft),
            n_mels=python_value(self.n_mels),
            f_min=python_value(self.f_min),
            f_max=python_value(self.f_max),
            mel_scale=resolve_mel_scale(python_value(self.mel_scale), python_value(htk)),
            norm=python_value(self.norm),
        )
        f_max = resolve_mel_args(
            self.sample_rate,
            self.n_fft,
            self.n_mels,
            self.f_min,
            self.f_max,
            self.mel_scale == "htk",
            self.norm,
        )
        _set(self, _f_max=f_max)

    @property
    def resolved_f_max(self) -> float:
        """``f_max`` in Hz, or ``sample_rate / 2`` when it is None."""
        return self._f_max

    def op_kwargs(self) -> dict:
        """Keyword arguments for :func:`audioflow.ops.mel_filterbank`."""
        return dict(
            sample_rate=self.sample_rate,
            n_fft=self.n_fft,
            n_mels=self.n_mels,
            f_min=self.f_min,
            f_max=self.f_max,
            mel_scale=self.mel_scale,
            norm=self.norm,
        )


@dataclass(frozen=True, kw_only=True, eq=False)
class DecibelConfig(_Config):
    """Decibel scaling settings, as ``librosa.power_to_db``.

    Args:
        ref: the level that maps to 0 dB (> 0), or "max" for each example's own maximum.
        amin: smallest level considered (> 0), so silence gives ``10 log10(amin / ref)`` dB.
        top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all.
    """

    ref: object = 1.0
    amin: float = 1e-10
    top_db: float | None = 80.0

    def __post_init__(self):
        _set(self, ref=python_value(self.ref), amin=python_value(self.amin), top_db=python_value(self.top_db))
        check_db_args(self.ref, self.amin, self.top_db)

    def op_kwargs(self) -> dict:
        """Keyword arguments for :func:`audioflow.ops.power_to_db`."""
        return dict(ref=self.ref, amin=self.amin, top_db=self.top_db)
