"""Features built on spectrograms: mel spectrograms, MFCCs, deltas."""

from __future__ import annotations

import math

import numpy as np

from audioflow._compat import backend_name, constant_tensor, host_constant, ops
from audioflow._typing import NoOtherArguments, Tensor, Unpack, Window
from audioflow._validation import (
    check_delta_args,
    check_input,
    check_mfcc_args,
    check_mfcc_input,
    check_power,
    is_int,
    parameter_error,
)
from audioflow.config import DecibelConfig, MelConfig, StftConfig, arguments_of
from audioflow.ops._frames import _padded_positions
from audioflow.ops._tensor import cast_like, dim_maximum, dtype_name, is_symbolic_dim
from audioflow.ops.dft import exporting
from audioflow.ops.filters import _dct_matrix, _savgol_delta_weights, mel_filterbank_for
from audioflow.ops.scaling import _power_to_db
from audioflow.ops.spectral import _spectrogram, static_size


def apply_filterbank(S: Tensor, filterbank: Tensor) -> Tensor:
    """Project ``(..., frames, bins)`` through a ``(bins, n_out)`` matrix -> ``(..., frames, n_out)``.

    Args:
        S: a spectrogram ``(..., frames, bins)``.
        filterbank: a ``(bins, n_out)`` NumPy constant (:func:`mel_filterbank`,
            :func:`dct_matrix`), or a tensor or Keras variable, in which case gradients flow to it
            (a learnable filterbank). It is cast to ``S``'s dtype.
    """
    S = ops.convert_to_tensor(S)
    return ops.matmul(S, cast_like(filterbank, S))


# Frames per chunk in `filtered_spectrogram`: enough to amortise one loop step, few enough that the
# frames, their spectrum and its power (~20 bytes per frame and FFT point) stay in a core's cache.
_CHUNK_MIN_FRAMES = 512
_CHUNK_MAX_FRAMES = 2048


def batch_chunk_size(n_items: int | None, n_frames: int | None) -> int | None:
    """Signals per chunk for :func:`filtered_spectrogram`, or None to process the batch in one piece.

    The largest divisor ``c`` of ``n_items`` with ``c * n_frames <= 2048`` frames, used only when a
    chunk holds at least 512 frames and there are at least two chunks. Unknown sizes (a TensorFlow
    graph traced with a ``None`` batch or length), and an export (:func:`~audioflow.ops.dft.exporting`), give None.
    """
    if exporting() or n_items is None or n_frames is None or n_frames < 1:
        return None
    size = max(
        [c for c in range(1, n_items + 1) if n_items % c == 0 and c * n_frames <= _CHUNK_MAX_FRAMES] or [1]
    )
    if size * n_frames < _CHUNK_MIN_FRAMES or n_items // size < 2:
        return None
    return size


def dynamic_chunking(n_frames: int | None) -> bool:
    """Whether :func:`filtered_spectrogram` chunks a batch of unknown size (TensorFlow graphs).

    Keras ``fit``/``predict`` trace TensorFlow graphs with a ``None`` batch. Long signals (at least
    256 frames each) are then processed in chunks of at most ``2048 // frames`` signals
    (:func:`unknown_batch_chunks`; faster for long clips, with or without XLA: BENCHMARKS.md).
    Shorter signals are left whole: a typical batch of them already fits in cache.
    """
    if exporting():  # one plain graph: no loop for exporters to convert
        return False
    return backend_name() == "tensorflow" and n_frames is not None and n_frames >= 256


