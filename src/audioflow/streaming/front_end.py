"""StreamingFrontEnd: a feature layer run on audio that arrives in chunks, frame for frame the same."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import keras
import numpy as np
from keras import ops

from audioflow._validation import check_chunk, check_streamable_settings, check_streaming_parts
from audioflow._validation.streaming import check_streamable_kaldi
from audioflow.config import StftConfig
from audioflow.layers import (
    MFCC,
    PCEN,
    STFT,
    KaldiFbank,
    KaldiMFCC,
    KaldiSpectrogram,
    LogMelSpectrogram,
    MelSpectrogram,
    Spectrogram,
)
from audioflow.ops.framing import num_frames
from audioflow.streaming._compiled import compiled
from audioflow.streaming.step import initial_step_state, pcen_frames, step_model, step_state_shapes

__all__ = ["StreamingFrontEnd"]

_KALDI = (KaldiSpectrogram, KaldiFbank, KaldiMFCC)
_FRAMING = (STFT, Spectrogram, MelSpectrogram, LogMelSpectrogram, MFCC, *_KALDI)
_ENERGIES = (Spectrogram, MelSpectrogram)
# Frames per compiled call: a chunk's frames are made in blocks of these sizes (largest first), so a
# stream of any chunk sizes compiles at most three shapes, and a steady chunk size one or two.
_BLOCK_FRAMES = (64, 8, 1)


def _type_name(part) -> str:
    for kind in (*_FRAMING, PCEN):
        if isinstance(part, kind):
            return kind.__name__
    return type(part).__name__


class StreamingFrontEnd:
    """Runs a feature layer on a signal that arrives in chunks: the frames of ``layer(whole_signal)``.

    Framing with ``center=False`` makes each frame depend only on its own ``n_fft`` samples, so
    a stream can output every frame as soon as its last sample arrives. The front end keeps the
    samples not yet used by a whole frame (fewer than ``n_fft``, on the host as NumPy: chunks of
    new lengths then cost no compilation), and for PCEN the smoother's state after the last frame. The maths is the layer's own (its ``call`` on whole frames; PCEN's
    smoother started from the carried state).

    Args:
        layer: an audioflow ``STFT``, ``Spectrogram``, ``MelSpectrogram``, ``LogMelSpectrogram``
            or ``MFCC`` layer built with ``center=False`` (and, for dB, a numeric ``ref`` and
            ``top_db=None``: a clip-wide maximum is not known while the clip streams); a
            ``KaldiSpectrogram``, ``KaldiFbank`` or ``KaldiMFCC`` with ``snip_edges=True`` and
            ``subtract_mean=False`` (Kaldi's online feature pipeline; the frame is
            ``frame_length``, the hop ``frame_shift``); or a list
            ``[Spectrogram or MelSpectrogram, PCEN]`` (or a ``keras.Sequential`` of them): PCEN on
            the streamed energies, its recursive smoother carried across chunks. Other layers or
            settings raise :class:`~audioflow.errors.ParameterError`. The layers' weights are
            used as they are at each call (a trained filterbank or PCEN included).

    Shapes: :meth:`process` takes ``(batch, n)`` or ``(batch, n, channels)`` chunks, any
    ``n >= 0``, and returns ``(batch, new_frames, ...)`` like the layer's output (possibly 0
    frames). The batch size (and channels) are fixed by the first chunk until :meth:`reset`;
    another batch size raises :class:`~audioflow.errors.ParameterError` (the stream's state is
    per example).

    Parity: over chunks of any sizes, the concatenated outputs equal ``layer(whole_signal)``
    (tested to 1e-5 relative, dB to 0.01 dB, on TensorFlow, JAX and PyTorch). Frames are made in
    compiled blocks of 1, 8 or 64 frames, so any chunking compiles at most three shapes.

    Example:
        >>> layer = LogMelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160, n_mels=40,
        ...                           center=False, top_db=None)
        >>> stream = StreamingFrontEnd(layer)
        >>> stream.process(np.zeros((1, 160), "float32")).shape   # not a whole frame yet
        (1, 0, 40)
        >>> stream.process(np.zeros((1, 480), "float32")).shape   # 640 samples: 2 frames
        (1, 2, 40)
    """

    def __init__(self, layer):
        parts = list(layer.layers) if isinstance(layer, keras.Sequential) else layer
        parts = list(parts) if isinstance(parts, Sequence) else [parts]
        check_streaming_parts(
            [_type_name(part) for part in parts],
            tuple(kind.__name__ for kind in _FRAMING),
            tuple(kind.__name__ for kind in _ENERGIES),
        )
        self.layer = parts[0]
        self.pcen = parts[1] if len(parts) == 2 else None
        if isinstance(self.layer, _KALDI):
            # Kaldi's online pipeline: snip_edges=True frames depend on their own samples only.
            check_streamable_kaldi(self.layer.snip_edges, self.layer.subtract_mean, self.layer.min_duration)
            self.n_fft = self.layer._framing.window_size
            self.hop_length = self.layer._framing.window_shift
        else:
            check_streamable_settings(
                self.layer.center, getattr(self.layer, "ref", None), getattr(self.layer, "top_db", None)
            )
            config = StftConfig(
                **{f.name: getattr(self.layer, f.name) for f in dataclasses.fields(StftConfig)}
            )
            self.n_fft = config.n_fft
            self.hop_length = config.resolved_hop_length
        self._blocks = {}
        self.reset()

    def reset(self):
        """Forget the stream: the leftover samples, PCEN's state, the batch size."""
        self._leftover = None
        self._pcen_state = None
        self._stream_shape = None

    @property
    def pending_samples(self) -> int:
        """Samples received but not yet used up by whole frames (a frame's tail waits for the next chunk)."""
        return 0 if self._leftover is None else int(self._leftover.shape[1])

    def process(self, chunk):
        """The frames completed by ``chunk`` (the next samples of the stream), ``(batch, new_frames, ...)``."""
        chunk = np.asarray(keras.ops.convert_to_numpy(chunk))
        shape = tuple(chunk.shape)
        check_chunk(shape, self._stream_shape)
        if self._stream_shape is None:
            self._start(shape)
        buffer = np.concatenate([self._leftover, chunk.astype(self._leftover.dtype, copy=False)], axis=1)
        total = num_frames(int(buffer.shape[1]), n_fft=self.n_fft, hop_length=self.hop_length, center=False)
        outputs, first = [], 0
        for size in _block_sizes(total):
            start = first * self.hop_length
            segment = buffer[:, start : start + (size - 1) * self.hop_length + self.n_fft]
            frames, self._pcen_state = self._block(size, self._pcen_state is None)(segment, self._pcen_state)
            outputs.append(frames)
            first += size
        self._leftover = buffer[:, total * self.hop_length :]
        if not outputs:
            return ops.zeros((shape[0], 0) + self._frame_shape, dtype=self._output_dtype)
        return outputs[0] if len(outputs) == 1 else ops.concatenate(outputs, axis=1)

    @property
    def warmup_frames(self) -> int:
        """Frames a step model makes on its zero history before the stream's first frame: drop them."""
        return -(-self.n_fft // self.hop_length) - 1

    def step_model(self, chunk_samples: int, *, batch_size: int | None = None) -> keras.Model:
        """This front end as a Keras model ``[chunk, *state] -> [frames, *new_state]``, for export.

        Args:
            chunk_samples: samples per step, a multiple of ``hop_length`` (160 = 10 ms at 16 kHz
                with ``hop_length=160``); each step then makes ``chunk_samples // hop_length`` frames.
            batch_size: a fixed batch size, or None (any).

        Inputs: ``chunk`` ``(batch, chunk_samples)`` and the state named in :meth:`step_state_names`:
        ``history`` (the last ``(ceil(n_fft / hop) - 1) * hop`` samples), and with PCEN
        ``pcen_state`` ``(batch, 1, bins)`` and ``warmup_frames`` ``(batch, 1)``. Outputs: the frames
        ``(batch, chunk_samples // hop_length, ...)`` and the new state, in the same order. Start
        from :meth:`initial_step_state`, feed each step's state to the next, and drop the stream's
        first :attr:`warmup_frames` frames (computed on the zero history); the rest equal
        :meth:`process` on the same chunks. Single-channel ``(batch, samples)`` chunks only; PCEN
        needs ``initial_state="librosa"``. Pure tensors in and out, so it exports to SavedModel,
        TFLite and ONNX like any Keras model. Without state (``n_fft <= hop_length``, no PCEN)
        it is ``frames = model(chunk)``.

        Example:
            >>> model = stream.step_model(160)
            >>> state = stream.initial_step_state(1)
            >>> frames, *state = model([chunk, *state])   # chunk: (1, 160) float32
        """
        return step_model(self, chunk_samples, batch_size=batch_size)

    def step_state_names(self) -> list[str]:
        """Names of the step model's state inputs (and outputs after ``frames``), in order."""
        return list(step_state_shapes(self))

    def initial_step_state(self, batch_size: int) -> list:
        """The step model's state before a stream's first chunk (float32 NumPy arrays)."""
        return initial_step_state(self, batch_size)

    def _start(self, shape):
        """Build the layers for the stream's chunk shape; start with no leftover samples."""
        self._stream_shape = (shape[0], None) + shape[2:]
        frame_input = (None, self.n_fft) + shape[2:]
        if not self.layer.built:
            self.layer.build(frame_input)
        output = self.layer.compute_output_shape(frame_input)
        if self.pcen is not None and not self.pcen.built:
            self.pcen.build(output)
        if self.pcen is not None and self.pcen.initial_state == "librosa":
            # librosa's start as a tensor, so the first chunk runs the same compiled blocks as the rest.
            self._pcen_state = ops.ones((shape[0],) + shape[2:] + (1, output[2]))
        self._frame_shape = tuple(output[2:])
        final = self.pcen if self.pcen is not None else self.layer
        self._output_dtype = final.compute_dtype
        dtype = "float64" if self.layer.compute_dtype == "float64" else "float32"
        self._leftover = np.zeros((shape[0], 0) + shape[2:], dtype=dtype)

    def _block(self, frames: int, first: bool):
        """The compiled computation of ``frames`` frames from their samples (and PCEN's state)."""
        key = (frames, first)
        if key not in self._blocks:
            layers = [self.layer] + ([self.pcen] if self.pcen is not None else [])
            # A new function for each block: TensorFlow then traces each one once, without warnings.
            self._blocks[key] = compiled(lambda segment, state: self._frames(segment, state), layers)
        return self._blocks[key]

    def _frames(self, segment, pcen_state):
        """Frames of ``segment`` ``(batch, samples[, channels])`` and PCEN's state after them."""
        frames = self.layer.call(segment)
        if self.pcen is None:
            return frames, pcen_state
        return pcen_frames(self.pcen, frames, pcen_state)


def _block_sizes(frames: int):
    """``frames`` as a sum of block sizes, largest first (at most seven of each size below 64)."""
    for size in _BLOCK_FRAMES:
        while frames >= size:
            yield size
            frames -= size
