"""Validated settings shared by ops, layers and the command line.

Each class is a frozen dataclass, constructed with keywords only and validated once, on
construction, by the checks in :mod:`audioflow._validation` (so a bad value raises the same
:class:`~audioflow.errors.ParameterError` text wherever it came from). It is the one shape the
settings of a group have: a layer builds one in ``__init__`` and computes with it; a public op
builds one per call and hands it to the same maths. NumPy scalars are stored as the Python values
they hold. Fields hold the values as passed; ``resolved_*`` properties give the defaults filled in
(the one place, for instance, that holds "the resolved hop length")::

    >>> stft = StftConfig(n_fft=512)
    >>> stft.hop_length, stft.resolved_hop_length, stft.num_frames(16000)
    (None, 128, 126)
    >>> MelConfig(sample_rate=16000, htk=True).mel_scale
    'htk'

The defaults are librosa's. This module imports neither Keras nor a backend.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Mapping
from dataclasses import InitVar, dataclass

import numpy as np

from audioflow._typing import Window
from audioflow._validation import (
    check_db_args,
    check_mel_args,
    check_stft_args,
    python_value,
    resolve_mel_scale,
)

__all__ = ["DecibelConfig", "MelConfig", "StftConfig", "arguments_of", "python_value", "window_argument"]


def window_argument(window):
    """A window as the ops take it: (name, *parameters) a tuple again after JSON, lists as arrays."""
    window = python_value(window)
    if isinstance(window, (list, tuple)) and window and isinstance(python_value(window[0]), str):
        return tuple(python_value(item) for item in window)  # ("tukey", 0.25), ("kaiser", 8.0), ...
    if isinstance(window, list):
        return np.asarray(window)
    return window


def arguments_of(part, values: dict) -> dict:
    """The keyword-only arguments of ``part`` (a layer or settings class, or an op) taken from ``values`` (the
    caller's ``locals()``): a composed layer hands each part its share of its own arguments."""
    function = part.__init__ if inspect.isclass(part) else part
    parameters = inspect.signature(function).parameters.values()
    return {p.name: values[p.name] for p in parameters if p.kind is p.KEYWORD_ONLY and p.name in values}


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

    @classmethod
    def from_arguments(cls, values: Mapping[str, object]):
        """The settings named by this class's fields, taken from ``values`` (a caller's ``locals()``:
        a layer or op passes its own arguments on by name without retyping each one)."""
        return cls(**arguments_of(cls, values))

    def to_dict(self) -> dict:
        """The fields as passed, as a dict (JSON-friendly but for an array window)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def op_kwargs(self) -> dict:
        """Keyword arguments for the ops that take these settings (:func:`audioflow.ops.power_to_db`,
        :func:`audioflow.ops.mel_filterbank`, ...)."""
        return self.to_dict()


@dataclass(frozen=True, kw_only=True, eq=False)
class StftConfig(_Config):
    """Short-time Fourier transform settings (librosa's defaults), validated on construction.

    ``resolved_hop_length``, ``resolved_win_length`` and ``resolved_window`` fill in what None and
    a bare window name stand for; ``op_kwargs()`` gives the settings, resolved, as keyword arguments
    of :func:`audioflow.ops.stft` and the ops on it.

    Args:
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Gives ``n_fft // 2 + 1`` bins.
            Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4`` (512 for
            the default ``n_fft``). Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, Keras
            ``sequence_length``, tf.signal ``frame_length``); None means ``n_fft``. A shorter window
            is zero-padded and centred inside ``n_fft``, as librosa does. Default: ``None``.
        window: periodic, as ``scipy.signal.get_window(..., fftbins=True)`` (librosa,
            torchaudio): a name ("hann", "hamming", "blackman", "kaiser", any scipy window;
            "kaiser" alone is ``("kaiser", 12.0)``), a tuple with its parameters (``("tukey",
            0.25)``) or ``win_length`` samples as an array (the ops also take a tensor or a Keras
            variable). Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros: librosa's default since
            0.9), "reflect" (torchaudio, nnAudio and ``keras.ops.stft``), "edge", "symmetric" or
            "wrap". Default: ``'constant'``.

    Example:
        >>> StftConfig(n_fft=512, win_length=400).resolved_hop_length
        100
    """

    n_fft: int = 2048
    hop_length: int | None = None
    win_length: int | None = None
    window: Window = "hann"
    center: bool = True
    pad_mode: str = "constant"

    def __post_init__(self):
        self._store_python_values()
        _set(self, window=window_argument(self.window))
        _, hop, win, window, _, _ = check_stft_args(**self.to_dict())
        if isinstance(self.window, np.ndarray):
            _set(self, window=window)  # the read-only float64 copy
        _set(self, _hop=hop, _win=win, _window=window)

    @property
    def resolved_hop_length(self) -> int:
        """``hop_length``, or ``win_length // 4`` when it is None."""
        return self._hop

    @property
    def resolved_win_length(self) -> int:
        """``win_length``, or ``n_fft`` when it is None."""
        return self._win

    @property
    def resolved_window(self):
        """The window as the maths takes it: a name, a ``(name, *parameters)`` tuple, a bare kaiser
        beta, a read-only float64 array, or a tensor (:func:`audioflow._validation.check_window`)."""
        return self._window

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