def unknown_batch_chunks(n_items, n_frames: int):
    """``(n_chunks, size)`` for :func:`filtered_spectrogram` on a batch whose size is known only at run time.

    At most ``2048 // n_frames`` signals a chunk, in as few chunks as that allows, spread evenly so
    that fewer than ``n_chunks`` zero signals pad the batch (one clip is one chunk of one signal, not
    a chunk of 6 with 5 zero signals). ``n_items`` is an int or a scalar integer tensor.
    """
    cap = max(1, _CHUNK_MAX_FRAMES // n_frames)
    n_chunks = ops.maximum((n_items + cap - 1) // cap, 1)  # an empty batch is one empty chunk
    return n_chunks, (n_items + n_chunks - 1) // n_chunks


def _map_over_unknown_batch(project, x, n_frames: int, n_out: int):
    """``project`` over chunks of whole signals of a batch whose size is known only at run time."""
    samples = x.shape[-1]
    lead = ops.shape(x)[:-1]
    flat = ops.reshape(x, (-1, samples))
    n_items = ops.shape(flat)[0]
    n_chunks, size = unknown_batch_chunks(n_items, n_frames)
    flat = ops.pad(flat, [(0, n_chunks * size - n_items), (0, 0)])
    out = ops.map(project, ops.reshape(flat, (n_chunks, size, samples)))
    out = ops.reshape(out, (-1, n_frames, n_out))[:n_items]
    return ops.reshape(out, tuple(lead) + (n_frames, n_out))


def filtered_spectrogram(
    x: Tensor,
    filterbank: Tensor,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Window = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
) -> Tensor:
    """``apply_filterbank(spectrogram(x, ...), filterbank)``: ``(..., samples)`` -> ``(..., frames, n_out)``.

    The same numbers as the two calls, computed faster: the batch is processed in chunks of whole
    signals (:func:`batch_chunk_size`, via ``keras.ops.map``) that stay in cache, each signal's
    result independent of its batch-mates.

    Args:
        x: real signals, ``(..., samples)``.
        filterbank: ``(n_fft // 2 + 1, n_out)``: a NumPy constant, a tensor or a Keras variable.
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4``.
            Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, tf.signal
            ``frame_length``); None means ``n_fft``; a shorter window is zero-padded and centred.
            Default: ``None``.
        window: a scipy window name, a ``(name, *parameters)`` tuple, or ``win_length`` samples
            (array, tensor or Keras variable), periodic as librosa (see :func:`stft`).
            Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros, librosa), "reflect"
            (torchaudio, ``keras.ops.stft``), "edge", "symmetric" or "wrap". Default: ``'constant'``.
        power: exponent of the STFT magnitude, > 0: 2.0 the power spectrogram (librosa default),
            1.0 the magnitude. Default: ``2.0``.
    """
    settings = StftConfig.from_arguments(locals())
    return _filtered_spectrogram(x, filterbank, settings, check_power(power))


def _filtered_spectrogram(x, filterbank, settings: StftConfig, power: float):
    """:func:`filtered_spectrogram` with validated settings (what the layers call)."""
    if isinstance(filterbank, (list, tuple)):
        filterbank = np.asarray(filterbank)

    def project(signals):
        return apply_filterbank(_spectrogram(signals, settings, power), filterbank)

    x = ops.convert_to_tensor(x)
    lead = tuple(x.shape[:-1])
    # Symbolic sizes (None, or JAX's shape-polymorphic dimensions when exporting) count as unknown.
    n_items = math.prod(lead) if all(is_int(d) for d in lead) else None
    samples = x.shape[-1] if is_int(x.shape[-1]) else None
    n_frames = settings.num_frames(samples)
    size = batch_chunk_size(n_items, n_frames)
    if size is None and n_items is None and dynamic_chunking(n_frames):
        return _map_over_unknown_batch(project, x, n_frames, filterbank.shape[-1])
    if size is None:
        return project(x)
    chunks = ops.reshape(x, (n_items // size, size, samples))
    out = ops.map(project, chunks)
    return ops.reshape(out, lead + (n_frames, filterbank.shape[-1]))


def melspectrogram(
    x: Tensor = None,
    *,
    sample_rate: float = 22050,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Window = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    n_mels: int = 128,
    f_min: float = 0.0,
    f_max: float | None = None,
    mel_scale: str = "slaney",
    htk: bool | None = None,
    norm: str | float | None = "slaney",
    **kwargs: Unpack[NoOtherArguments],
) -> Tensor:
    """Mel spectrogram ``(..., samples)`` -> ``(..., frames, n_mels)``.

    librosa's names (``y=``, ``sr=``, ``fmin=``, ...) raise a :class:`~audioflow.ParameterError`
    naming the audioflow argument.

    Args:
        x: real signal, ``(..., samples)``; integer input is cast to float32.
        sample_rate: of the input in Hz, > 0 (librosa ``sr``, torchaudio ``sample_rate``, Keras
            ``sampling_rate``). Default: ``22050``.
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4``.
            Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, tf.signal
            ``frame_length``); None means ``n_fft``; a shorter window is zero-padded and centred.
            Default: ``None``.
        window: a scipy window name, a ``(name, *parameters)`` tuple, or ``win_length`` samples
            (array, tensor or Keras variable), periodic as librosa (see :func:`stft`).
            Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros, librosa), "reflect"
            (torchaudio, ``keras.ops.stft``), "edge", "symmetric" or "wrap". Default: ``'constant'``.
        power: exponent of the STFT magnitude, > 0: 2.0 the power spectrogram (librosa default),
            1.0 the magnitude. Default: ``2.0``.
        n_mels: mel bands, >= 1 (librosa/torchaudio ``n_mels``, Keras/tf.signal ``num_mel_bins``).
            Default: ``128``.
        f_min: lowest filter edge in Hz, >= 0 (librosa ``fmin``, Keras ``min_freq``).
            Default: ``0.0``.
        f_max: highest filter edge in Hz, <= ``sample_rate / 2``; None means ``sample_rate / 2``
            (librosa ``fmax``, Keras ``max_freq``). Default: ``None``.
        mel_scale: "slaney" (librosa's default: linear below 1 kHz, logarithmic above) or "htk"
            (``2595 log10(1 + f / 700)``, tf.signal and Keras). Default: ``'slaney'``.
        htk: the older spelling (librosa ``htk``): ``htk=True`` means ``mel_scale="htk"``; None
            leaves ``mel_scale`` to decide. Default: ``None``.
        norm: mel filter normalisation: "slaney" (unit area, librosa's default), None (peak 1, as
            tf.signal/Keras) or a positive number p (p-norm). Default: ``'slaney'``.

    Parity: ``librosa.feature.melspectrogram(y=x, sr=sample_rate, ...).T`` with the same arguments
    (``mel_scale="htk"`` is librosa's ``htk=True``), to float32 precision.

    Example:
        >>> melspectrogram(np.zeros((2, 16000), "float32"), sample_rate=16000, n_mels=40).shape[-1]
        40
    """
    x = check_input("melspectrogram", x, kwargs)
    settings = StftConfig.from_arguments(locals())
    power = check_power(power)
    mel = MelConfig.from_arguments(locals())
    return _filtered_spectrogram(x, mel_filterbank_for(mel), settings, power)


def mfcc(
    log_mel: Tensor = None,
    *,
    n_mfcc: int = 20,
    dct_type: int = 2,
    norm: str | None = "ortho",
    lifter: float = 0.0,
    **kwargs: Unpack[NoOtherArguments],
) -> Tensor:
    """MFCCs from a dB mel spectrogram ``(..., frames, n_mels)`` -> ``(..., frames, n_mfcc)``.

    DCT over the mel axis (orthonormal DCT-II by default), as ``librosa.feature.mfcc(S=log_mel.T)``.
    librosa computes MFCCs from ``power_to_db(melspectrogram)`` (decibels, ``top_db=80``); so does
    :class:`audioflow.layers.MFCC`. A waveform (or librosa's ``y=``/``sr=``) is refused with a
    :class:`~audioflow.ParameterError`: pass ``log_mel_spectrogram(x, ...)``.

    Args:
        log_mel: a dB mel spectrogram, time-major ``(..., frames, n_mels)``.
        n_mfcc: coefficients kept, 1 <= ``n_mfcc`` <= ``n_mels`` (librosa/torchaudio ``n_mfcc``;
            tf.signal keeps all and you slice). Default: ``20``.
        dct_type: 1, 2 or 3 (librosa ``dct_type``; torchaudio and tf.signal use 2). Default: ``2``.
        norm: the DCT's normalisation: "ortho" (orthonormal, librosa's default) or None.
            Default: ``'ortho'``.
        lifter: sinusoidal liftering ``1 + (lifter / 2) sin(pi (k + 1) / lifter)`` when > 0
            (librosa ``lifter``; 22 is common); 0 for none. Default: ``0.0``.

    Example:
        >>> mfcc(log_mel_spectrogram(np.zeros((1, 22050), "float32")), n_mfcc=13).shape[-1]
        13
    """
    log_mel = ops.convert_to_tensor(check_mfcc_input(log_mel, kwargs))
    n_mfcc, dct_type, norm, lifter = check_mfcc_args(n_mfcc, int(log_mel.shape[-1]), dct_type, norm, lifter)
    return _mfcc(log_mel, n_mfcc=n_mfcc, dct_type=dct_type, norm=norm, lifter=lifter)


def _mfcc(log_mel, *, n_mfcc: int, dct_type: int, norm: str | None, lifter: float):
    """:func:`mfcc` with validated arguments (what the layers call)."""
    matrix = _dct_array(n_mfcc, int(log_mel.shape[-1]), dct_type, norm, lifter, dtype_name(log_mel))
    return apply_filterbank(log_mel, constant_tensor(matrix))


@host_constant
def _dct_array(n_mfcc, n_mels: int, dct_type, norm, lifter, dtype: str) -> np.ndarray:
    return _dct_matrix(n_mfcc, n_mels, dct_type, norm, lifter, np.float64).astype(dtype)


def log_mel_spectrogram(
    x: Tensor = None,
    *,
    sample_rate: float = 22050,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Window = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    n_mels: int = 128,
    f_min: float = 0.0,
    f_max: float | None = None,
    mel_scale: str = "slaney",
    htk: bool | None = None,
    norm: str | float | None = "slaney",
    ref: float | str = 1.0,
    amin: float = 1e-10,
    top_db: float | None = 80.0,
    **kwargs: Unpack[NoOtherArguments],
) -> Tensor:
    """``power_to_db(melspectrogram(x, ...))`` per example: ``(..., frames, n_mels)`` in dB.

    Args:
        x: real signal, ``(..., samples)``; integer input is cast to float32.
        sample_rate: of the input in Hz, > 0 (librosa ``sr``, torchaudio ``sample_rate``, Keras
            ``sampling_rate``). Default: ``22050``.
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4``.
            Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, tf.signal
            ``frame_length``); None means ``n_fft``; a shorter window is zero-padded and centred.
            Default: ``None``.
        window: a scipy window name, a ``(name, *parameters)`` tuple, or ``win_length`` samples
            (array, tensor or Keras variable), periodic as librosa (see :func:`stft`).
            Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros, librosa), "reflect"
            (torchaudio, ``keras.ops.stft``), "edge", "symmetric" or "wrap". Default: ``'constant'``.
        power: exponent of the STFT magnitude, > 0: 2.0 the power spectrogram (librosa default),
            1.0 the magnitude. Default: ``2.0``.
        n_mels: mel bands, >= 1 (librosa/torchaudio ``n_mels``, Keras/tf.signal ``num_mel_bins``).
            Default: ``128``.
        f_min: lowest filter edge in Hz, >= 0 (librosa ``fmin``, Keras ``min_freq``).
            Default: ``0.0``.
        f_max: highest filter edge in Hz, <= ``sample_rate / 2``; None means ``sample_rate / 2``
            (librosa ``fmax``, Keras ``max_freq``). Default: ``None``.
        mel_scale: "slaney" (librosa's default: linear below 1 kHz, logarithmic above) or "htk"
            (``2595 log10(1 + f / 700)``, tf.signal and Keras). Default: ``'slaney'``.
        htk: the older spelling (librosa ``htk``): ``htk=True`` means ``mel_scale="htk"``; None
            leaves ``mel_scale`` to decide. Default: ``None``.
        norm: mel filter normalisation: "slaney" (unit area, librosa's default), None (peak 1, as
            tf.signal/Keras) or a positive number p (p-norm). Default: ``'slaney'``.
        ref: the power mapped to 0 dB (> 0), or "max" for each example's own maximum (librosa
            ``ref=np.max``). Default: ``1.0``.
        amin: smallest power considered (> 0), so silence gives a finite ``10 log10(amin / ref)``
            dB. Default: ``1e-10``.
        top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all
            (librosa ``top_db``). Default: ``80.0``.

    Parity: ``librosa.power_to_db(librosa.feature.melspectrogram(...), top_db=80)`` of each example,
    transposed, within 0.01 dB above the floor.

    Example:
        >>> log_mel_spectrogram(np.zeros((2, 16000), "float32"), sample_rate=16000, n_mels=40).shape[-1]
        40
    """
    mel = melspectrogram(x, **arguments_of(melspectrogram, locals()), **kwargs)
    ref, amin, top_db = DecibelConfig(ref=ref, amin=amin, top_db=top_db).resolved()
    return _power_to_db(mel, ref=ref, amin=amin, top_db=top_db)


# delta's edge modes (scipy.ndimage names) as np.pad modes of the same extension.
_DELTA_PAD_MODES = {"nearest": "edge", "mirror": "reflect", "wrap": "wrap", "constant": "constant"}


@host_constant
def _delta_filters(width: int, order: int, dtype: str):
    """:func:`savgol_delta_weights` as :func:`delta` uses them: the interior weights as Python floats
    and as a ``(width,)`` array, and the ``(width, width // 2)`` edge matrices, in ``dtype``."""
    interior, head, tail = _savgol_delta_weights(width, order)
    return (
        tuple(float(w) for w in interior),
        interior.astype(dtype),
        head.T.astype(dtype),
        tail.T.astype(dtype),
    )


def delta(x: Tensor, *, width: int = 9, order: int = 1, axis: int = -2, mode: str = "interp") -> Tensor:
    """Savitzky-Golay derivative along the time axis, as ``librosa.feature.delta``.

    Args:
        x: features, time-major ``(..., frames, bins)`` (time on ``axis``).
        width: odd window length in frames, ``3 <= width <= 1001`` (librosa ``width``).
            Default: ``9``.
        order: derivative order, ``1 <= order < width`` (1: delta, 2: delta-delta, ...).
            Default: ``1``.
        axis: the time axis of ``x``. Default: ``-2``.
        mode: edges, as librosa / ``scipy.signal.savgol_filter``: "interp" (a polynomial fit over
            the first and last ``width`` frames; needs at least ``width`` frames, as librosa, which
            raises otherwise), "nearest", "mirror", "constant" (zeros) or "wrap" (any number of
            frames, as ``scipy.ndimage``). Default: ``'interp'``.

    kapre and torchaudio use a regression formula with ``mode="replicate"`` edges instead; results
    differ near the edges and in scale.
    """
    width, order, mode = check_delta_args(width, order, mode)
    return _delta(x, width=width, order=order, axis=axis, mode=mode)


def _delta(x, *, width: int, order: int, axis: int, mode: str):
    """:func:`delta` with validated arguments (what the layers call)."""
    x = ops.moveaxis(ops.convert_to_tensor(x), axis, -1)
    dtype = dtype_name(x)
    interior, *matrices = _delta_filters(width, order, dtype)
    weights, head, tail = map(constant_tensor, matrices)
    frames = static_size(x.shape[-1])
    n = frames if frames is not None else ops.shape(x)[-1]
    if mode != "interp":
        if frames == 0:
            return ops.moveaxis(x, -1, axis)
        half = width // 2
        positions = ops.expand_dims(ops.arange(n, dtype="int32"), 1) + ops.arange(
            -half, half + 1, dtype="int32"
        )
        pad_mode = _DELTA_PAD_MODES[mode]
        windows = ops.take(x, _padded_positions(positions, n, pad_mode), axis=-1)  # (..., n, width)
        if pad_mode == "constant":
            inside = ops.logical_and(positions >= 0, positions < n)
            weights = ops.where(inside, weights, ops.zeros_like(weights))
        return ops.moveaxis(ops.sum(windows * weights, axis=-1), -1, axis)
    if frames is not None and frames < width:
        raise parameter_error(
            "x",
            "at least `width` frames long for mode='interp'",
            frames=frames,
            width=width,
            hint="Use a smaller odd `width`, longer inputs, or another `mode` (librosa raises too).",
        )
    if is_symbolic_dim(n):
        # A JAX shape-polymorphic length (jax2tf export): slices have lengths JAX cannot prove
        # equal (``n - width + 1``, ``min(n, width)``), so gather the windows by position.
        count = dim_maximum(n - width + 1, 0)
        taps = ops.arange(width, dtype="int32")
        positions = ops.expand_dims(ops.arange(count, dtype="int32"), 1) + taps
        middle = ops.sum(ops.take(x, positions, axis=-1) * cast_like(interior, x), axis=-1)
        first, last = ops.take(x, taps, axis=-1), ops.take(x, taps + (n - width), axis=-1)
    else:
        middle = None
        for k in range(width):
            term = x[..., k : n - width + 1 + k] * interior[k]
            middle = term if middle is None else middle + term
        first, last = x[..., :width], x[..., n - width :]
    start = ops.matmul(first, head)
    end = ops.matmul(last, tail)
    return ops.moveaxis(ops.concatenate([start, middle, end], axis=-1), -1, axis)
