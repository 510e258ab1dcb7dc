"""Feature layers: MFCC (a LogMelSpectrogram and a DCT) and Delta on any time-major features."""

from __future__ import annotations

import keras

from audioflow import ops as af
from audioflow._validation import check_delta_args, check_mfcc_args, parameter_error
from audioflow.config import python_value
from audioflow.layers.base import AudioLayer, on_axis, serializable
from audioflow.layers.mel import LogMelSpectrogram


@serializable
class MFCC(AudioLayer):
    """Mel-frequency cepstral coefficients of waveforms: a :class:`LogMelSpectrogram` and a DCT.

    ``MFCC()(x)[b]`` equals ``librosa.feature.mfcc(y=x[b]).T``: the DCT (orthonormal DCT-II by
    default) over the mel axis of the dB log-mel spectrogram (``top_db=80``).

    Args:
        sample_rate: of the input in Hz (librosa ``sr``, Keras ``sampling_rate``); default 22050.
        n_fft: FFT size in samples (Keras/tf.signal ``fft_length``); 2048 = 93 ms at 22.05 kHz.
        hop_length: samples between frames (Keras ``sequence_stride``, tf.signal ``frame_step``);
            None means ``win_length // 4`` (512).
        win_length: window length <= ``n_fft`` (Keras ``sequence_length``); None means ``n_fft``.
        window: "hann" (default), "hamming", "blackman", "bartlett", "kaiser", "rectangular",
            ("kaiser", beta) or an array of ``win_length`` samples; periodic, as scipy/librosa.
        center: pad ``n_fft // 2`` samples on both sides so frames are centred (librosa).
        pad_mode: "constant" (zeros, librosa), "reflect" (torchaudio, Keras), "edge", "symmetric"
            or "wrap" (as ``np.pad``).
        power: exponent of the STFT magnitude, > 0 (2.0 power, 1.0 magnitude).
        n_mels: mel bands (Keras/tf.signal ``num_mel_bins``); default 128.
        f_min, f_max: filter edges in Hz (librosa ``fmin``/``fmax``, Keras ``min_freq``/``max_freq``);
            ``f_max`` <= ``sample_rate / 2``, None meaning ``sample_rate / 2``.
        mel_scale: "slaney" (librosa) or "htk" (tf.signal, Keras); ``htk=True`` is the older
            spelling of ``mel_scale="htk"`` (librosa, audioflow 0.1.0).
        norm: the mel filterbank's normalisation: "slaney" (unit area), None (peak 1) or a
            p-norm (librosa's ``mfcc`` calls the DCT's ``norm``: pass that as ``dct_norm``).
        trainable_filterbank: learn the mel filterbank weight (default False: librosa's, fixed).
        top_db: dynamic range in dB kept below each example's maximum (default 80; None: all).
        ref: power mapped to 0 dB (> 0, default 1.0), or "max" for each example's maximum.
        amin: smallest power considered (> 0, default 1e-10).
        n_mfcc: coefficients kept, 1 <= ``n_mfcc`` <= ``n_mels`` (librosa/torchaudio ``n_mfcc``,
            tf.signal keeps all and you slice).
        dct_type: 1, 2 or 3 (librosa ``dct_type``; torchaudio and tf.signal use 2).
        dct_norm: "ortho" (orthonormal, librosa's default) or None (librosa ``norm``).
        lifter: sinusoidal liftering ``1 + (lifter / 2) sin(pi (k + 1) / lifter)`` when > 0
            (librosa ``lifter``; 22 is common); 0 for none.
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

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window="hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float = 2.0,
        n_mels: int = 128,
        f_min: float = 0.0,
        f_max: float | None = None,
        mel_scale: str = "slaney",
        htk: bool | None = None,
        norm="slaney",
        trainable_filterbank: bool = False,
        top_db: float | None = 80.0,
        ref=1.0,
        amin: float = 1e-10,
        n_mfcc: int = 20,
        dct_type: int = 2,
        dct_norm: str | None = "ortho",
        lifter: float = 0.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.log_mel_spectrogram = LogMelSpectrogram(
            sample_rate=sample_rate,
            n_fft=n_fft,
            hop_length=hop_length,
            win_length=win_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
            power=power,
            n_mels=n_mels,
            f_min=f_min,
            f_max=f_max,
            mel_scale=mel_scale,
            htk=htk,
            norm=norm,
            trainable_filterbank=trainable_filterbank,
            top_db=top_db,
            ref=ref,
            amin=amin,
            name="log_mel_spectrogram",
        )
        self._adopt_arguments(self.log_mel_spectrogram)
        n_mfcc, dct_type, dct_norm, lifter = map(python_value, (n_mfcc, dct_type, dct_norm, lifter))
        check_mfcc_args(n_mfcc, self.n_mels, dct_type, dct_norm, lifter, norm_name="dct_norm")
        self.n_mfcc, self.dct_type, self.dct_norm, self.lifter = n_mfcc, dct_type, dct_norm, lifter
        self._remember(n_mfcc=n_mfcc, dct_type=dct_type, dct_norm=dct_norm, lifter=lifter)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        super().build(input_shape)
        self.log_mel_spectrogram.build(input_shape)

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