@dataclass(frozen=True, kw_only=True, eq=False)
class MelConfig(_Config):
    """Mel filterbank settings (librosa's defaults: Slaney scale and area normalisation).

    ``n_fft`` is the FFT size the filterbank applies to (``n_fft // 2 + 1`` bins). ``htk`` is not
    stored: it sets ``mel_scale``. ``resolved_f_max`` fills in what None stands for.

    Args:
        sample_rate: of the input in Hz, > 0 (librosa ``sr``, torchaudio ``sample_rate``, Keras
            ``sampling_rate``). Default: ``22050``.
        n_fft: FFT size of the spectrogram the filterbank applies to, from 2 to 2**20
            (``n_fft // 2 + 1`` input bins). Default: ``2048``.
        n_mels: mel bands, >= 1 (librosa/torchaudio ``n_mels``, Keras/tf.signal ``num_mel_bins``).
            Default: ``128``.
        f_min: lowest filter edge in Hz, >= 0 (librosa ``fmin``, Keras ``min_freq``).
            Default: ``0.0``.
        f_max: highest filter edge in Hz, <= ``sample_rate / 2``; None means ``sample_rate / 2``
            (librosa ``fmax``, Keras ``max_freq``). Default: ``None``.
        mel_scale: "slaney" (librosa's default: linear below 1 kHz, logarithmic above) or "htk"
            (``2595 log10(1 + f / 700)``, tf.signal and Keras); torchaudio ``mel_scale``.
            Default: ``'slaney'``.
        htk: the older spelling (librosa ``htk``, audioflow 0.1.0 configs): ``htk=True`` means
            ``mel_scale="htk"``; None leaves ``mel_scale`` to decide. Default: ``None``.
        norm: mel filter normalisation: "slaney" (each triangle has unit area, librosa's default),
            None (peak 1, as tf.signal/HTK/Keras) or a positive number p (each filter divided by
            its p-norm). Default: ``'slaney'``.

    Example:
        >>> MelConfig(sample_rate=16000, htk=True).mel_scale
        'htk'
    """

    sample_rate: float = 22050
    n_fft: int = 2048
    n_mels: int = 128
    f_min: float = 0.0
    f_max: float | None = None
    mel_scale: str = "slaney"
    htk: InitVar[bool | None] = None
    norm: str | float | None = "slaney"

    def __post_init__(self, htk):
        self._store_python_values()
        _set(self, mel_scale=resolve_mel_scale(self.mel_scale, python_value(htk)))
        fields = self.to_dict()
        del fields["mel_scale"]
        _set(self, _f_max=check_mel_args(htk=self.mel_scale == "htk", **fields)[4])

    @property
    def resolved_f_max(self) -> float:
        """``f_max`` in Hz, or ``sample_rate / 2`` when it is None."""
        return self._f_max


@dataclass(frozen=True, kw_only=True, eq=False)
class DecibelConfig(_Config):
    """Decibel scaling settings, as ``librosa.power_to_db``, validated on construction.

    The maximum that ``ref="max"`` and ``top_db`` refer to is each example's own (never the
    batch's): see :func:`audioflow.ops.power_to_db`. ``resolved()`` gives ``(ref, amin, top_db)``
    as the maths takes them (numbers as Python floats or ints).

    Args:
        ref: the power mapped to 0 dB (> 0), or "max" for each example's own maximum (librosa
            ``ref=np.max``; torchaudio ``AmplitudeToDB`` has no reference). Default: ``1.0``.
        amin: smallest power considered (> 0; torchaudio ``amin``), so silence gives a finite
            ``10 log10(amin / ref)`` dB (-100 dB with the defaults). Default: ``1e-10``.
        top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all
            (librosa ``top_db``, torchaudio ``AmplitudeToDB(top_db=...)``). Default: ``80.0``.

    Example:
        >>> DecibelConfig(ref="max", top_db=60).resolved()
        ('max', 1e-10, 60)
    """

    ref: float | str = 1.0
    amin: float = 1e-10
    top_db: float | None = 80.0

    def __post_init__(self):
        self._store_python_values()
        _set(self, _resolved=check_db_args(self.ref, self.amin, self.top_db))

    def resolved(self) -> tuple:
        """``(ref, amin, top_db)``, validated, as the dB maths takes them."""
        return self._resolved
