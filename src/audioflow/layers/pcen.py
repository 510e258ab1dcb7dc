"""PCEN layer: fixed (librosa's numbers) or trainable per channel (the sPCEN of LEAF)."""

from __future__ import annotations

import keras
import numpy as np

from audioflow._compat import ops
from audioflow._validation import check_choice, check_number, check_pcen_args, parameter_error
from audioflow.layers._arguments import takes_op_arguments
from audioflow.layers.base import AudioLayer, serializable
from audioflow.ops.pcen import (
    exponential_moving_average,
    max_filter_bins,
    pcen,
    pcen_compress,
    smoothing_coefficient,
)

INITIAL_STATES = ("librosa", "first_frame")


@serializable
class PCEN(AudioLayer):
    """Per-channel energy normalisation of spectra ``(batch, frames, bins[, channels])``.

    With ``trainable=False`` (default) it is ``librosa.pcen`` with the same arguments (time-major;
    to 1e-5 relative in float32, see :func:`audioflow.ops.pcen`). With ``trainable=True`` it is the
    trainable PCEN of Wang et al. (2017) with the per-channel learnable smoother of LEAF's sPCEN
    (Zeghidour et al. 2021): gain, bias, power and smoothing coefficient are one weight per bin,
    initialised to the arguments. Gain, bias and power are learnt as logarithms (they stay
    positive); the smoothing coefficient is clipped to [0, 1], as LEAF does. Weights are float32
    and the maths runs in float32 under ``mixed_float16``.

    Args:
        sample_rate: Hz of the audio behind the spectra (librosa ``sr``).
        hop_length: samples between frames (librosa ``hop_length``).
        gain: > 0, librosa ``gain`` (alpha), default 0.98.
        bias: > 0, librosa ``bias`` (delta), default 2.
        power: > 0, librosa ``power`` (r), default 0.5 (for power 0 or bias 0 use the op).
        time_constant: seconds (> 0), used when ``b`` is None.
        eps: > 0, librosa ``eps``.
        b: smoothing coefficient in [0, 1], or None for librosa's value from ``time_constant``.
        max_size: smooth the maximum over this many neighbouring bins (librosa ``max_size``).
        initial_state: the smoother's start: "librosa" (energy 1 before the first frame, as
            ``librosa.pcen``) or "first_frame" (the first frame's energy, as LEAF).
        trainable: learn the per-channel parameters (default False: librosa's fixed values).

    Shapes: ``(batch, frames, bins[, channels])`` -> the same; ``bins`` must be known at build
    (one parameter per bin, shared by the audio channels). Input must be non-negative energies
    (magnitude, power or mel spectrogram, not dB); see :func:`audioflow.ops.pcen` for negative input.

    Example:
        >>> mel = MelSpectrogram(sample_rate=16000, n_fft=400, hop_length=160, n_mels=40, power=1.0)
        >>> features = PCEN(sample_rate=16000, hop_length=160, trainable=True)(mel(waveforms))
    """

    input_layout = "(batch, frames, bins) or (batch, frames, bins, channels)"

    @takes_op_arguments(pcen, but=("initial_state", "return_state"))
    def __init__(self, op_arguments, *, initial_state="librosa", trainable=False, **kwargs):
        super().__init__(trainable=trainable, **kwargs)
        check_pcen_args(**op_arguments)
        for name in ("gain", "bias", "power"):  # learnt as logarithms
            check_number(name, op_arguments[name], exclusive_minimum=0.0)
        check_choice("initial_state", initial_state, INITIAL_STATES)
        self._keep_arguments(dict(op_arguments, initial_state=initial_state))
        self._smoothing = (
            smoothing_coefficient(self.sample_rate, self.hop_length, self.time_constant)
            if self.b is None
            else float(self.b)
        )
        self.input_spec = keras.InputSpec(min_ndim=3, max_ndim=4)

    def build(self, input_shape):
        super().build(input_shape)
        bins = input_shape[2]
        if bins is None:
            raise parameter_error(
                "inputs",
                "of known size on the bins axis (one parameter per bin)",
                input_shape=tuple(input_shape),
            )

        def weight(name, value):
            return self.add_weight(
                name=name,
                shape=(bins,),
                initializer=keras.initializers.Constant(float(value)),
                dtype="float32",
            )

        self.log_gain = weight("log_gain", np.log(self.gain))
        self.log_bias = weight("log_bias", np.log(self.bias))
        self.log_power = weight("log_power", np.log(self.power))
        self.smoothing = weight("smoothing", self._smoothing)

    def _transform(self, x):
        rank = len(x.shape)
        S = ops.transpose(x, (0, 3, 1, 2)) if rank == 4 else x  # (batch[, channels], frames, bins)
        out, _ = self._normalise(S)
        return ops.transpose(out, (0, 2, 3, 1)) if rank == 4 else out

    def _normalise(self, S, start=None, hold=None):
        """PCEN of ``S`` ``(batch[, channels], frames, bins)`` and the smoother state after its last frame.

        ``start`` is the state before the first frame, ``(batch[, channels], 1, bins)`` (None: as
        ``initial_state`` says); frames where ``hold`` (broadcastable to ``(..., frames, 1)``) is
        true leave the state as it is (a stream's warm-up). Streaming carries the state from call to call.
        """
        energy = max_filter_bins(S, self.max_size)
        if start is None:
            start = energy[..., :1, :] if self.initial_state == "first_frame" else 1.0
        if hold is not None:
            energy = ops.where(hold, start * ops.ones_like(energy), energy)
        smoothing = ops.clip(ops.cast(self.smoothing, S.dtype), 0.0, 1.0)
        M = exponential_moving_average(energy, smoothing, initial_state=start)
        out = pcen_compress(
            S,
            M,
            gain=ops.exp(ops.cast(self.log_gain, S.dtype)),
            bias=ops.exp(ops.cast(self.log_bias, S.dtype)),
            power=ops.exp(ops.cast(self.log_power, S.dtype)),
            eps=self.eps,
        )
        return out, M[..., -1:, :]

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
