"""Feature layers: MFCC (a LogMelSpectrogram and a DCT) and Delta on any time-major features."""

from __future__ import annotations

import keras

from audioflow._typing import LayerArguments, Unpack, Window
from audioflow._validation import check_delta_args, check_mfcc_args, parameter_error
from audioflow.config import python_value
from audioflow.layers.base import AudioLayer, arguments_of, on_axis, serializable
from audioflow.layers.mel import LogMelSpectrogram
from audioflow.ops.features import _delta, _mfcc


@serializable
class MFCC(AudioLayer):
    """Mel-frequency cepstral coefficients of waveforms: a :class:`LogMelSpectrogram` and a DCT.

    ``MFCC()(x)[b]`` equals ``librosa.feature.mfcc(y=x[b]).T``: the DCT (orthonormal DCT-II by
    default) over the mel axis of the dB log-mel spectrogram (``top_db=80``).

    Args:
        sample_rate: of the input in Hz, > 0 (librosa ``sr``, torchaudio ``sample_rate``, Keras
            ``sampling_rate``). Default: ``22050``.
        n_fft: FFT size in samples, from 2 to 2**20 (librosa/torchaudio ``n_fft``, Keras/tf.signal
            ``fft_length``); 2048 samples = 93 ms at 22.05 kHz. Gives ``n_fft // 2 + 1`` bins.
            Default: ``2048``.
        hop_length: samples between frames (librosa/torchaudio ``hop_length``, Keras
            ``sequence_stride``, tf.signal ``frame_step``); None means ``win_length // 4`` (512 for
            the default ``n_fft``). Default: ``None``.
        win_length: window length in samples, <= ``n_fft`` (torchaudio ``win_length``, Keras
            ``sequence_length``, tf.signal ``frame_length``); None means ``n_fft``. A shorter window
            is zero-padded and centred inside ``n_fft``, as librosa does. Default: ``None``.
        window: periodic, as ``scipy.signal.get_window(..., fftbins=True)`` (librosa,
            torchaudio): a name ("hann", "hamming", "blackman", "bartlett", "kaiser",
            "rectangular", any scipy window; "kaiser" alone is ``("kaiser", 12.0)``), a tuple with
            its parameters (``("kaiser", beta)``, ``("tukey", 0.25)``), or ``win_length`` samples as
            an array. See :func:`audioflow.ops.get_window`. Default: ``'hann'``.
        center: pad ``n_fft // 2`` samples on both sides so frame ``t`` is centred at
            ``t * hop_length`` (librosa/torchaudio ``center``). Default: ``True``.
        pad_mode: how ``center`` pads, as ``np.pad``: "constant" (zeros: librosa's default since
            0.9), "reflect" (torchaudio, nnAudio and ``keras.ops.stft``), "edge", "symmetric" or
            "wrap" (which librosa.stft refuses). Padding wider than the signal reflects (wraps)
            repeatedly, as ``np.pad``; an empty signal can only be padded with "constant".
            Default: ``'constant'``.
        power: exponent of the STFT magnitude, > 0: 2.0 the power spectrogram (librosa, torchaudio
            default), 1.0 the magnitude (Keras ``STFTSpectrogram(mode="magnitude")``).
            Default: ``2.0``.
        n_mels: mel bands, >= 1 (librosa/torchaudio ``n_mels``, Keras/tf.signal ``num_mel_bins``).
            Default: ``128``.
        f_min: lowest filter edge in Hz, >= 0 (librosa ``fmin``, Keras ``min_freq``).
            Default: ``0.0``.
        f_max: highest filter edge in Hz, <= ``sample_rate / 2``; None means ``sample_rate / 2``
            (librosa ``fmax``, Keras ``max_freq``). Default: ``None``.
        mel_scale: "slaney" (librosa's default: linear below 1 kHz, logarithmic above) or "htk"
            (``2595 log10(1 + f / 700)``, tf.signal and Keras); torchaudio ``mel_scale``.
            Default: ``'slaney'``.
        htk: the older spelling (librosa ``htk``, audioflow 0.1.0 configs): ``htk=True`` means
            ``mel_scale="htk"``. Accepted so that old configurations load. Default: ``None``.
        norm: the mel filterbank's normalisation: "slaney" (unit area), None (peak 1) or a p-norm
            (librosa's ``mfcc`` calls the DCT's ``norm``: pass that as ``dct_norm``).
            Default: ``'slaney'``.
        trainable_filterbank: learn the mel filterbank weight (False: librosa's filterbank, fixed).
            Default: ``False``.
        ref: the power mapped to 0 dB (> 0), or "max" for each example's own maximum (librosa
            ``ref=np.max``; torchaudio ``AmplitudeToDB`` has no reference). Default: ``1.0``.
        amin: smallest power considered (> 0; torchaudio ``amin``), so silence gives a finite
            ``10 log10(amin / ref)`` dB (-100 dB with the defaults). Default: ``1e-10``.
        top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all
            (librosa ``top_db``, torchaudio ``AmplitudeToDB(top_db=...)``). Default: ``80.0``.
        n_mfcc: coefficients kept, 1 <= ``n_mfcc`` <= ``n_mels`` (librosa/torchaudio ``n_mfcc``;
            tf.signal keeps all and you slice). Default: ``20``.
        dct_type: 1, 2 or 3 (librosa ``dct_type``; torchaudio and tf.signal use 2). Default: ``2``.
        dct_norm: the DCT's normalisation: "ortho" (orthonormal, librosa's default) or None
            (librosa's ``mfcc`` calls it ``norm``). Default: ``'ortho'``.
        lifter: sinusoidal liftering ``1 + (lifter / 2) sin(pi (k + 1) / lifter)`` when > 0
            (librosa ``lifter``; 22 is common); 0 for none. Default: ``0.0``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

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
        window: Window = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        power: float = 2.0,
        n_mels: int = 128,
        f_min: float = 0.0,
        f_max: float | None = None,
        mel_scale: str = "slaney",
        htk: bool | None = None,
        norm: str | float | None = "slaney",
        trainable_filterbank: bool = False,
        ref: float | str = 1.0,
        amin: float = 1e-10,
        top_db: float | None = 80.0,
        n_mfcc: int = 20,
        dct_type: int = 2,
        dct_norm: str | None = "ortho",
        lifter: float = 0.0,
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.log_mel_spectrogram = LogMelSpectrogram(
            **arguments_of(LogMelSpectrogram, locals()), name="log_mel_spectrogram"
        )
        self._adopt_arguments(self.log_mel_spectrogram)
        dct = dict(
            n_mfcc=python_value(n_mfcc),
            dct_type=python_value(dct_type),
            dct_norm=python_value(dct_norm),
            lifter=python_value(lifter),
        )
        self._dct = check_mfcc_args(
            dct["n_mfcc"], self.n_mels, dct["dct_type"], dct["dct_norm"], dct["lifter"], norm_name="dct_norm"
        )
        self._keep_arguments(dct)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.log_mel_spectrogram)

    def _transform(self, x):
        log_mel = self.log_mel_spectrogram._transform(x)
        n_mfcc, dct_type, dct_norm, lifter = self._dct
        return on_axis(
            lambda S: _mfcc(S, n_mfcc=n_mfcc, dct_type=dct_type, norm=dct_norm, lifter=lifter), log_mel, 2
        )

    def compute_output_shape(self, input_shape):
        shape = self.log_mel_spectrogram.compute_output_shape(input_shape)
        return shape[:2] + (self.n_mfcc,) + tuple(shape[3:])


@serializable
class Delta(AudioLayer):
    """Savitzky-Golay time derivative (delta, delta-delta) of time-major features.

    Args:
        width: odd window length in frames, >= 3 (librosa ``width``; torchaudio ``win_length``);
            inputs need at least ``width`` frames with ``mode="interp"``. Default: ``9``.
        order: derivative order, ``1 <= order < width`` (librosa ``order``; 1 delta, 2 delta-delta).
            Default: ``1``.
        mode: edge handling, librosa ``mode``: "interp" (a polynomial fit over the first and last
            ``width`` frames; needs at least ``width`` frames), or "nearest", "mirror", "constant",
            "wrap" (any number of frames). Default: ``'interp'``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).


    Shapes: ``(batch, frames, bins)`` or ``(batch, frames, bins, channels)``, same shape out.

    Parity: equals ``librosa.feature.delta(features, width=width, order=order, mode=mode)`` along the
    frame axis. torchaudio's ``ComputeDeltas`` and kapre use a regression formula with
    replicated edges: different near the edges and in scale.

    Example:
        >>> log_mel = LogMelSpectrogram(n_mels=40)(x)
        >>> features = keras.ops.concatenate([log_mel, Delta()(log_mel), Delta(order=2)(log_mel)], -1)
    """

    input_layout = "(batch, frames, bins) or (batch, frames, bins, channels)"

    def __init__(
        self, *, width: int = 9, order: int = 1, mode: str = "interp", **kwargs: Unpack[LayerArguments]
    ):
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
        return _delta(x, width=self._width, order=self._order, mode=self._mode, axis=1)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)
