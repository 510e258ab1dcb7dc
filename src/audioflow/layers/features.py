"""Feature layers: MFCC from waveforms, Delta on any time-major features."""

from __future__ import annotations

from audioflow import ops as af
from audioflow._validation import check_delta_args, check_mfcc_args, parameter_error
from audioflow.layers.base import AudioLayer, serializable
from audioflow.layers.spectral import LogMelSpectrogram


@serializable
class MFCC(LogMelSpectrogram):
    """MFCCs: ``(batch, samples[, channels])`` -> ``(batch, frames, n_mfcc[, channels])``.

    The DCT (``dct_type``, ``dct_norm``, ``lifter``) of the dB log-mel spectrogram, as
    ``librosa.feature.mfcc``, whose defaults these are: ``MFCC()(x)[b]`` equals
    ``librosa.feature.mfcc(y=x[b]).T``. ``norm`` is the mel filterbank's norm, as everywhere in
    audioflow (librosa calls the DCT's ``norm`` and the filterbank's ``mel_norm``). tf.signal's
    ``mfccs_from_log_mel_spectrograms`` scales by ``rsqrt(2 n_mels)`` and uses natural-log mels:
    its coefficients differ from these.
    """

    def __init__(
        self,
        sample_rate=22050,
        n_fft=2048,
        win_length=None,
        hop_length=None,
        window="hann",
        center=True,
        pad_mode="constant",
        power=2.0,
        n_mels=128,
        f_min=0.0,
        f_max=None,
        htk=False,
        norm="slaney",
        top_db=80.0,
        ref=1.0,
        amin=1e-10,
        n_mfcc=20,
        dct_type=2,
        dct_norm="ortho",
        lifter=0.0,
        **kwargs,
    ):
        super().__init__(
            sample_rate,
            n_fft,
            win_length,
            hop_length,
            window,
            center,
            pad_mode,
            power,
            n_mels,
            f_min,
            f_max,
            htk,
            norm,
            top_db,
            ref,
            amin,
            **kwargs,
        )
        check_mfcc_args(n_mfcc, n_mels, dct_type, dct_norm, lifter, norm_name="dct_norm")
        self.n_mfcc, self.dct_type, self.dct_norm, self.lifter = n_mfcc, dct_type, dct_norm, lifter
        self._remember(n_mfcc=n_mfcc, dct_type=dct_type, dct_norm=dct_norm, lifter=lifter)
        self._dct = af.dct_matrix(n_mfcc, n_mels, dct_type=dct_type, norm=dct_norm, lifter=lifter)

    def _spectrogram(self, signals):
        return af.apply_filterbank(super()._spectrogram(signals), self._dct)

    def compute_output_shape(self, input_shape):
        return self._bins_shape(input_shape, self.n_mfcc)


@serializable
class Delta(AudioLayer):
    """Savitzky-Golay time derivative of ``(batch, frames, bins[, channels])`` features, same shape out.

    Equals ``librosa.feature.delta(features, width=width, order=order)`` along the frame axis.
    Needs at least ``width`` frames (checked at build time when the frame count is known).
    """

    input_ranks = (3, 4)
    input_layout = "(batch, frames, bins) or (batch, frames, bins, channels)"

    def __init__(self, width=9, order=1, **kwargs):
        super().__init__(**kwargs)
        check_delta_args(width, order)
        self.width, self.order = width, order
        self._remember(width=width, order=order)

    def build(self, input_shape):
        super().build(input_shape)
        frames = input_shape[1]
        if frames is not None and frames < self.width:
            raise parameter_error(
                "inputs",
                "at least `width` frames long",
                frames=frames,
                width=self.width,
                hint="Use a smaller odd `width` or longer inputs.",
            )

    def call(self, inputs):
        x = self._compute_input(inputs)
        return self._output(af.delta(x, width=self.width, order=self.order, axis=1))

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
