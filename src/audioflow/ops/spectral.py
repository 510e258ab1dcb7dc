"""Short-time Fourier transform, its inverse, and (power) spectrograms on ``keras.ops``.

Layout: signals are ``(..., samples)``; spectra are time-major ``(..., frames, bins)`` with
``bins = n_fft // 2 + 1``. librosa returns ``(..., bins, frames)``: transpose to compare.
"""

from __future__ import annotations

import numpy as np

from audioflow._arguments import argument_names, keyword_arguments, take_arguments
from audioflow._compat import backend_name, ops, pad
from audioflow._validation import (
    MAX_SAMPLES,
    check_input,
    check_int,
    check_power,
    is_int,
    parameter_error,
    stft_arguments,
)
from audioflow.config import StftConfig
from audioflow.ops._tensor import as_float as _as_float
from audioflow.ops._tensor import cast_like, dtype_name
from audioflow.ops._tensor import pad_last_axis as _pad_last_axis
from audioflow.ops.dft import dft_as_matmul, export_safe, irfft_matmul, rfft_matmul
from audioflow.ops.framing import num_frames
from audioflow.ops.windows import window_weights


def _padded_positions(positions, n_samples, mode: str):
    """Map sample positions (negative or past the end) to those ``np.pad(x, ..., mode=mode)`` reads.

    "reflect" (edge sample not repeated) and "symmetric" (repeated) are periodic in
    ``2 * (n - 1)`` and ``2 * n`` samples, "wrap" in ``n``, so padding wider than the signal
    reflects or wraps again, exactly as ``np.pad``. "edge" and "constant" clip (constant padding
    is masked by the caller). ``positions`` is an int32 tensor; ``n_samples`` an int or scalar tensor.
    """
    if mode == "reflect":
        period = ops.maximum(2 * (n_samples - 1), 1)
        folded = ops.mod(positions, period)
        return ops.where(folded >= n_samples, period - folded, folded)
    if mode == "symmetric":
        folded = ops.mod(positions, 2 * n_samples)
        return ops.where(folded >= n_samples, 2 * n_samples - 1 - folded, folded)
    if mode == "wrap":
        return ops.mod(positions, n_samples)
    return ops.clip(positions, 0, ops.maximum(n_samples - 1, 0))


def _pad_signal(x, pad: int, mode: str):
    """``np.pad`` of the last axis by ``pad`` samples on both sides, for any width (static length)."""
    if mode == "constant":
        return _pad_last_axis(x, pad, pad)
    positions = ops.arange(-pad, x.shape[-1] + pad, dtype="int32")
    return ops.take(x, _padded_positions(positions, x.shape[-1], mode), axis=-1)


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


def _frame_positions(n_samples, n_frames, *, n_fft: int, hop_length: int, offset: int):
    """Sample positions ``t * hop_length + n - offset`` of every frame, ``(frames, n_fft)`` int32.

    Built from ``arange`` (not a NumPy constant) so compiled graphs compute it on the fly instead of
    storing ``frames * n_fft`` integers, and so an unknown length (TensorFlow) works too.
    """
    starts = ops.arange(n_frames, dtype="int32") * hop_length - offset
    return ops.expand_dims(starts, 1) + ops.expand_dims(ops.arange(n_fft, dtype="int32"), 0)


