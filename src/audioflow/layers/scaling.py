"""Decibel layers on spectra ``(batch, frames, bins[, channels])``."""

from __future__ import annotations

from audioflow import ops as af
from audioflow._validation import check_db_args
from audioflow.layers.base import AudioLayer, serializable

# Each example's (and channel's) own time and frequency axes.
_EXAMPLE_AXES = (1, 2)


class _DecibelLayer(AudioLayer):
    input_ranks = (3, 4)
    input_layout = "(batch, frames, bins) or (batch, frames, bins, channels)"
    _default_amin = 1e-10
    _amplitude = False

    def __init__(self, ref=1.0, amin=None, top_db=80.0, **kwargs):
        super().__init__(**kwargs)
        resolved_amin = self._default_amin if amin is None else amin
        check_db_args(ref, resolved_amin, top_db, amplitude=self._amplitude)
        self.ref, self.amin, self.top_db = ref, amin, top_db
        self._amin = resolved_amin
        self._remember(ref=ref, amin=amin, top_db=top_db)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@serializable
class PowerToDb(_DecibelLayer):
    """Power spectrogram to dB, per example: ``librosa.power_to_db`` (``amin`` default 1e-10).

    The maximum behind ``top_db`` and ``ref="max"`` is taken over each example's (and channel's)
    frames and bins, never across the batch.
    """

    def call(self, inputs):
        S = self._compute_input(inputs)
        return self._output(
            af.power_to_db(S, ref=self.ref, amin=self._amin, top_db=self.top_db, axis=_EXAMPLE_AXES)
        )


@serializable
class AmplitudeToDb(_DecibelLayer):
    """Magnitude spectrogram to dB, per example: ``librosa.amplitude_to_db`` (``amin`` default 1e-5)."""

    _default_amin = 1e-5
    _amplitude = True

    def call(self, inputs):
        S = self._compute_input(inputs)
        return self._output(
            af.amplitude_to_db(S, ref=self.ref, amin=self._amin, top_db=self.top_db, axis=_EXAMPLE_AXES)
        )
