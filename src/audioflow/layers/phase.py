"""Phase reconstruction layers: ``GriffinLim`` (magnitudes to waveforms) and ``InverseMelScale``
(mel spectra back to linear magnitudes). The maths is in :mod:`audioflow.ops.phase`."""

from __future__ import annotations

import keras
import numpy as np

from audioflow._compat import ops
from audioflow._typing import LayerArguments, Unpack
from audioflow._validation import check_int, check_number, parameter_error
from audioflow.layers.base import AudioLayer, serializable
from audioflow.ops.filters import mel_filterbank
from audioflow.ops.framing import num_frames
from audioflow.ops.phase import check_griffin_lim_args, griffin_lim, mel_to_stft
from audioflow.ops.spectral import istft_length

__all__ = ["GriffinLim", "InverseMelScale"]


def _channels_to_front(S):
    """``(batch, frames, bins, channels)`` -> ``(batch, channels, frames, bins)``; rank 3 passes."""
    return ops.transpose(S, (0, 3, 1, 2)) if len(S.shape) == 4 else S


@serializable
class GriffinLim(AudioLayer):
    """Waveforms from magnitude spectrograms by Griffin-Lim: ``librosa.griffinlim(S[b].T, ...)``.

    librosa's fast Griffin-Lim (momentum 0.99). With ``init=None`` the output equals librosa's
    with ``init=None`` to float32 round-off; with ``init="random"`` the initial phases are drawn
    per call from the layer's seed generator (reproducible with ``seed``), and the
    reconstruction is as good as librosa's (spectral convergence, tested over seeds).

    Args:
        n_fft: FFT size of the spectrogram (``n_fft // 2 + 1`` bins). Default: ``2048``.
        hop_length: samples between frames; None means ``win_length // 4``. Default: ``None``.
        win_length: window length <= ``n_fft``; None means ``n_fft``. Default: ``None``.
        window: window name, tuple or array (periodic, as scipy). Default: ``'hann'``.
        center: the spectrogram's frames were centred (``n_fft // 2`` padding). Default: ``True``.
        pad_mode: padding of the STFTs inside the iterations. Default: ``'constant'``.
        n_iter: iterations, >= 0. Default: ``32``.
        momentum: in [0, 1) (torchaudio's check; librosa warns above 1). Default: ``0.99``.
        init: "random" (uniform phases) or None (zero phase). Default: ``'random'``.
        length: output samples (None: ``hop_length * (frames - 1)`` with ``center``); its STFT
            must have the input's frame count (librosa fails otherwise). Default: ``None``.
        seed: int or None, for the random initial phases. Default: ``None``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, frames, n_fft // 2 + 1[, channels])`` -> ``(batch, samples[, channels])``.

    Example:
        >>> magnitudes = Spectrogram(n_fft=512, power=1.0)(x)
        >>> GriffinLim(n_fft=512, n_iter=32, seed=0)(magnitudes).shape == x.shape[:1] + (...,)
    """

    input_layout = "(batch, frames, n_fft // 2 + 1) or (batch, frames, n_fft // 2 + 1, channels)"

    def __init__(
        self,
        *,
        n_fft: int = 2048,
        hop_length: int | None = None,
        win_length: int | None = None,
        window: str | tuple | list = "hann",
        center: bool = True,
        pad_mode: str = "constant",
        n_iter: int = 32,
        momentum: float = 0.99,
        init: str | None = "random",
        length: int | None = None,
        seed: int | None = None,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        self.n_iter, self.momentum, self.init = check_griffin_lim_args(
            n_iter=n_iter, momentum=momentum, init=init
        )
        self.n_fft = check_int("n_fft", n_fft, minimum=2)
        self.win_length = check_int("win_length", win_length, minimum=1, allow_none=True)
        window_samples = self.win_length or self.n_fft
        self.hop_length = check_int("hop_length", hop_length, minimum=1, allow_none=True)
        self.length = check_int("length", length, minimum=0, allow_none=True)
        self.seed = check_int("seed", seed, allow_none=True)
        self._stft = dict(
            n_fft=self.n_fft,
            hop_length=self.hop_length or max(window_samples // 4, 1),
            win_length=window_samples,
            window=window,
            center=center,
            pad_mode=pad_mode,
        )
        self.window, self.center, self.pad_mode = window, center, pad_mode
        self.seed_generator = keras.random.SeedGenerator(self.seed) if self.init == "random" else None
        self._remember(
            n_fft=n_fft, hop_length=hop_length, win_length=win_length, window=window, center=center
        )
        self._remember(
            pad_mode=pad_mode, n_iter=n_iter, momentum=momentum, init=init, length=length, seed=seed
        )
        self.input_spec = keras.InputSpec(min_ndim=3, max_ndim=4)

    def build(self, input_shape):
        super().build(input_shape)
        frames = input_shape[1]
        if self.length is None or frames is None:
            return
        count = num_frames(
            self.length, n_fft=self.n_fft, hop_length=self._stft["hop_length"], center=self.center
        )
        if count != frames:  # each iteration re-frames the signal: its STFT must have S's frames
            raise parameter_error(
                "length",
                "a signal length whose STFT has the input's frame count",
                length=self.length,
                frames=frames,
                frames_of_length=count,
            )

    def _transform(self, S):
        y = griffin_lim(
            _channels_to_front(S),
            n_iter=self.n_iter,
            momentum=self.momentum,
            init=self.init,
            seed=self.seed_generator,
            length=self.length,
            **self._stft,
        )
        return ops.transpose(y, (0, 2, 1)) if len(S.shape) == 4 else y

    def compute_output_shape(self, input_shape):
        frames = input_shape[1]
        samples = self.length
        if samples is None and frames is not None:
            samples = istft_length(
                frames, n_fft=self.n_fft, hop_length=self._stft["hop_length"], center=self.center
            )
        return (input_shape[0], samples, *input_shape[3:])


@serializable
class InverseMelScale(AudioLayer):
    """Linear magnitudes from a mel spectrogram by non-negative least squares (librosa ``mel_to_stft``).

    Solves ``min |X @ filterbank - M|`` for ``X >= 0`` from the clipped pseudo-inverse solution by
    ``n_iter`` steps of accelerated projected gradient (in the graph), then returns
    ``X ** (1 / power)``: with the default ``power=2.0`` a power mel spectrogram gives STFT
    magnitudes, ready for :class:`GriffinLim`. librosa refines the same start with L-BFGS-B on the
    host; the problem has many minimisers (more bins than mel bands), so the tests compare the
    residual ``|X @ filterbank - M|`` (ours is lower) rather than ``X``.

    Args:
        sample_rate: Hz of the audio, > 0. Default: ``22050``.
        n_fft: FFT size (``n_fft // 2 + 1`` output bins). Default: ``2048``.
        n_mels: mel bands of the input, >= 1. Default: ``128``.
        f_min: lowest filter edge in Hz, >= 0. Default: ``0.0``.
        f_max: highest filter edge in Hz; None means ``sample_rate / 2``. Default: ``None``.
        mel_scale: "slaney" or "htk". Default: ``'slaney'``.
        norm: the filterbank's normalisation ("slaney", None or a number p). Default: ``'slaney'``.
        power: the exponent the mel spectrogram was made with (> 0). Default: ``2.0``.
        n_iter: projected-gradient iterations, >= 0. Default: ``100``.
        **kwargs: Keras layer arguments.

    Shapes: ``(batch, frames, n_mels[, channels])`` -> ``(batch, frames, n_fft // 2 + 1[, channels])``.
    """

    input_layout = "(batch, frames, n_mels) or (batch, frames, n_mels, channels)"

    def __init__(
        self,
        *,
        sample_rate: float = 22050,
        n_fft: int = 2048,
        n_mels: int = 128,
        f_min: float = 0.0,
        f_max: float | None = None,
        mel_scale: str = "slaney",
        norm: str | float | None = "slaney",
        power: float = 2.0,
        n_iter: int = 100,
        **kwargs: Unpack[LayerArguments],
    ):
        super().__init__(**kwargs)
        filterbank = mel_filterbank(
            sample_rate, n_fft, n_mels, f_min, f_max, norm=norm, mel_scale=mel_scale, dtype=np.float64
        )
        self._basis = np.ascontiguousarray(filterbank.T)  # (n_mels, bins)
        self.power = check_number("power", power, exclusive_minimum=0)
        self.n_iter = check_int("n_iter", n_iter, minimum=0)
        self._keep_arguments(
            dict(sample_rate=sample_rate, n_fft=n_fft, n_mels=n_mels, f_min=f_min, f_max=f_max)
        )
        self._keep_arguments(dict(mel_scale=mel_scale, norm=norm, power=power, n_iter=n_iter))
        self.input_spec = keras.InputSpec(min_ndim=3, max_ndim=4)

    def _transform(self, M):
        X = mel_to_stft(_channels_to_front(M), self._basis, power=self.power, n_iter=self.n_iter)
        return ops.transpose(X, (0, 2, 3, 1)) if len(M.shape) == 4 else X

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[1], self._basis.shape[1], *input_shape[3:])
