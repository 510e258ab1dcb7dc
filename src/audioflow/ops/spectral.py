"""Short-time Fourier transform, its inverse, and (power) spectrograms on ``keras.ops``.

Layout: signals are ``(..., samples)``; spectra are time-major ``(..., frames, bins)`` with
``bins = n_fft // 2 + 1``. librosa returns ``(..., bins, frames)``: transpose to compare.
"""

from __future__ import annotations

import numpy as np

from audioflow._compat import backend_name, ops, pad
from audioflow._typing import NoOtherArguments, Tensor, Unpack, Window
from audioflow._validation import (
    MAX_SAMPLES,
    check_input,
    check_int,
    check_power,
    is_int,
    parameter_error,
)
from audioflow.config import StftConfig
from audioflow.ops._frames import (  # noqa: F401  (_padded_positions: tests/ops/test_spectral.py)
    _dims,
    _export_frames,
    _pad_signal,
    _padded_positions,
    _strided_frames,
    _windowed_frames,
)
from audioflow.ops._tensor import as_float as _as_float
from audioflow.ops._tensor import dtype_name
from audioflow.ops._tensor import pad_last_axis as _pad_last_axis
from audioflow.ops.dft import dft_as_matmul, export_safe, irfft_matmul, rfft_matmul
from audioflow.ops.framing import num_frames
from audioflow.ops.windows import window_weights


def _check_static_input(x, *, center: bool, pad_mode: str):
    """An empty signal cannot be padded by ``np.pad`` modes other than "constant" (numpy raises)."""
    if center and pad_mode != "constant" and static_size(x.shape[-1]) == 0:
        raise parameter_error(
            "inputs",
            f"at least 1 sample long for pad_mode={pad_mode!r}",
            samples=0,
            hint="Only pad_mode='constant' can pad an empty signal (as np.pad).",
        )


def _zeros(x, shape_tail, dtype):
    """Zeros shaped ``x.shape[:-1] + shape_tail`` (leading dims may be unknown)."""
    lead = ops.zeros_like(ops.sum(ops.zeros_like(x), axis=-1))
    for _ in shape_tail:
        lead = ops.expand_dims(lead, -1)
    return lead + ops.zeros(shape_tail, dtype=dtype)


def static_size(dim) -> int | None:
    """A dimension as an int, or None when unknown (None, or a JAX shape-polymorphic symbol)."""
    return int(dim) if is_int(dim) else None


def has_empty_dim(shape) -> bool:
    """Whether a statically known dimension of ``shape`` is 0."""
    return any(static_size(dim) == 0 for dim in shape)


def framing_method(center: bool = True, pad_mode: str = "constant") -> str:
    """How :func:`stft` frames a signal here: "gather", "strided" or "torch.stft" (same numbers).

    Chosen per backend and execution mode from profiles (BENCHMARKS.md): under XLA (JAX, and
    TensorFlow ``jit_compile=True``) one gather that pads and windows in the same pass fuses best;
    TensorFlow graphs without XLA (Keras ``fit`` on a CPU by default) and eager TensorFlow copy
    contiguous hop-sized blocks (:func:`_strided_frames`, faster there than the per-sample gather:
    BENCHMARKS.md, "Measurements behind code choices"); eager PyTorch uses ``torch.stft``'s strided framing. Strided framing is used for zero
    (or no) padding only: ``keras.ops.pad``'s other modes fail on signals shorter than the pad.
    Inside :func:`audioflow.ops.export_safe_stft` it is always the gather (ONNX-exportable).
    """
    if export_safe():
        return "gather"
    backend = backend_name()
    if backend == "torch":
        return "torch.stft"
    if backend != "tensorflow" or _in_xla_graph():
        return "gather"
    return "strided" if pad_mode == "constant" or not center else "gather"


def _in_xla_graph() -> bool:
    """Whether TensorFlow is tracing a function compiled by XLA (``tf.function(jit_compile=True)``)."""
    import tensorflow as tf

    if tf.executing_eagerly():
        return False
    try:  # TensorFlow has no public query for this; tf.function marks the graph it traces.
        from tensorflow.python.framework import ops as tf_ops
        from tensorflow.python.ops import control_flow_util
    except ImportError:  # pragma: no cover - private modules moved: assume XLA's preferred framing
        return True
    return bool(control_flow_util.GraphOrParentsInXlaContext(tf_ops.get_default_graph()))


