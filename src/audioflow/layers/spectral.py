"""Layers from waveforms to spectra: STFT, InverseSTFT, Spectrogram, MelSpectrogram, LogMelSpectrogram.

Inputs are ``(batch, samples)`` or ``(batch, samples, channels)``; outputs are time-major and
channels-last, ``(batch, frames, bins)`` or ``(batch, frames, bins, channels)``, the layout Keras
convolutions and recurrent layers expect (librosa returns ``(bins, frames)``).
"""

from __future__ import annotations

from keras import ops

from audioflow import ops as af
from audioflow._validation import (
    check_db_args,
    check_int,
    check_power,
    parameter_error,
    resolve_mel_args,
    resolve_stft_args,
)
from audioflow.layers.base import AudioLayer, WaveformLayer, serializable, window_argument
from audioflow.ops.features import filtered_spectrogram


class _FramedLayer(WaveformLayer):
    """Shared STFT arguments, their validation, and the exact output length."""

    def __init__(
        self,
        n_fft=2048,
        win_length=None,
        hop_length=None,
        window="hann",
        center=True,
        pad_mode="constant",
        **kwargs,
    ):
        super().__init__(**kwargs)
        window = window_argument(window)
        self._hop_length, self._win_length = resolve_stft_args(
            n_fft, hop_length, win_length, window, center, pad_mode
        )
        self.n_fft = n_fft
        self.win_length = win_length
        self.hop_length = hop_length
        self.window = window
        self.center = center
        self.pad_mode = pad_mode
        self._remember(
            n_fft=n_fft,
            win_length=win_length,
            hop_length=hop_length,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )

    @property
    def _stft_kwargs(self):
        return dict(
            n_fft=self.n_fft,
            hop_length=self._hop_length,
            win_length=self._win_length,
            window=self.window,
            center=self.center,
            pad_mode=self.pad_mode,
        )

    def build(self, input_shape):
        super().build(input_shape)
        samples = input_shape[1]
        if samples is None:
            return
        if not self.center and samples < self.n_fft:
            raise parameter_error(
                "inputs",
                "at least `n_fft` samples long when `center=False`",
                samples=samples,
                n_fft=self.n_fft,
                hint="Use center=True or a shorter n_fft.",
            )
        if self.center and self.pad_mode == "reflect" and samples <= self.n_fft // 2:
            raise parameter_error(
                "inputs",
                "longer than `n_fft // 2` samples for pad_mode='reflect'",
                samples=samples,
                n_fft=self.n_fft,
                hint="Use pad_mode='constant' for very short inputs.",
            )

    def _frames(self, samples):
        return af.num_frames(samples, n_fft=self.n_fft, hop_length=self._hop_length, center=self.center)

    def _bins_shape(self, input_shape, bins):
        """Output shape ``(batch, frames, bins[, channels])``."""
        shape = (input_shape[0], self._frames(input_shape[1]), bins)
        return shape + tuple(input_shape[2:])


