"""Feature layers: MFCC (a LogMelSpectrogram and a DCT) and Delta on any time-major features."""

from __future__ import annotations

import keras

from audioflow import ops as af
from audioflow._arguments import argument_names, arguments_for, keyword_arguments
from audioflow._validation import check_delta_args, check_mfcc_args, parameter_error
from audioflow.config import python_value
from audioflow.layers.base import AudioLayer, on_axis, serializable
from audioflow.layers.mel import LogMelSpectrogram

_DCT_ARGUMENTS = ("n_mfcc", "dct_type", "dct_norm", "lifter")


@serializable
@keyword_arguments(
    *argument_names(LogMelSpectrogram),
    *_DCT_ARGUMENTS,
    docs={
        "norm": 'the mel filterbank\'s normalisation: "slaney" (unit area), None (peak 1) or a p-norm\n'
        "(librosa's ``mfcc`` calls the DCT's ``norm``: pass that as ``dct_norm``)."
    },
)
class MFCC(AudioLayer):
    """Mel-frequency cepstral coefficients of waveforms: a :class:`LogMelSpectrogram` and a DCT.

    ``MFCC()(x)[b]`` equals ``librosa.feature.mfcc(y=x[b]).T``: the DCT (orthonormal DCT-II by
    default) over the mel axis of the dB log-mel spectrogram (``top_db=80``).

    Args:
        {arguments}
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_mfcc)``; ``(batch, samples, channels)``
    -> ``(batch, frames, n_mfcc, channels)``.

    Parity: ``librosa.feature.mfcc`` to a relative error below 1e-5. tf.signal's
    ``mfccs_from_log_mel_spectrograms`` scales by ``rsqrt(2 n_mels)`` and uses natural-log mels,
    and torchaudio's ``MFCC`` uses a batch-wide ``top_db`` floor: their coefficients differ.

    Example:
        >>> MFCC(sample_rate=16000, n_mfcc=13, n_mels=40)(np.zeros((2, 16000), "float32")).shape
        (2, 32, 13)
    """

    def __init__(self, arguments: dict, *, allow_more_channels_than_samples: bool = False, **kwargs):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.log_mel_spectrogram = LogMelSpectrogram(
            **arguments_for(LogMelSpectrogram, arguments), name="log_mel_spectrogram"
        )
        self._adopt_arguments(self.log_mel_spectrogram)
        dct = {name: python_value(arguments[name]) for name in _DCT_ARGUMENTS}
        check_mfcc_args(
            dct["n_mfcc"], self.n_mels, dct["dct_type"], dct["dct_norm"], dct["lifter"], norm_name="dct_norm"
        )
        self._keep_arguments(dct)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.log_mel_spectrogram)

    def _transform(self, x):
        log_mel = self.log_mel_spectrogram._transform(x)
        dct = dict(n_mfcc=self.n_mfcc, dct_type=self.dct_type, norm=self.dct_norm, lifter=self.lifter)
        return on_axis(lambda S: af.mfcc(S, **dct), log_mel, 2)

    def compute_output_shape(self, input_shape):
        shape = self.log_mel_spectrogram.compute_output_shape(input_shape)
        return shape[:2] + (self.n_mfcc,) + tuple(shape[3:])


@serializable
class Delta(AudioLayer):
    """Savitzky-Golay time derivative (delta, delta-delta) of time-major features.

    Args:
        width: odd window length in frames, >= 3 (librosa ``width``, default 9; torchaudio
            ``win_length``); inputs need at least ``width`` frames.
        order: derivative order, ``1 <= order < width`` (librosa ``order``; 1 delta, 2 delta-delta).
        mode: edge handling, librosa ``mode``: "interp" (default, a polynomial fit over the first
            and last ``width`` frames; needs at least ``width`` frames), or "nearest", "mirror",
            "constant", "wrap" (any number of frames).
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, frames, bins)`` or ``(batch, frames, bins, channels)``, same shape out.

    Parity: equals ``librosa.feature.delta(features, width=width, order=order, mode=mode)`` along the
    frame axis. torchaudio's ``ComputeDeltas`` and kapre use a regression formula with
    replicated edges: different near the edges and in scale.

    Example:
        >>> log_mel = LogMelSpectrogram(n_mels=40)(x)
        >>> features = keras.ops.concatenate([log_mel, Delta()(log_mel), Delta(order=2)(log_mel)], -1)
    """

    input_layout = "(batch, frames, bins) or (batch, frames, bins, channels)"

    def __init__(self, *, width: int = 9, order: int = 1, mode: str = "interp", **kwargs):
        super().__init__(**kwargs)
        self._width, self._order, self._mode = check_delta_args(width, order, mode)
        self.width, self.order, self.mode = width, order, mode
        self._remember(width=width, order=order, mode=mode)
        self.input_spec = keras.InputSpec(min_ndim=3, max_ndim=4)

    def build(self, input_shape):
        super().build(input_shape)
        frames = input_shape[1]
        if self._mode == "interp" and frames is not None and frames < self._width:
            raise parameter_error(
                "inputs",
                "at least `width` frames long",
                frames=frames,
                width=self._width,
                hint="Use a smaller odd `width`, longer inputs, or another `mode` (e.g. 'nearest').",
            )

    def _transform(self, x):
        return af.delta(x, width=self._width, order=self._order, mode=self._mode, axis=1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
