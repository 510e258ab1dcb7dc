"""Frame counts and framing. ``num_frames`` is the single source of truth for frame counts."""

from __future__ import annotations

from audioflow._compat import ops
from audioflow._validation import check_bool, check_int, is_int
from audioflow.ops._tensor import dim_maximum


def num_frames(n_samples: int | None, *, n_fft: int, hop_length: int, center: bool = True) -> int | None:
    """Number of STFT frames for a signal of ``n_samples`` samples.

    With ``center=True`` the signal is padded by ``n_fft // 2`` on both sides (librosa), giving
    ``1 + n_samples // hop_length`` frames for even ``n_fft``. With ``center=False`` only whole
    frames count: ``1 + (n_samples - n_fft) // hop_length``, and 0 when the signal is shorter than
    one frame. ``None`` (an unknown length) gives ``None``; a scalar tensor (a length known only
    when a graph runs) gives a scalar tensor computed with the same formula, and a JAX symbolic
    dimension (shape-polymorphic export) a symbolic dimension.

    Example:
        >>> num_frames(22050, n_fft=2048, hop_length=512)
        44

    Args:
        n_samples: signal length in samples (an int, None, or a scalar tensor).
        n_fft: frame length (FFT size) in samples, >= 1.
        hop_length: samples between frames, >= 1.
        center: whether the signal is padded by ``n_fft // 2`` on both sides (librosa). Default:
            ``True``.
    """
    n_fft = check_int("n_fft", n_fft, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    center = check_bool("center", center)
    if n_samples is None:
        return None
    symbolic = not is_int(n_samples)
    if not symbolic:
        n_samples = check_int("n_samples", n_samples, minimum=0)
    padded = n_samples + 2 * (n_fft // 2) if center else n_samples
    count = 1 + (padded - n_fft) // hop_length
    if type(n_samples).__name__ == "SymInt":
        # A torch.export symbolic length stays symbolic (``ops.maximum`` would fix it to the example's).
        import torch

        return torch.sym_max(count, 0)
    return dim_maximum(count, 0)


def frame(x, *, frame_length: int, hop_length: int):
    """Slice ``(..., samples)`` into overlapping frames ``(..., frames, frame_length)``.

    No padding: frame ``t`` holds ``x[..., t * hop_length : t * hop_length + frame_length]`` and
    the frame count is ``num_frames(samples, n_fft=frame_length, hop_length=hop_length,
    center=False)``. Matches ``librosa.util.frame(x, frame_length=..., hop_length=..., axis=-1)``
    with its last two axes swapped (time-major).

    Args:
        x: signal ``(..., samples)``.
        frame_length: samples per frame, >= 1 (librosa ``frame_length``).
        hop_length: samples between frame starts, >= 1 (librosa ``hop_length``).
    """
    frame_length = check_int("frame_length", frame_length, minimum=1)
    hop_length = check_int("hop_length", hop_length, minimum=1)
    x = ops.convert_to_tensor(x)
    count = num_frames(ops.shape(x)[-1], n_fft=frame_length, hop_length=hop_length, center=False)
    starts = ops.arange(count) * hop_length
    indices = ops.expand_dims(starts, 1) + ops.expand_dims(ops.arange(frame_length), 0)
    return ops.take(x, indices, axis=-1)