def _export_frames(x, *, n_fft: int, hop_length: int, window_values, center: bool, pad_mode: str):
    """Windowed frames ``(..., frames, n_fft)`` for export: pad, then one gather of in-range rows.

    The centre padding is an ONNX ``Pad`` (modes other than "constant" then need a signal longer
    than ``n_fft // 2``), so no position is clipped or folded against the length: under
    ``torch.export`` any arithmetic mixing the length into a tensor fixes it to the example's. The
    samples are gathered as rows of the ``(samples, signals)`` transpose (PyTorch's embedding
    lookup, an ONNX ``Gather``): Keras' PyTorch ``take`` along the last axis exports a ``Squeeze``
    that onnxruntime rejects, and its ``take_along_axis`` fixes the batch size.
    """
    if center:
        x = _pad_last_axis(x, n_fft // 2, n_fft // 2, mode=pad_mode)
    dims = _dims(x)
    n_frames = num_frames(dims[-1], n_fft=n_fft, hop_length=hop_length, center=False)
    positions = _frame_positions(dims[-1], n_frames, n_fft=n_fft, hop_length=hop_length, offset=0)
    columns = ops.transpose(ops.reshape(x, (-1, dims[-1])))  # (samples, signals)
    frames = ops.moveaxis(ops.take(columns, positions, axis=0), -1, 0)  # (signals, frames, n_fft)
    frames = ops.reshape(frames, dims[:-1] + _dims(frames)[1:])
    return frames * cast_like(window_values, x)


def _dims(x) -> tuple:
    """``x``'s shape: static sizes as ints, unknown ones as scalar tensors (for ``reshape``)."""
    return tuple(d if is_int(d) else ops.shape(x)[i] for i, d in enumerate(x.shape))


def _windowed_frames(x, *, n_fft: int, hop_length: int, window_values, center: bool, pad_mode: str):
    """Windowed frames ``(..., frames, n_fft)`` read straight from the unpadded signal.

    One gather writes the frames: the ``center`` padding is virtual (constant: out-of-range
    positions read sample 0 and get weight 0; reflect: positions are reflected), so no padded copy
    of the signal is made and the window multiply happens in the same pass. ``window_values`` is
    the ``n_fft``-long window (a shorter window already zero-padded and centred): a NumPy array
    (a constant) or a tensor.
    """
    weights = cast_like(window_values, x)
    # A static length, or (TensorFlow graphs with an unknown length) a scalar tensor.
    n_samples = x.shape[-1] if x.shape[-1] is not None else ops.shape(x)[-1]
    n_frames = num_frames(n_samples, n_fft=n_fft, hop_length=hop_length, center=center)
    positions = _frame_positions(
        n_samples, n_frames, n_fft=n_fft, hop_length=hop_length, offset=n_fft // 2 if center else 0
    )
    if not center:
        return ops.take(x, positions, axis=-1) * weights
    if pad_mode != "constant":
        return ops.take(x, _padded_positions(positions, n_samples, pad_mode), axis=-1) * weights
    inside = ops.logical_and(positions >= 0, positions < n_samples)
    positions = ops.clip(positions, 0, ops.maximum(n_samples - 1, 0))
    return ops.take(x, positions, axis=-1) * ops.where(inside, weights, ops.zeros_like(weights))


def _strided_frames(x, *, n_fft: int, hop_length: int, window_values, center: bool, pad_mode: str):
    """Windowed frames ``(..., frames, n_fft)`` by padding once and slicing hop-sized blocks.

    The signal (centre-padded when ``center``) is cut into blocks of ``hop_length`` samples; frame
    ``t`` is the concatenation of blocks ``t .. t + k - 1`` (``k = ceil(n_fft / hop_length)``),
    trimmed to ``n_fft``: one gather of contiguous blocks instead of a per-sample gather, as
    ``tf.signal.frame`` does. Faster than :func:`_windowed_frames` outside XLA.
    """
    samples = x.shape[-1] if is_int(x.shape[-1]) else ops.shape(x)[-1]
    n_frames = num_frames(samples, n_fft=n_fft, hop_length=hop_length, center=center)
    blocks_per_frame = -(-n_fft // hop_length)
    # Zeros after the end so the last frame's last block is whole (trimmed off again below).
    tail = blocks_per_frame * hop_length - n_fft
    if center:
        x = _pad_last_axis(x, n_fft // 2, n_fft // 2, mode=pad_mode)
    if tail:
        x = _pad_last_axis(x, 0, tail)
    n_blocks = n_frames + blocks_per_frame - 1
    lead = tuple(d if is_int(d) else ops.shape(x)[i] for i, d in enumerate(x.shape[:-1]))
    usable = n_blocks * hop_length
    blocks = ops.reshape(x[..., :usable], lead + (n_blocks, hop_length))
    if blocks_per_frame > 1:
        # One gather of whole blocks writes every frame in a single pass (faster in a TensorFlow
        # graph than slicing k shifted views and concatenating them; BENCHMARKS.md).
        starts = ops.expand_dims(ops.arange(n_frames, dtype="int32"), 1)
        blocks = ops.take(blocks, starts + ops.arange(blocks_per_frame, dtype="int32"), axis=-2)
    frames = ops.reshape(blocks, lead + (n_frames, blocks_per_frame * hop_length))
    if blocks_per_frame * hop_length != n_fft:
        frames = frames[..., :n_fft]
    return frames * cast_like(window_values, x)


@keyword_arguments(*argument_names(StftConfig))
def stft(x=None, **kwargs):
    """Short-time Fourier transform of ``(..., samples)`` as ``(real, imag)``, each ``(..., frames, bins)``.

    Args:
        x: real signal, ``(..., samples)``; integer input is cast to float32.
        {arguments}

    Frame count: :func:`audioflow.ops.num_frames`; an empty signal (or batch) gives the
    corresponding empty (or all-zero) spectrum. Matches ``librosa.stft`` (transposed) to float32
    precision. How the frames are made depends on the backend and mode (:func:`framing_method`):
    one gather that pads and windows in the same pass (XLA), hop-sized block copies (TensorFlow
    without XLA), or ``keras.ops.stft`` on the padded signal (PyTorch); then ``keras.ops.rfft``.
    Inside :func:`audioflow.ops.export_safe_stft`: the gather, then a real DFT as matrix products.
    """
    arguments = take_arguments(stft, kwargs)
    x = check_input("stft", x, kwargs)
    n_fft, hop, win, window, center, pad_mode = stft_arguments(**arguments)
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


def magnitude_power(real, imag, power: float = 2.0):
    """``|X| ** power`` from the real and imaginary parts, without a square root for power 2."""
    power = check_power(power)
    squared = ops.square(real) + ops.square(imag)
    if power == 2.0:
        return squared
    if power == 1.0:
        return ops.sqrt(squared)
    return ops.power(squared, power / 2.0)


@keyword_arguments(*argument_names(StftConfig), "power")
def spectrogram(x=None, **kwargs):
    """``|stft(x)| ** power``: ``(..., samples)`` -> ``(..., frames, n_fft // 2 + 1)``.

    ``power=2`` is the power spectrogram (librosa default), ``power=1`` the magnitude.
    Matches ``np.abs(librosa.stft(x, ...)) ** power`` transposed.

    Args:
        x: real signal, ``(..., samples)``; integer input is cast to float32.
        {arguments}
    """
    arguments = take_arguments(spectrogram, kwargs)
    x = check_input("spectrogram", x, kwargs)
    power = check_power(arguments.pop("power"))
    real, imag = stft(x, **arguments)
    return magnitude_power(real, imag, power)


def overlap_add(frames, hop_length: int):
    """Sum frames ``(..., frames, frame_length)`` hop-spaced into ``(..., (frames - 1) * hop + frame_length)``."""
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
    """
    if length is not None:
        return int(length)
    n_fft, hop_length = int(n_fft), int(hop_length)
    return max(0, hop_length * (n_frames - 1) + n_fft - (2 * (n_fft // 2) if center else 0))


@keyword_arguments("n_fft", "hop_length", "win_length", "window", "center", "length")
def istft(stft_matrix, **kwargs):
    """Inverse STFT of ``(real, imag)``, each ``(..., frames, n_fft // 2 + 1)`` -> ``(..., samples)``.

    Weighted overlap-add normalised by the window's summed square, as ``librosa.istft``; without
    ``length`` the output has ``hop_length * (frames - 1)`` samples when ``center=True``
    (:func:`istft_length`). With ``length`` it is trimmed or zero-padded to exactly that many.
    ``istft(stft(x))`` reconstructs ``x`` wherever the window overlap is non-zero (everywhere with
    ``center=True`` and a Hann window at hop <= n_fft / 2). Differentiable on every backend; no
    frames or an empty batch give zeros of the length above.

    Args:
        stft_matrix: ``(real, imag)``, each ``(..., frames, n_fft // 2 + 1)``, as :func:`stft` gives.
        {arguments}
    """
    arguments = take_arguments(istft, kwargs, only=True)
    length = arguments.pop("length")
    n_fft, hop, win, window, center, _ = stft_arguments(pad_mode="constant", **arguments)
    length = check_int("length", length, minimum=0, maximum=MAX_SAMPLES, allow_none=True)
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
