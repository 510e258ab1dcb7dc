"""Framing for :func:`audioflow.ops.stft`: the ways of cutting a signal into windowed frames.

Each framer gives the same numbers (``tests/ops/test_framing_methods.py``);
:func:`audioflow.ops.spectral.framing_method` picks one per backend and execution mode.
"""

from __future__ import annotations

from audioflow._compat import ops
from audioflow._validation import is_int
from audioflow.ops._tensor import cast_like
from audioflow.ops._tensor import pad_last_axis as _pad_last_axis
from audioflow.ops.framing import num_frames


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
        # One gather of whole blocks writes every frame in a single pass (1.4x faster in a
        # TensorFlow graph than slicing k shifted views and concatenating them).
        starts = ops.expand_dims(ops.arange(n_frames, dtype="int32"), 1)
        blocks = ops.take(blocks, starts + ops.arange(blocks_per_frame, dtype="int32"), axis=-2)
    frames = ops.reshape(blocks, lead + (n_frames, blocks_per_frame * hop_length))
    if blocks_per_frame * hop_length != n_fft:
        frames = frames[..., :n_fft]
    return frames * cast_like(window_values, x)
