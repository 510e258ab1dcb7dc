"""Mel layers: MelScale (a filterbank weight), and MelSpectrogram and LogMelSpectrogram built from parts.

``MelSpectrogram`` holds a :class:`~audioflow.layers.Spectrogram` and a :class:`MelScale`;
``LogMelSpectrogram`` holds a ``MelSpectrogram`` and a :class:`~audioflow.layers.PowerToDb`. Each
computes through its parts' settings and weights (the mel spectrogram in one fused op, so the
spectrogram never makes a full-batch round trip through memory).
"""

from __future__ import annotations

import keras

from audioflow._typing import LayerArguments, LayerArgumentsBesidesTrainable, Unpack, Window
from audioflow._validation import parameter_error
from audioflow.config import MelConfig, python_value
from audioflow.layers.base import (
    AudioLayer,
    arguments_of,
    channels_first,
    channels_last,
    on_axis,
    serializable,
)
from audioflow.layers.scaling import PowerToDb
from audioflow.layers.spectral import Spectrogram, framed_shape
from audioflow.ops.features import _filtered_spectrogram, apply_filterbank
from audioflow.ops.filters import mel_filterbank_for


def mel_config(layer: AudioLayer, **arguments) -> MelConfig:
    """Validate a layer's mel ``arguments``, set them as its public attributes and remember them.

    ``htk`` (the older spelling of ``mel_scale``) is remembered only when it was given.
    """
    config = MelConfig(**arguments)
    layer._keep_arguments(arguments)
    if layer.htk is None:
        del layer._passed["htk"]
    return config


@serializable
class MelScale(AudioLayer):
    """Mel filterbank applied to a power (or magnitude) spectrogram; the filterbank is a weight.

    The ``(n_fft // 2 + 1, n_mels)`` weight ``filterbank`` is created in ``build`` with the exact
    librosa values (:func:`audioflow.ops.mel_filterbank`). It is fixed by default;
    ``trainable=True`` makes it learnable (gradients reach it on every backend).

    Args:
        sample_rate: of the input in Hz, > 0 (librosa ``sr``, torchaudio ``sample_rate``, Keras
            ``sampling_rate``). Default: ``22050``.
        n_fft: FFT size of the spectrogram it applies to (``n_fft // 2 + 1`` input bins), from 2
            to 2**20. Default: ``2048``.
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
        norm: mel filter normalisation: "slaney" (each triangle has unit area, librosa's default),
            None (peak 1, as tf.signal/HTK/Keras) or a positive number p (each filter divided by
            its p-norm). Default: ``'slaney'``.
        trainable: whether the filterbank is learnt (Keras' ``trainable``; False by default here).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ...).

    Shapes: ``(batch, frames, n_fft // 2 + 1)`` -> ``(batch, frames, n_mels)``;
    ``(batch, frames, n_fft // 2 + 1, channels)`` -> ``(batch, frames, n_mels, channels)``.

    Parity: ``S @ librosa.filters.mel(sr=..., n_fft=..., ...).T``, as
    ``librosa.feature.melspectrogram(S=S.T)``; torchaudio ``MelScale`` with ``norm="slaney",
    mel_scale="slaney"``. Keras' ``MelSpectrogram`` uses HTK triangles without the DC bin.

    Example:
        >>> power = Spectrogram(n_fft=512)(x)                       # (batch, frames, 257)
        >>> MelScale(sample_rate=16000, n_fft=512, n_mels=40, trainable=True)(power).shape[-1]
        40
    """

    input_layout = "(batch, frames, n_fft // 2 + 1) or (batch, frames, n_fft // 2 + 1, channels)"

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        n_fft: int = 2048,
        n_mels: int = 128,
        f_min: float = 0.0,
        f_max: float | None = None,
        mel_scale: str = "slaney",
        htk: bool | None = None,
        norm: str | float | None = "slaney",
        trainable: bool = False,
        **kwargs: Unpack[LayerArgumentsBesidesTrainable],
    ):
        super().__init__(trainable=trainable, **kwargs)
        self.mel_config = mel_config(self, **arguments_of(MelConfig, locals()))
        self.input_spec = keras.InputSpec(min_ndim=3, max_ndim=4)

    def build(self, input_shape=None):
        if input_shape is not None:
            super().build(input_shape)
            bins = self.n_fft // 2 + 1
            if input_shape[2] not in (None, bins):
                raise parameter_error(
                    "inputs",
                    f"shaped (batch, frames, n_fft // 2 + 1 = {bins}[, channels])",
                    input_shape=tuple(input_shape),
                    n_fft=self.n_fft,
                )
        if getattr(self, "filterbank", None) is None:
            initial = mel_filterbank_for(self.mel_config)
            self.filterbank = self.add_weight(
                name="filterbank",
                shape=initial.shape,
                dtype="float32",
                initializer=lambda shape, dtype=None: keras.ops.convert_to_tensor(initial, dtype="float32"),
                trainable=True,
            )
        self.built = True

    def load_own_variables(self, store):
        """Load the filterbank; a file saved before it was a weight (0.1.0) keeps the exact one."""
        if len(store.keys()) == 0:
            return
        super().load_own_variables(store)

    def _transform(self, S):
        return on_axis(lambda s: apply_filterbank(s, self.filterbank), S, 2)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self.mel_config.n_mels) + tuple(input_shape[3:])