@serializable
class STFT(_FramedLayer):
    """Short-time Fourier transform layer.

    Output layout: real and imaginary parts stacked on a trailing axis of size 2,
    ``(batch, frames, n_fft // 2 + 1, 2)`` for ``(batch, samples)`` input and
    ``(batch, frames, n_fft // 2 + 1, channels, 2)`` for ``(batch, samples, channels)``.
    ``InverseSTFT`` with the same arguments takes this back to the waveform.

    Matches ``librosa.stft(y, ...)`` (``.real``/``.imag``, transposed). See
    :func:`audioflow.ops.stft` for the arguments.

    Example:
        >>> layer = STFT(n_fft=512, hop_length=128)
        >>> layer(np.zeros((2, 16000), "float32")).shape
        (2, 126, 257, 2)
    """

    def call(self, inputs):
        rank = len(inputs.shape)
        real, imag = af.stft(self._signals(inputs), **self._stft_kwargs)
        spectrum = ops.stack([real, imag], axis=-1)
        return self._output(self._channels_last_complex(spectrum, rank))

    @staticmethod
    def _channels_last_complex(spectrum, rank):
        if rank == 2:
            return spectrum
        return ops.transpose(spectrum, (0, 2, 3, 1, 4))

    def compute_output_shape(self, input_shape):
        return self._bins_shape(input_shape, self.n_fft // 2 + 1) + (2,)


@serializable
class InverseSTFT(AudioLayer):
    """Inverse of :class:`STFT`: ``(batch, frames, bins, 2)`` -> ``(batch, samples)``.

    ``(batch, frames, bins, channels, 2)`` gives ``(batch, samples, channels)``. Without ``length``,
    ``samples = hop_length * (frames - 1)`` when ``center=True``; pass the original ``length`` to
    get the exact input length back. Matches ``librosa.istft``.
    """

    input_ranks = (4, 5)
    input_layout = "(batch, frames, bins, 2) or (batch, frames, bins, channels, 2)"

    def __init__(
        self, n_fft=2048, win_length=None, hop_length=None, window="hann", center=True, length=None, **kwargs
    ):
        super().__init__(**kwargs)
        window = window_argument(window)
        self._hop_length, self._win_length = resolve_stft_args(
            n_fft, hop_length, win_length, window, center, "constant"
        )
        check_int("length", length, minimum=0, allow_none=True)
        self.n_fft, self.win_length, self.hop_length = n_fft, win_length, hop_length
        self.window, self.center, self.length = window, center, length
        self._remember(
            n_fft=n_fft,
            win_length=win_length,
            hop_length=hop_length,
            window=window,
            center=center,
            length=length,
        )

    def build(self, input_shape):
        super().build(input_shape)
        bins = self.n_fft // 2 + 1
        if input_shape[2] not in (None, bins) or input_shape[-1] not in (None, 2):
            raise parameter_error(
                "inputs",
                f"shaped (batch, frames, n_fft // 2 + 1 = {bins}, [channels,] 2)",
                input_shape=tuple(input_shape),
                n_fft=self.n_fft,
            )

    def call(self, inputs):
        x = self._compute_input(inputs)
        if len(x.shape) == 5:
            x = ops.transpose(x, (0, 3, 1, 2, 4))
        signal = af.istft(
            (x[..., 0], x[..., 1]),
            n_fft=self.n_fft,
            hop_length=self._hop_length,
            win_length=self._win_length,
            window=self.window,
            center=self.center,
            length=self.length,
        )
        if len(inputs.shape) == 5:
            signal = ops.transpose(signal, (0, 2, 1))
        return self._output(signal)

    def compute_output_shape(self, input_shape):
        frames = input_shape[1]
        if self.length is not None:
            samples = self.length
        elif frames is None:
            samples = None
        else:
            samples = (
                self._hop_length * (frames - 1) + self.n_fft - (2 * (self.n_fft // 2) if self.center else 0)
            )
        shape = (input_shape[0], samples)
        return shape + ((input_shape[3],) if len(input_shape) == 5 else ())


@serializable
class Spectrogram(_FramedLayer):
    """``|STFT| ** power``: ``(batch, samples[, channels])`` -> ``(batch, frames, n_fft // 2 + 1[, channels])``.

    ``power=2`` (default) is the power spectrogram, ``power=1`` the magnitude. Equals
    ``np.abs(librosa.stft(y, ...)) ** power`` transposed.
    """

    def __init__(
        self,
        n_fft=2048,
        win_length=None,
        hop_length=None,
        window="hann",
        center=True,
        pad_mode="constant",
        power=2.0,
        **kwargs,
    ):
        super().__init__(n_fft, win_length, hop_length, window, center, pad_mode, **kwargs)
        check_power(power)
        self.power = power
        self._remember(power=power)

    def _spectrogram(self, signals):
        return af.spectrogram(signals, power=self.power, **self._stft_kwargs)

    def call(self, inputs):
        return self._output(self._channels_last(self._spectrogram(self._signals(inputs)), len(inputs.shape)))

    def compute_output_shape(self, input_shape):
        return self._bins_shape(input_shape, self.n_fft // 2 + 1)


@serializable
class MelSpectrogram(Spectrogram):
    """Mel spectrogram: ``(batch, samples[, channels])`` -> ``(batch, frames, n_mels[, channels])``.

    Defaults are librosa's, so ``MelSpectrogram()(x)[b]`` equals
    ``librosa.feature.melspectrogram(y=x[b]).T`` (relative error ~1e-6 in float32). The filterbank
    (:func:`audioflow.ops.mel_filterbank`) is a NumPy constant built once here.

    Args (beyond :class:`Spectrogram`'s):
        sample_rate: Hz (librosa ``sr``, torchaudio ``sample_rate``, Keras ``sampling_rate``).
        n_mels: mel bands (Keras ``num_mel_bins``).
        f_min, f_max: band edges in Hz (``f_max`` default ``sample_rate / 2``).
        htk: HTK mel scale instead of Slaney's.
        norm: "slaney" (area), None (peak 1, as tf.signal/HTK) or a p-norm.
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
        **kwargs,
    ):
        super().__init__(n_fft, win_length, hop_length, window, center, pad_mode, power, **kwargs)
        resolve_mel_args(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm)
        self.sample_rate, self.n_mels, self.f_min, self.f_max, self.htk, self.norm = (
            sample_rate,
            n_mels,
            f_min,
            f_max,
            htk,
            norm,
        )
        self._remember(sample_rate=sample_rate, n_mels=n_mels, f_min=f_min, f_max=f_max, htk=htk, norm=norm)
        self._filterbank = af.mel_filterbank(sample_rate, n_fft, n_mels, f_min, f_max, htk, norm)

    def _spectrogram(self, signals):
        return filtered_spectrogram(signals, self._filterbank, power=self.power, **self._stft_kwargs)

    def compute_output_shape(self, input_shape):
        return self._bins_shape(input_shape, self.n_mels)


@serializable
class LogMelSpectrogram(MelSpectrogram):
    """Log-mel spectrogram in dB: ``(batch, samples[, channels])`` -> ``(batch, frames, n_mels[, channels])``.

    ``LogMelSpectrogram()(x)[b]`` equals
    ``librosa.power_to_db(librosa.feature.melspectrogram(y=x[b]), top_db=80).T`` (within 0.01 dB
    above the floor). ``ref``, ``amin`` and ``top_db`` as :func:`audioflow.ops.power_to_db`; the
    maximum behind ``top_db`` and ``ref="max"`` is each example's (and channel's) own, never the
    batch's.

    Example:
        >>> model = keras.Sequential([keras.Input((16000,)), LogMelSpectrogram(sample_rate=16000, n_mels=64)])
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
            **kwargs,
        )
        check_db_args(ref, amin, top_db)
        self.top_db, self.ref, self.amin = top_db, ref, amin
        self._remember(top_db=top_db, ref=ref, amin=amin)

    def _spectrogram(self, signals):
        return af.power_to_db(super()._spectrogram(signals), ref=self.ref, amin=self.amin, top_db=self.top_db)