def stft(
    x: Tensor = None,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Window = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    **kwargs: Unpack[NoOtherArguments],
) -> tuple[Tensor, Tensor]:
    """Short-time Fourier transform of ``(..., samples)`` as ``(real, imag)``, each ``(..., frames, bins)``.

    Args:
        x: real signal, ``(..., samples)``; integer input is cast to float32.
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
            0.25)``), or ``win_length`` samples as an array, a tensor or a Keras variable
            (gradients flow to it). See :func:`audioflow.ops.get_window`. Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros: librosa's default since
            0.9), "reflect" (torchaudio, nnAudio and ``keras.ops.stft``), "edge", "symmetric" or
            "wrap" (which librosa.stft refuses). Padding wider than the signal reflects (wraps)
            repeatedly, as ``np.pad``; an empty signal can only be padded with "constant".
            Default: ``'constant'``.

    Returns:
        ``(real, imag)``, each ``(..., frames, n_fft // 2 + 1)``; ``frames`` is
        :func:`audioflow.ops.num_frames`. An empty signal (or batch) gives the corresponding empty
        (or all-zero) spectrum.

    Parity: ``librosa.stft`` (transposed) to float32 precision. How the frames are made depends on
    the backend and mode (:func:`framing_method`): one gather that pads and windows in the same
    pass (XLA), hop-sized block copies (TensorFlow without XLA), or ``keras.ops.stft`` on the
    padded signal (PyTorch); then ``keras.ops.rfft``. Inside
    :func:`audioflow.ops.export_safe_stft`: the gather, then a real DFT as matrix products.

    Example:
        >>> real, imag = stft(np.zeros((2, 16000), "float32"), n_fft=512, hop_length=128)
        >>> tuple(real.shape)
        (2, 126, 257)
    """
    x = check_input("stft", x, kwargs)
    settings = StftConfig.from_arguments(locals())
    return _stft(x, settings)


