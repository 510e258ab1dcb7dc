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

from audioflow._arguments import settings
from audioflow._validation import (
    check_db_args,
    python_value,
    resolve_mel_args,
    resolve_mel_scale,
    resolve_stft_args,
)

__all__ = ["DecibelConfig", "MelConfig", "StftConfig", "python_value", "window_argument"]


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
    """Fields as Python values; equality and hashing by them (array windows compare by samples)."""

    def _store_python_values(self):
        _set(self, **{name: python_value(value) for name, value in self.to_dict().items()})

    def _key(self):
        return tuple(_comparable(value) for value in self.to_dict().values())

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __hash__(self):
        return hash((type(self).__name__, self._key()))

    def to_dict(self) -> dict:
        """The fields as passed, as a dict (JSON-friendly but for an array window)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def op_kwargs(self) -> dict:
        """Keyword arguments for the ops that take these settings (:func:`audioflow.ops.power_to_db`,
        :func:`audioflow.ops.mel_filterbank`, ...)."""
        return self.to_dict()


@settings
@dataclass(frozen=True, kw_only=True, eq=False)
class StftConfig(_Config):
    """Short-time Fourier transform settings (librosa's defaults).

    ``resolved_hop_length`` and ``resolved_win_length`` fill in the defaults that None stands for;
    ``op_kwargs()`` gives the settings, resolved, to :func:`audioflow.ops.stft` and the ops on it.

    Args:
        {arguments}
    """

    n_fft: int = 2048
    hop_length: int | None = None
    win_length: int | None = None
    window: object = "hann"
    center: bool = True
    pad_mode: str = "constant"

    def __post_init__(self):
        self._store_python_values()
        _set(self, window=window_argument(self.window))
        hop, win = resolve_stft_args(**self.to_dict())
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
        return {**self.to_dict(), "hop_length": self._hop, "win_length": self._win}


@settings
@dataclass(frozen=True, kw_only=True, eq=False)
class MelConfig(_Config):
    """Mel filterbank settings (librosa's defaults: Slaney scale and area normalisation).

    ``n_fft`` is the FFT size the filterbank applies to (``n_fft // 2 + 1`` bins). ``htk`` is not
    stored: it sets ``mel_scale``.

    Args:
        {arguments}
    """

    sample_rate: float = 22050
    n_fft: int = 2048
    n_mels: int = 128
    f_min: float = 0.0
    f_max: float | None = None
    mel_scale: str = "slaney"
    htk: InitVar[bool | None] = None
    norm: object = "slaney"

    def __post_init__(self, htk):
        self._store_python_values()
        _set(self, mel_scale=resolve_mel_scale(self.mel_scale, python_value(htk)))
        fields = self.to_dict()
        del fields["mel_scale"]
        _set(self, _f_max=resolve_mel_args(htk=self.mel_scale == "htk", **fields))

    @property
    def resolved_f_max(self) -> float:
        """``f_max`` in Hz, or ``sample_rate / 2`` when it is None."""
        return self._f_max


@settings
@dataclass(frozen=True, kw_only=True, eq=False)
class DecibelConfig(_Config):
    """Decibel scaling settings, as ``librosa.power_to_db``.

    The maximum that ``ref="max"`` and ``top_db`` refer to is each example's own (never the
    batch's): see :func:`audioflow.ops.power_to_db`.

    Args:
        {arguments}
    """

    ref: object = 1.0
    amin: float = 1e-10
    top_db: float | None = 80.0

    def __post_init__(self):
        self._store_python_values()
        check_db_args(self.ref, self.amin, self.top_db)