@serializable
class MelSpectrogram(AudioLayer):
    """Mel spectrogram of waveforms: a :class:`Spectrogram` followed by a :class:`MelScale`.

    Defaults are librosa's, so ``MelSpectrogram()(x)[b]`` equals
    ``librosa.feature.melspectrogram(y=x[b]).T``.

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
        norm: mel filter normalisation: "slaney" (each triangle has unit area, librosa's default),
            None (peak 1, as tf.signal/HTK/Keras) or a positive number p (each filter divided by
            its p-norm). Default: ``'slaney'``.
        trainable_filterbank: learn the mel filterbank weight (False: librosa's filterbank, fixed).
            Default: ``False``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_mels)``; ``(batch, samples, channels)`` ->
    ``(batch, frames, n_mels, channels)``; ``frames`` from :func:`audioflow.ops.num_frames`.

    Parity: ``librosa.feature.melspectrogram`` to a relative error below 1e-5 in float32 (any
    ``pad_mode``, ``center``, ``mel_scale``, ``norm``, window and ``power``). Keras'
    ``MelSpectrogram`` and tf.signal use HTK triangles without the DC bin and reflect padding;
    torchaudio's ``MelSpectrogram`` matches with ``norm="slaney", mel_scale="slaney",
    pad_mode="constant"``.

    Example:
        >>> layer = MelSpectrogram(sample_rate=16000, n_fft=512, hop_length=160, n_mels=64)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        (2, 101, 64)
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
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.spectrogram = Spectrogram(**arguments_of(Spectrogram, locals()), name="spectrogram")
        self.mel_filters = MelScale(
            **arguments_of(MelConfig, locals()),
            trainable=python_value(trainable_filterbank),
            name="mel_filters",
        )
        self._adopt_arguments(self.spectrogram)
        self._adopt_arguments(self.mel_filters)
        self.trainable_filterbank = self.mel_filters.trainable
        self._remember(trainable_filterbank=self.trainable_filterbank)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.spectrogram, self.mel_filters)

    def _transform(self, x):
        spectrogram = self.spectrogram
        mel = _filtered_spectrogram(
            channels_first(x), self.mel_filters.filterbank, spectrogram.stft_config, spectrogram.power
        )
        return channels_last(mel, len(x.shape))

    def compute_output_shape(self, input_shape):
        return framed_shape(self.spectrogram.stft_config, input_shape, self.mel_filters.mel_config.n_mels)


@serializable
class LogMelSpectrogram(AudioLayer):
    """Log-mel spectrogram in dB: a :class:`MelSpectrogram` followed by :class:`PowerToDb`.

    ``LogMelSpectrogram()(x)[b]`` equals
    ``librosa.power_to_db(librosa.feature.melspectrogram(y=x[b]), top_db=80).T``.

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
        norm: mel filter normalisation: "slaney" (each triangle has unit area, librosa's default),
            None (peak 1, as tf.signal/HTK/Keras) or a positive number p (each filter divided by
            its p-norm). Default: ``'slaney'``.
        trainable_filterbank: learn the mel filterbank weight (False: librosa's filterbank, fixed).
            Default: ``False``.
        ref: the power mapped to 0 dB (> 0), or "max" for each example's own maximum (librosa
            ``ref=np.max``; torchaudio ``AmplitudeToDB`` has no reference). Default: ``1.0``.
        amin: smallest power considered (> 0; torchaudio ``amin``), so silence gives a finite
            ``10 log10(amin / ref)`` dB (-100 dB with the defaults). Default: ``1e-10``.
        top_db: dynamic range in dB kept below each example's maximum (>= 0); None keeps all
            (librosa ``top_db``, torchaudio ``AmplitudeToDB(top_db=...)``). Default: ``80.0``.
        allow_more_channels_than_samples: accept a ``(batch, samples, channels)`` input with more
            channels than samples. It is refused by default: such an array is almost always
            channels-first, ``(batch, channels, samples)`` as PyTorch lays audio out (transpose it).
            Default: ``False``.
        **kwargs: Keras layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Shapes: ``(batch, samples)`` -> ``(batch, frames, n_mels)``; ``(batch, samples, channels)`` ->
    ``(batch, frames, n_mels, channels)``.

    Parity: within 0.01 dB of librosa above the floor. The maximum behind ``top_db`` and
    ``ref="max"`` is each example's (and channel's) own; Keras' ``MelSpectrogram`` takes the whole
    batch's, so its features depend on the batch-mates.

    Example:
        >>> inputs = keras.Input((16000,))
        >>> features = LogMelSpectrogram(sample_rate=16000, n_mels=64)(inputs)   # (None, 32, 64)
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
        allow_more_channels_than_samples: bool = False,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self._take_waveforms(allow_more_channels_than_samples)
        self.mel_spectrogram = MelSpectrogram(
            **arguments_of(MelSpectrogram, locals()), name="mel_spectrogram"
        )
        self.power_to_db = PowerToDb(ref=ref, amin=amin, top_db=top_db, name="power_to_db")
        self._adopt_arguments(self.mel_spectrogram)
        self._adopt_arguments(self.power_to_db)
        self.input_spec = keras.InputSpec(min_ndim=2, max_ndim=3)

    def build(self, input_shape):
        self._build_parts(input_shape, self.mel_spectrogram, self.power_to_db)

    def _transform(self, x):
        return self.power_to_db._transform(self.mel_spectrogram._transform(x))

    def compute_output_shape(self, input_shape):
        return self.mel_spectrogram.compute_output_shape(input_shape)