def _stft(x, settings: StftConfig):
    """:func:`stft` with validated settings (what the layers call: nothing is checked again)."""
    n_fft, hop, win = settings.n_fft, settings.resolved_hop_length, settings.resolved_win_length
    window, center, pad_mode = settings.resolved_window, settings.center, settings.pad_mode
    x = _as_float(x)
    _check_static_input(x, center=center, pad_mode=pad_mode)
    samples = static_size(x.shape[-1])
    bins = n_fft // 2 + 1
    if samples is not None:
        frames = num_frames(samples, n_fft=n_fft, hop_length=hop, center=center)
        if frames == 0 or samples == 0 or has_empty_dim(x.shape[:-1]):
            # No samples, frames or signals: FFT libraries reject empty input; the spectrum of
            # zero-padding alone is zero.
            empty = _zeros(x, (frames, bins), dtype_name(x))
            return empty, empty
    method = framing_method(center, pad_mode)
    if method == "torch.stft":
        if center:
            x = _pad_signal(x, n_fft // 2, pad_mode)
        weights = window_weights(window, win, like=x)
        return ops.stft(
            x, sequence_length=win, sequence_stride=hop, fft_length=n_fft, window=weights, center=False
        )
    weights = window_weights(window, win, like=x, size=n_fft)
    framer = _strided_frames if method == "strided" else _windowed_frames
    framer = _export_frames if export_safe() else framer
    frames = framer(x, n_fft=n_fft, hop_length=hop, window_values=weights, center=center, pad_mode=pad_mode)
    if dft_as_matmul(n_fft):
        return rfft_matmul(frames, n_fft)
    return ops.rfft(frames, fft_length=n_fft)


def magnitude_power(real: Tensor, imag: Tensor, power: float = 2.0) -> Tensor:
    """``|X| ** power`` from the real and imaginary parts, without a square root for power 2.

    Args:
        real: real part of a spectrum, any shape.
        imag: imaginary part, the same shape.
        power: exponent of the magnitude, > 0: 2.0 the power, 1.0 the magnitude. Default: ``2.0``.
    """
    return _magnitude_power(real, imag, check_power(power))


def _magnitude_power(real, imag, power: float):
    squared = ops.square(real) + ops.square(imag)
    if power == 2.0:
        return squared
    if power == 1.0:
        return ops.sqrt(squared)
    return ops.power(squared, power / 2.0)


def spectrogram(
    x: Tensor = None,
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Window = "hann",
    center: bool = True,
    pad_mode: str = "constant",
    power: float = 2.0,
    **kwargs: Unpack[NoOtherArguments],
) -> Tensor:
    """``|stft(x)| ** power``: ``(..., samples)`` -> ``(..., frames, n_fft // 2 + 1)``.

    ``power=2`` is the power spectrogram (librosa default), ``power=1`` the magnitude.

    Args:
        x: real signal, ``(..., samples)``; integer input is cast to float32.
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
        power: exponent of the STFT magnitude, > 0: 2.0 the power spectrogram (librosa, torchaudio
            default), 1.0 the magnitude (Keras ``STFTSpectrogram(mode="magnitude")``).
            Default: ``2.0``.

    Parity: ``np.abs(librosa.stft(x, ...)) ** power`` transposed, to float32 precision.

    Example:
        >>> spectrogram(np.zeros((2, 16000), "float32"), n_fft=512, power=1.0).shape[-1]
        257
    """
    x = check_input("spectrogram", x, kwargs)
    settings = StftConfig.from_arguments(locals())
    return _spectrogram(x, settings, check_power(power))


def _spectrogram(x, settings: StftConfig, power: float):
    """:func:`spectrogram` with validated settings (what the layers call)."""
    real, imag = _stft(x, settings)
    return _magnitude_power(real, imag, power)


def overlap_add(frames, hop_length: int):
    """Sum frames ``(..., frames, frame_length)`` hop-spaced into ``(..., (frames - 1) * hop + frame_length)``.

    Args:
        frames: ``(..., frames, frame_length)``.
        hop_length: samples between frame starts, >= 1.
    """
    hop_length = check_int("hop_length", hop_length, minimum=1)
    frame_length = frames.shape[-1]
    blocks_per_frame = -(-frame_length // hop_length)
    frames = _pad_last_axis(frames, 0, blocks_per_frame * hop_length - frame_length)
    total = None
    for k in range(blocks_per_frame):
        block = frames[..., k * hop_length : (k + 1) * hop_length]
        widths = [(0, 0)] * (len(block.shape) - 2) + [(k, blocks_per_frame - 1 - k), (0, 0)]
        block = pad(block, widths)
        total = block if total is None else total + block
    merged = ops.reshape(total, tuple(ops.shape(total)[:-2]) + (-1,))
    # (frames - 1) * hop + frame_length samples: the zero tail added above, a static count, goes
    # (a stop computed from the frame count is a slice that tf2onnx converts wrongly).
    extra = blocks_per_frame * hop_length - frame_length
    return merged[..., :-extra] if extra else merged


def istft_length(
    n_frames: int, *, n_fft: int, hop_length: int, center: bool, length: int | None = None
) -> int:
    """Number of samples :func:`istft` returns for ``n_frames`` frames.

    ``length`` when given, else ``hop_length * (n_frames - 1) + n_fft`` less ``2 * (n_fft // 2)``
    with ``center`` (never below 0), as ``librosa.istft``. Used by ``InverseSTFT`` for its shape.

    Args:
        n_frames: frames of the STFT.
        n_fft: its FFT size in samples.
        hop_length: its hop in samples (resolved).
        center: whether its frames were centred.
        length: the requested output length, or None. Default: ``None``.
    """
    if length is not None:
        return int(length)
    n_fft, hop_length = int(n_fft), int(hop_length)
    return max(0, hop_length * (n_frames - 1) + n_fft - (2 * (n_fft // 2) if center else 0))


def istft(
    stft_matrix: tuple[Tensor, Tensor],
    *,
    n_fft: int = 2048,
    hop_length: int | None = None,
    win_length: int | None = None,
    window: Window = "hann",
    center: bool = True,
    length: int | None = None,
) -> Tensor:
    """Inverse STFT of ``(real, imag)``, each ``(..., frames, n_fft // 2 + 1)`` -> ``(..., samples)``.

    Weighted overlap-add normalised by the window's summed square, as ``librosa.istft``; without
    ``length`` the output has ``hop_length * (frames - 1)`` samples when ``center=True``
    (:func:`istft_length`). With ``length`` it is trimmed or zero-padded to exactly that many.
    ``istft(stft(x))`` reconstructs ``x`` wherever the window overlap is non-zero (everywhere with
    ``center=True`` and a Hann window at hop <= n_fft / 2). Differentiable on every backend; no
    frames or an empty batch give zeros of the length above.

    Args:
        stft_matrix: ``(real, imag)``, each ``(..., frames, n_fft // 2 + 1)``, as :func:`stft` gives.
        n_fft: FFT size in samples of the STFT that made the input, from 2 to 2**20 (librosa
            ``n_fft``). Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, tf.signal
            ``frame_step``); None means ``win_length // 4``. Default: ``None``.
        win_length: window length in samples, <= ``n_fft``; None means ``n_fft`` (torchaudio
            ``win_length``). Default: ``None``.
        window: the STFT's window: a scipy window name, a ``(name, *parameters)`` tuple, or
            ``win_length`` samples (array, tensor or Keras variable). Default: ``'hann'``.
        center: whether the STFT centred its frames (``n_fft // 2`` samples of padding to drop
            at both ends, librosa ``center``). Default: ``True``.
        length: output length in samples (>= 0): the output is trimmed or zero-padded to it. None
            gives ``hop_length * (frames - 1)`` samples when ``center=True``; pass the original
            length to get it back exactly. Default: ``None``.

    Example:
        >>> x = np.random.default_rng(0).standard_normal((1, 4000)).astype("float32")
        >>> y = istft(stft(x, n_fft=512), n_fft=512, length=4000)   # ~= x
    """
    settings = StftConfig.from_arguments(locals())
    length = check_int("length", length, minimum=0, maximum=MAX_SAMPLES, allow_none=True)
    return _istft(stft_matrix, settings, length)


def _istft(stft_matrix, settings: StftConfig, length: int | None):
    """:func:`istft` with validated settings (what the layers call)."""
    n_fft, hop, win = settings.n_fft, settings.resolved_hop_length, settings.resolved_win_length
    window, center = settings.resolved_window, settings.center
    real, imag = stft_matrix
    real = _as_float(real)
    dtype = dtype_name(real)
    imag = ops.cast(imag, dtype)
    n_frames = static_size(real.shape[-2])
    if n_frames == 0 or has_empty_dim(real.shape[:-2]):
        samples = istft_length(n_frames, n_fft=n_fft, hop_length=hop, center=center, length=length)
        return _zeros(real[..., 0], (samples,), dtype)
    if export_safe():
        frames = irfft_matmul((real, imag), n_fft)
    else:
        frames = ops.irfft((real, imag), fft_length=n_fft)
    # A tensor, not a NumPy array: a torch tensor times a NumPy array leaves the autograd graph.
    weights = window_weights(window, win, like=real, size=n_fft)
    signal = overlap_add(frames * weights, hop)
    unit_frames = ops.ones((ops.shape(frames)[-2], 1), dtype=dtype) * window_weights(
        window, win, like=real, size=n_fft, squared=True
    )
    window_sum = overlap_add(unit_frames, hop)
    tiny = float(np.finfo(dtype).tiny)
    signal = ops.where(window_sum > tiny, signal / ops.where(window_sum > tiny, window_sum, 1.0), signal)
    start = n_fft // 2 if center else 0
    if length is not None:
        # Zero-pad then cut: exact `length` samples whether the frames cover it or not.
        signal = _pad_last_axis(signal[..., start : start + length], 0, length)
        return signal[..., :length]
    # Drop the centre padding at the end by a static count (see overlap_add).
    return signal[..., start : -(n_fft // 2)] if center and n_fft // 2 else signal[..., start:]
