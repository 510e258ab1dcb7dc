"""A streaming front end as one Keras step ``(chunk, state...) -> (frames, new_state...)``, for export.

A fixed chunk of ``k * hop_length`` samples makes exactly ``k`` frames when it follows a history of
the last ``m * hop_length`` samples, ``m = ceil(n_fft / hop_length) - 1``: the frames that end in
the chunk. The history starts as zeros, so the stream's first ``m`` frames out of the step model
are warm-up frames computed on those zeros: drop them (``warmup_frames``). PCEN's smoother state
is carried as well, held still through the warm-up frames by a count of them left (also state).
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

from audioflow._validation import check_chunk_samples, check_step_pcen
from audioflow.layers import PCEN


def history_samples(n_fft: int, hop_length: int) -> int:
    """Samples a step keeps from earlier chunks: ``(ceil(n_fft / hop_length) - 1) * hop_length``."""
    return (math.ceil(n_fft / hop_length) - 1) * hop_length


@keras.saving.register_keras_serializable(package="audioflow")
class StreamingStep(keras.layers.Layer):
    """One step of a stream: ``[chunk, *state] -> [frames, *new_state]`` (see :func:`step_model`).

    Saved with its frame layer and PCEN, so a step model reloads from ``.keras`` (the JAX backend's
    TFLite and ONNX exports re-trace it under TensorFlow that way).
    """

    def __init__(self, layer, pcen, *, n_fft: int, hop_length: int, chunk_samples: int, **kwargs):
        super().__init__(**kwargs)
        self.frame_layer, self.pcen = layer, pcen
        self.hop_length = hop_length
        self.history = history_samples(n_fft, hop_length)
        self.frames_per_step = chunk_samples // hop_length
        self._arguments = dict(n_fft=n_fft, hop_length=hop_length, chunk_samples=chunk_samples)

    def get_config(self):
        return {
            **super().get_config(),
            **self._arguments,
            "layer": keras.saving.serialize_keras_object(self.frame_layer),
            "pcen": None if self.pcen is None else keras.saving.serialize_keras_object(self.pcen),
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = keras.saving.deserialize_keras_object(config.pop("layer"))
        pcen = config.pop("pcen")
        return cls(layer, None if pcen is None else keras.saving.deserialize_keras_object(pcen), **config)

    def build(self, input_shapes):
        buffer = (input_shapes[0][0], self.history + input_shapes[0][1])
        if not self.frame_layer.built:
            self.frame_layer.build(buffer)
        if self.pcen is not None and not self.pcen.built:
            self.pcen.build(self.frame_layer.compute_output_shape(buffer))
        self.built = True

    def call(self, inputs):
        chunk, *state = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        history = state.pop(0) if self.history else None
        buffer = chunk if history is None else ops.concatenate([history, chunk], axis=1)
        frames = self.frame_layer.call(buffer)
        new_state = [buffer[:, -self.history :]] if self.history else []
        if self.pcen is not None:
            pcen_state, warmup = state
            index = ops.cast(ops.arange(self.frames_per_step), warmup.dtype)
            hold = index[None, :, None] < warmup[:, :, None]  # (batch, frames, 1): warm-up frames
            frames, pcen_state = pcen_frames(self.pcen, frames, pcen_state, hold)
            new_state += [pcen_state, ops.maximum(warmup - float(self.frames_per_step), 0.0)]
        return [frames, *new_state]


def step_model(front_end, chunk_samples: int, *, batch_size: int | None = None) -> keras.Model:
    """A Keras model ``(chunk, *state) -> (frames, *new_state)`` for fixed chunks of ``chunk_samples``.

    Built for :meth:`audioflow.streaming.StreamingFrontEnd.step_model` (see there).
    """
    hop = front_end.hop_length
    chunk_samples = check_chunk_samples(chunk_samples, hop)
    if front_end.pcen is not None:
        check_step_pcen(front_end.pcen.initial_state)
    inputs = [keras.Input((chunk_samples,), batch_size=batch_size, name="chunk")]
    for name, shape in step_state_shapes(front_end).items():
        inputs.append(keras.Input(shape, batch_size=batch_size, name=name))
    step = StreamingStep(
        front_end.layer, front_end.pcen, n_fft=front_end.n_fft, hop_length=hop, chunk_samples=chunk_samples
    )
    outputs = step(inputs)
    if len(inputs) == 1:  # no state (n_fft <= hop_length, no PCEN): chunk in, frames out
        inputs, outputs = inputs[0], outputs[0]
    return StreamingStepModel(inputs, outputs, name="streaming_step")


@keras.saving.register_keras_serializable(package="audioflow")
class StreamingStepModel(keras.Model):
    """The functional step model, callable on a NumPy chunk with the tensors a step returned.

    ``frames, *state = model([chunk, *state])`` mixes a NumPy ``chunk`` with the state tensors the
    previous step returned, which a plain functional model refuses ("cannot mix tensors and
    non-tensors"): arrays are made tensors first.
    """

    def __call__(self, inputs, *args, **kwargs):
        if isinstance(inputs, (list, tuple)):
            inputs = [x if _is_tensor(x) else ops.convert_to_tensor(x) for x in inputs]
        return super().__call__(inputs, *args, **kwargs)


def _is_tensor(x) -> bool:
    return x is None or isinstance(x, keras.KerasTensor) or ops.is_tensor(x)


def step_state_shapes(front_end) -> dict:
    """The step model's state inputs (in order) and their shapes without the batch axis."""
    shapes = {}
    history = history_samples(front_end.n_fft, front_end.hop_length)
    if history:
        shapes["history"] = (history,)
    if front_end.pcen is not None:
        bins = front_end.layer.compute_output_shape((None, front_end.n_fft))[2]
        shapes["pcen_state"] = (1, bins)
        shapes["warmup_frames"] = (1,)
    return shapes


def initial_step_state(front_end, batch_size: int) -> list:
    """The state before a stream's first chunk, as float32 NumPy arrays (zeros; PCEN's smoother at 1)."""
    warmup = math.ceil(front_end.n_fft / front_end.hop_length) - 1
    state = []
    for name, shape in step_state_shapes(front_end).items():
        value = {"pcen_state": 1.0, "warmup_frames": float(warmup)}.get(name, 0.0)
        state.append(np.full((batch_size,) + shape, value, dtype="float32"))
    return state


def pcen_frames(pcen: PCEN, frames, state, hold=None):
    """``pcen`` on ``frames`` ``(batch, frames, bins[, channels])`` from the smoother ``state``.

    ``state`` is ``(batch[, channels], 1, bins)``, or None for PCEN's own start; returns the
    normalised frames and the state after them. Frames where ``hold`` is true leave the state alone.
    """
    S = pcen._compute_input(frames)
    rank = len(S.shape)
    if rank == 4:
        S = ops.transpose(S, (0, 3, 1, 2))
    out, state = pcen._normalise(S, state, hold)
    if rank == 4:
        out = ops.transpose(out, (0, 2, 3, 1))
    return pcen._output(out), state
