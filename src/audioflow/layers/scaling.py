"""Decibel layers on spectra ``(batch, frames, bins[, channels])``: PowerToDb, AmplitudeToDb."""

from __future__ import annotations

import keras

from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_db_args
from audioflow.config import DecibelConfig, python_value
from audioflow.layers.base import AudioLayer, serializable
from audioflow.ops.scaling import _amplitude_to_db, _power_to_db

# Each example's (and channel's) own time and frequency axes.
_EXAMPLE_AXES = (1, 2)


class _DecibelLayer(AudioLayer):
    """Shared construction of the two dB layers (``amin=None`` means the layer's own default)."""

    input_layout = "(batch, frames, bins) or (batch, frames, bins, channels)"
    _default_amin = 1e-10
    _amplitude = False

    def __init__(
        self,
        *,
        ref: float | str = 1.0,
        amin: float | None = None,
        top_db: float | None = 80.0,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        ref, amin, top_db = python_value(ref), python_value(amin), python_value(top_db)
        self.db_config = DecibelConfig(
            ref=ref, amin=self._default_amin if amin is None else amin, top_db=top_db
        )
        if self._amplitude:  # amin ** 2 must be a float32 number
            check_db_args(ref, self.db_config.amin, top_db, amplitude=True)
        self._keep_arguments(dict(ref=ref, amin=amin, top_db=top_db))
        self._ref, self._amin, self._top_db = self.db_config.resolved()
        self.input_spec = keras.InputSpec(min_ndim=3, max_ndim=4)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)


@serializable
class PowerToDb(_DecibelLayer):
    """Power spectrogram to decibels, per example: ``10 log10(max(amin, S) / ref)``, floored.

    Args:
        ref: the power mapped to 0 dB (> 0), or "max" for each example's own maximum (librosa
            ``ref=np.max``; torchaudio ``AmplitudeToDB`` has no reference). Default: ``1.0``.
        amin: smallest power considered (> 0; None means librosa's 1e-10, torchaudio ``amin``),
            so silence gives a finite ``10 log10(amin / ref)`` dB. Default: ``None``.
        top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all
            (librosa ``top_db``, torchaudio ``AmplitudeToDB(top_db=...)``). Default: ``80.0``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Shapes: ``(batch, frames, bins[, channels])`` -> the same shape, in dB.

    Parity: ``librosa.power_to_db(S[b].T, ref=..., amin=..., top_db=...).T`` for each example
    (to 1e-3 dB). The maximum behind ``top_db`` and ``ref="max"`` is taken over each example's
    (and channel's) frames and bins, never across the batch (Keras' ``MelSpectrogram`` takes the
    batch's; kapre applies the power formula to magnitudes).

    Example:
        >>> PowerToDb(ref="max", top_db=60.0)(Spectrogram(n_fft=512)(x))  # 0 dB at each clip's peak
    """

    def __init__(
        self,
        *,
        ref: float | str = 1.0,
        amin: float | None = None,
        top_db: float | None = 80.0,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(ref=ref, amin=amin, top_db=top_db, **kwargs)

    def _transform(self, S):
        return _power_to_db(S, ref=self._ref, amin=self._amin, top_db=self._top_db, axis=_EXAMPLE_AXES)


@serializable
class AmplitudeToDb(_DecibelLayer):
    """Magnitude spectrogram to decibels, per example: ``20 log10(max(amin, S) / ref)``, floored.

    Args:
        ref: the magnitude mapped to 0 dB (> 0), or "max" for each example's own maximum.
            Default: ``1.0``.
        amin: smallest magnitude considered (> 0; None means librosa's 1e-5); ``amin ** 2`` must
            be a normal float32 number. Default: ``None``.
        top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all
            (librosa ``top_db``, torchaudio ``AmplitudeToDB(top_db=...)``). Default: ``80.0``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Shapes: ``(batch, frames, bins[, channels])`` -> the same shape, in dB.

    Parity: ``librosa.amplitude_to_db`` applied to each example (to 1e-3 dB): the power formula on
    ``S ** 2`` with ``ref ** 2`` and ``amin ** 2``. torchaudio's ``AmplitudeToDB(stype="magnitude")``
    takes no reference and a batch-wide ``top_db`` floor.

    Example:
        >>> AmplitudeToDb()(Spectrogram(n_fft=512, power=1.0)(x))
    """

    _default_amin = 1e-5
    _amplitude = True

    def __init__(
        self,
        *,
        ref: float | str = 1.0,
        amin: float | None = None,
        top_db: float | None = 80.0,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(ref=ref, amin=amin, top_db=top_db, **kwargs)

    def _transform(self, S):
        return _amplitude_to_db(S, ref=self._ref, amin=self._amin, top_db=self._top_db, axis=_EXAMPLE_AXES)
